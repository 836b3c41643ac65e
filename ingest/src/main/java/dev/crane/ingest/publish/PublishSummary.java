package dev.crane.ingest.publish;

import java.util.Locale;
import java.util.Map;

/**
 * What one ingest run published.
 *
 * @param skipped input lines/rows skipped as bad (with --skip-bad), per reason
 * @param bytes serialized key+value bytes acknowledged by the broker
 */
public record PublishSummary(
    long items, long interactions, Map<String, Long> skipped, long bytes, double seconds) {

  public long skippedTotal() {
    return skipped.values().stream().mapToLong(Long::longValue).sum();
  }

  public double recordsPerSecond() {
    return seconds > 0 ? (items + interactions) / seconds : 0;
  }

  public double megabytesPerSecond() {
    return seconds > 0 ? bytes / 1e6 / seconds : 0;
  }

  /** The closing lines printed by the CLI. */
  public String render() {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "%-14s %12s%n", "topic", "records"));
    sb.append(String.format(Locale.ROOT, "%-14s %,12d%n", "items", items));
    sb.append(String.format(Locale.ROOT, "%-14s %,12d%n", "interactions", interactions));
    sb.append(String.format(Locale.ROOT, "bad records skipped: %,d%s%n", skippedTotal(),
        skipped.isEmpty() ? "" : " " + skipped));
    sb.append(String.format(Locale.ROOT, "%.1f s, %,.0f records/s, %.1f MB/s%n",
        seconds, recordsPerSecond(), megabytesPerSecond()));
    return sb.toString();
  }
}
