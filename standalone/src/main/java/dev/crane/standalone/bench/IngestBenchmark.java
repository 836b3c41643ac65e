package dev.crane.standalone.bench;

import dev.crane.embedded.EmbeddedRuntime;
import dev.crane.ingest.dataset.MmrecDataset;
import dev.crane.ingest.dataset.MmrecReader;
import dev.crane.ingest.dataset.SyntheticConfig;
import dev.crane.ingest.dataset.SyntheticGenerator;
import dev.crane.ingest.publish.DatasetPublisher;
import dev.crane.ingest.publish.ProducerFactory;
import dev.crane.ingest.publish.PublishSummary;
import dev.crane.schemas.Modality;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Ingest throughput into the embedded broker: TikTok (2×128-d, float16 on disk) and a Baby-size
 * synthetic dataset with 4096+384-d features. Each dataset is published twice: items only (the
 * feature-heavy records), then interactions only, after one full warm-up pass. Prints the figures and writes docs/bench/ingest.json.
 *
 * <p>Args: {@code [dataDir] [outputJson]}; defaults {@code ../shared/data} and
 * {@code docs/bench/ingest.json}.
 */
public final class IngestBenchmark {
  public static final String COMMAND =
      "mvn -B -q -DskipTests install && java -Xmx6g -cp standalone/target/standalone.jar dev.crane.standalone.bench.IngestBenchmark";

  public static void main(String[] args) throws Exception {
    Path data = Path.of(args.length > 0 ? args[0] : "../shared/data");
    Path json = Path.of(args.length > 1 ? args[1] : "docs/bench/ingest.json");
    Map<String, Object> figures = new LinkedHashMap<>();
    Path runDir = Files.createTempDirectory("crane-ingest-bench-");
    try (EmbeddedRuntime runtime = EmbeddedRuntime.start(runDir, 3)) {
      if (Files.isDirectory(data.resolve("tiktok"))) {
        measure("tiktok", MmrecReader.read(data.resolve("tiktok")), runtime, figures);
      } else {
        System.out.println("TikTok not found under " + data + ": skipped");
      }
      var config = SyntheticConfig.defaults(19_445, 7_050, Modality.parseList("visual:4096,text:384"), 1);
      measure("synthetic4480d", SyntheticGenerator.generate(config).dataset(), runtime, figures);
    }
    figures.put("cores", Runtime.getRuntime().availableProcessors());
    BenchFile.write(json, COMMAND, figures);
    System.out.println("wrote " + json);
  }

  private static void measure(String name, MmrecDataset ds, EmbeddedRuntime runtime, Map<String, Object> figures) {
    int[] order = ds.interactions().publishOrder();
    try (var producer = ProducerFactory.create(runtime.bootstrapServers(), runtime.schemaRegistryUrl(), Map.of())) {
      // Warm-up, one full pass: registers the schemas and JIT-compiles the serializer.
      new DatasetPublisher(producer, new DatasetPublisher.Options(0, -1, false)).publish(ds, order, Map.of(), new int[0]);
      PublishSummary items = new DatasetPublisher(producer, new DatasetPublisher.Options(0, 0, false))
          .publish(ds, order, Map.of(), new int[0]);
      PublishSummary interactions = new DatasetPublisher(producer, new DatasetPublisher.Options(0, -1, false))
          .publish(ds, order, Map.of(), allItemsBut(ds, 0));
      put(figures, name + "_items", items, items.items());
      put(figures, name + "_interactions", interactions, interactions.interactions());
      System.out.printf(Locale.ROOT, "%-16s items: %,d in %.2f s = %,.0f records/s, %.1f MB/s; "
              + "interactions: %,d in %.2f s = %,.0f records/s, %.1f MB/s%n",
          name, items.items(), items.seconds(), items.recordsPerSecond(), items.megabytesPerSecond(),
          interactions.interactions(), interactions.seconds(), interactions.recordsPerSecond(),
          interactions.megabytesPerSecond());
    }
  }

  private static void put(Map<String, Object> figures, String key, PublishSummary s, long records) {
    figures.put(key + "_records", records);
    figures.put(key + "_records_per_s", Math.round(s.recordsPerSecond()));
    figures.put(key + "_mb_per_s", Math.round(s.megabytesPerSecond() * 10) / 10.0);
    figures.put(key + "_seconds", Math.round(s.seconds() * 100) / 100.0);
  }

  /** Ids of every item except the first {@code keep}: the publisher skips them. */
  private static int[] allItemsBut(MmrecDataset ds, int keep) {
    int[] skip = new int[Math.max(0, ds.numItems() - keep)];
    for (int i = 0; i < skip.length; i++) {
      skip[i] = keep + i;
    }
    return skip;
  }
}
