package dev.crane.trainer.run;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.crane.ingest.dataset.MmrecDataset;
import dev.crane.trainer.config.TrainConfig;
import dev.crane.trainer.report.CurvePlot;
import dev.crane.trainer.data.TrainingData;
import dev.crane.trainer.engine.Devices;
import dev.crane.trainer.model.ModelFactory;
import dev.crane.trainer.model.core.Recommender;
import dev.crane.trainer.train.Checkpoint;
import dev.crane.trainer.train.EpochRecord;
import dev.crane.trainer.train.MemoryGuard;
import dev.crane.trainer.train.ProcessStats;
import dev.crane.trainer.train.TrainResult;
import dev.crane.trainer.train.Trainer;
import dev.crane.trainer.train.TrainingListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * One complete run: validate the configuration and data, check memory, build the model, train,
 * then write the outputs (metrics JSON, curves PNG, checkpoint of the best validation epoch).
 * Everything that can be rejected is rejected before the first epoch.
 */
public final class TrainingRun {
  private TrainingRun() {}

  /** Creating this file in the output directory ends training after the current epoch, outputs written. */
  public static final String STOP_FILE = "STOP";

  /** What a run produced. */
  public record Report(TrainResult result, Path metricsJson, Path curvesPng, Path checkpointDir, long peakRssBytes,
      Device device) {}

  public static Report run(MmrecDataset dataset, TrainConfig config, Path outDir, String command,
      TrainingListener listener) throws IOException {
    TrainingData data = TrainingData.from(dataset);
    config = config.toBuilder().dataset(data.name()).build();
    if (config.model().requiresFeatures() && data.features().isEmpty()) {
      throw new IllegalArgumentException("model " + config.model() + " needs item features but "
          + data.name() + " has no <modality>_feat.npy files");
    }
    MemoryGuard.check(config, data);
    Files.createDirectories(outDir);
    Device device = Devices.pick(config.forceCpu());
    try (NDManager manager = NDManager.newBaseManager(device)) {
      SplittableRandom rng = new SplittableRandom(config.seed());
      Recommender model = ModelFactory.create(config, data, manager, rng);
      Path stopFile = outDir.resolve(STOP_FILE);
      Files.deleteIfExists(stopFile); // a stale request from an earlier run in the same directory
      Trainer trainer = new Trainer(data, config, listener, () -> Files.exists(stopFile));
      TrainResult result = trainer.fit(model, rng);
      long rss = ProcessStats.peakRssBytes();
      Path metrics = outDir.resolve("metrics.json");
      int fullEpoch = (data.numTrainRows() + config.batchSize() - 1) / config.batchSize();
      writeMetrics(metrics, config, result, command, rss, device, model.parameters().count(), fullEpoch);
      Path png = outDir.resolve("curves.png");
      CurvePlot.write(result.history(), result.bestEpoch(),
          config.model() + " on " + data.name() + " (seed " + config.seed() + ")", png);
      Path ckpt = outDir.resolve("checkpoint");
      if (!trainer.bestParameters().isEmpty()) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("bestEpoch", result.bestEpoch());
        m.put("valid", result.bestValid());
        m.put("test", result.bestTest());
        Checkpoint.of(model, trainer.bestParameters(), config, data.userIds(), data.itemIds(), m)
            .withOptimizer(trainer.bestOptimizer()).save(ckpt);
      }
      return new Report(result, metrics, png, ckpt, rss, device);
    }
  }

  private static void writeMetrics(Path file, TrainConfig c, TrainResult r, String command, long rss, Device device,
      long paramCount, int fullEpochBatches) throws IOException {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("model", c.model().cliName());
    m.put("dataset", c.dataset());
    m.put("command", command);
    m.put("date", Instant.now().toString());
    m.put("device", device.toString());
    m.put("seed", c.seed());
    m.put("best_epoch", r.bestEpoch());
    m.put("epochs_run", r.history().size());
    m.put("stop_reason", r.stopReason());
    m.put("train_seconds_per_epoch", r.secondsPerEpoch());
    m.put("batches_per_full_epoch", fullEpochBatches);
    m.put("total_seconds", r.totalSeconds());
    m.put("peak_rss_bytes", rss);
    m.put("trainable_parameters", paramCount);
    r.bestValid().forEach((k, v) -> m.put("valid_" + k, v));
    r.bestTest().forEach((k, v) -> m.put("test_" + k, v));
    List<Map<String, Object>> hist = new ArrayList<>();
    for (EpochRecord e : r.history()) {
      Map<String, Object> h = new LinkedHashMap<>();
      h.put("epoch", e.epoch());
      h.put("loss", e.loss());
      h.put("valid_recall@20", e.valid().get("recall@20"));
      h.put("valid_ndcg@20", e.valid().get("ndcg@20"));
      h.put("seconds", e.seconds());
      h.put("batches", e.batches());
      h.put("prepare_seconds", e.prepareSeconds());
      h.put("step_seconds", e.stepSeconds());
      hist.add(h);
    }
    m.put("history", hist);
    m.put("config", c);
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), m);
  }
}
