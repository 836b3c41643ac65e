package dev.crane.trainer.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.crane.ingest.dataset.MmrecDataset;
import dev.crane.schemas.Split;
import dev.crane.trainer.config.AttentionAxis;
import dev.crane.trainer.config.TrainConfig;
import dev.crane.trainer.data.PlantedData;
import dev.crane.trainer.data.TrainingData;
import dev.crane.trainer.eval.Evaluator;
import dev.crane.trainer.model.ModelFactory;
import dev.crane.trainer.model.core.FinalEmbeddings;
import dev.crane.trainer.model.core.Recommender;
import dev.crane.trainer.run.TrainingRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointAndGuardTest {
  static final MmrecDataset DS = PlantedData.generate(120, 80, 4, 8, new int[] {4}, 3);

  @Test
  void runWritesOutputsAndTheCheckpointReproducesTheBestValidMetrics(@TempDir Path dir) throws Exception {
    TrainConfig c = TrainConfig.builder("lightgcn")
        .epochs(4).batchSize(128).learningRate(0.01f).embeddingDim(8).build();
    TrainingRun.Report rep = TrainingRun.run(DS, c, dir, "test", TrainingListener.NONE);
    assertThat(Files.size(rep.curvesPng())).isGreaterThan(1000);
    Map<?, ?> metrics = new ObjectMapper().readValue(rep.metricsJson().toFile(), Map.class);
    assertThat(metrics.get("test_recall@20")).isEqualTo(rep.result().bestTest().get("recall@20"));
    assertThat(metrics.get("best_epoch")).isEqualTo(rep.result().bestEpoch());

    Checkpoint ck = Checkpoint.load(rep.checkpointDir());
    assertThat(ck.meta().formatVersion).isEqualTo(Checkpoint.FORMAT_VERSION);
    assertThat(ck.meta().userIds).hasSize(120);
    assertThat(ck.meta().config.embeddingDim()).isEqualTo(8);
    TrainingData data = TrainingData.from(DS);
    try (NDManager m = NDManager.newBaseManager()) {
      Recommender fresh = ModelFactory.create(ck.meta().config, data, m, new SplittableRandom(123));
      ck.applyTo(fresh);
      FinalEmbeddings f = fresh.embed();
      Map<String, Double> valid = new Evaluator(data, 4096).evaluate(f.users(), f.items(), Split.VALID);
      assertThat(valid).isEqualTo(rep.result().bestValid());
    }
  }

  @Test
  void rejectsBadConfigurationBeforeTraining() {
    // refused when built, before any run can see it
    assertThatThrownBy(() -> TrainConfig.builder("lightgcn").dropRatio(1.5f).build())
        .hasMessageContaining("dropRatio").hasMessageContaining("1.5").hasMessageContaining("[0, 1)");
    assertThatThrownBy(() -> TrainConfig.forModel("gru4rec")).hasMessageContaining("unknown model 'gru4rec'");
  }

  @Test
  void memoryGuardRefusesItemsAxisAttentionOnALargeCatalogWithTheEstimate() {
    TrainConfig c = TrainConfig.builder("crane-ref").memoryBudgetBytes(16L << 30).build();
    // a Sports-sized catalog: 4 I^2 float32 copies per modality alone exceed 16 GiB
    TrainingData big = TrainingData.from(PlantedData.generate(50, 20_000, 4, 6, new int[] {2, 2}, 1));
    assertThatThrownBy(() -> MemoryGuard.check(c, big))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("needs an estimated").hasMessageContaining("GB")
        .hasMessageContaining("items-axis attention takes").hasMessageContaining("--attention-axis modalities");
    // §7.1: 8 I^2 floats per copy (4 heads x 2 modalities), 4 copies
    assertThat(MemoryGuard.itemsAxisAttentionBytes(c, big)).isEqualTo(4L * 4 * 8 * 20_000L * 20_000L);
    TrainConfig modalities = c.toBuilder().attentionAxis(AttentionAxis.MODALITIES).build();
    MemoryGuard.check(modalities, big);
    assertThat(MemoryGuard.itemsAxisAttentionBytes(modalities, big)).isZero();
  }
}
