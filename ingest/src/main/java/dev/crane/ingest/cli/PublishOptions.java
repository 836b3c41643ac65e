package dev.crane.ingest.cli;

import dev.crane.ingest.publish.DatasetPublisher;
import picocli.CommandLine.Option;

/** Pace and size of a publishing run. */
final class PublishOptions {
  @Option(names = "--rate", defaultValue = "0",
      description = "Records per second, 0 = as fast as the broker takes them. Default: ${DEFAULT-VALUE}")
  double rate;

  @Option(names = "--limit", defaultValue = "-1",
      description = "Publish at most this many interactions (all items are always published). Default: all")
  long limit;

  @Option(names = "--no-progress", negatable = false,
      description = "Hide the progress bars (shown only on a terminal; otherwise a progress line every 10 s).")
  boolean noProgress;

  DatasetPublisher.Options toOptions() {
    return new DatasetPublisher.Options(rate, limit, !noProgress);
  }
}
