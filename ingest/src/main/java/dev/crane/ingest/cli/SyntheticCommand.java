package dev.crane.ingest.cli;

import dev.crane.ingest.dataset.MmrecWriter;
import dev.crane.ingest.dataset.SyntheticConfig;
import dev.crane.ingest.dataset.SyntheticGenerator;
import dev.crane.ingest.publish.DatasetPublisher;
import dev.crane.schemas.Modality;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ingest synthetic}: generate a dataset with planted structure, write it and/or publish it. */
@Command(name = "synthetic", mixinStandardHelpOptions = true,
    description = "Generate a dataset with planted structure (latent tastes, informative features, "
        + "power-law popularity, MMRec-style 8:1:1 split); write it in MMRec format and/or publish it.")
final class SyntheticCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--users", defaultValue = "2000", description = "Default: ${DEFAULT-VALUE}")
  int users;

  @Option(names = "--items", defaultValue = "1000", description = "Default: ${DEFAULT-VALUE}")
  int items;

  @Option(names = "--modalities", defaultValue = "visual:4096,text:384",
      description = "name:dim,... Default: ${DEFAULT-VALUE}")
  String modalities;

  @Option(names = "--seed", defaultValue = "42", description = "Default: ${DEFAULT-VALUE}")
  long seed;

  @Option(names = "--out", paramLabel = "DIR", description = "Also write the dataset here in MMRec format.")
  Path out;

  @Option(names = "--no-publish", description = "Only write (needs --out).")
  boolean noPublish;

  @Mixin KafkaOptions kafka;
  @Mixin PublishOptions publish;

  @Override
  public Integer call() throws Exception {
    if (noPublish && out == null) {
      spec.commandLine().getErr().println("error: --no-publish needs --out DIR");
      return 2;
    }
    SyntheticConfig config;
    try {
      config = SyntheticConfig.defaults(users, items, Modality.parseList(modalities), seed);
    } catch (IllegalArgumentException e) {
      spec.commandLine().getErr().println("error: " + e.getMessage());
      return 2;
    }
    if (!noPublish) {
      kafka.checkReachable();
    }
    var dataset = SyntheticGenerator.generate(config).dataset();
    spec.commandLine().getOut().printf("generated %s: %,d users, %,d items, %,d interactions, modalities %s%n",
        dataset.name(), dataset.numUsers(), dataset.numItems(), dataset.interactions().size(),
        Modality.format(Modality.parseList(modalities)));
    if (out != null) {
      MmrecWriter.write(dataset, out);
      spec.commandLine().getOut().println("wrote " + out);
    }
    if (!noPublish) {
      try (var producer = kafka.producer()) {
        var summary = new DatasetPublisher(producer, publish.toOptions())
            .publish(dataset, dataset.interactions().publishOrder(), Map.of(), new int[0]);
        spec.commandLine().getOut().print(summary.render());
      }
    }
    return 0;
  }
}
