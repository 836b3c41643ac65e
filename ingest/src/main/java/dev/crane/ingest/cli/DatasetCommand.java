package dev.crane.ingest.cli;

import dev.crane.ingest.dataset.DatasetException;
import dev.crane.ingest.dataset.MmrecReader;
import dev.crane.ingest.dataset.ReadOptions;
import dev.crane.ingest.publish.DatasetPublisher;
import dev.crane.ingest.publish.PublishSummary;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code ingest dataset --path DIR}: publish an MMRec-format dataset directory. */
@Command(name = "dataset", mixinStandardHelpOptions = true,
    description = "Publish an MMRec-format dataset (<name>.inter + <modality>_feat.npy): items first, then interactions.")
final class DatasetCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--path", required = true, paramLabel = "DIR", description = "Dataset directory.")
  Path path;

  @Option(names = "--skip-bad", description = "Skip and count bad lines/rows instead of stopping at the first.")
  boolean skipBad;

  @Mixin KafkaOptions kafka;
  @Mixin PublishOptions publish;

  @Override
  public Integer call() throws Exception {
    MmrecReader.ReadResult read;
    try {
      read = MmrecReader.read(path, ReadOptions.defaults().withSkipBad(skipBad));
    } catch (DatasetException e) {
      spec.commandLine().getErr().println("error: " + e.getMessage()
          + (skipBad ? "" : "\n(use --skip-bad to skip and count bad records)"));
      return 2;
    }
    var dataset = read.dataset();
    kafka.checkReachable();
    spec.commandLine().getOut().printf("read %s: %,d users, %,d items, %,d interactions, modalities %s%n",
        dataset.name(), dataset.numUsers(), dataset.numItems(), dataset.interactions().size(),
        dataset.modalityNames());
    PublishSummary summary;
    try (var producer = kafka.producer()) {
      summary = new DatasetPublisher(producer, publish.toOptions())
          .publish(dataset, dataset.interactions().publishOrder(), read.report().countsByDescription(), read.report().badItems());
    }
    spec.commandLine().getOut().print(summary.render());
    return 0;
  }
}
