package dev.crane.trainer.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import dev.crane.trainer.config.TrainConfig;
import dev.crane.trainer.data.PlantedData;
import dev.crane.trainer.data.TrainingData;
import dev.crane.trainer.model.core.Batch;
import dev.crane.trainer.train.TrainResult;
import dev.crane.trainer.train.Trainer;
import dev.crane.trainer.train.TrainingListener;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FreedomTest {
  static final TrainingData DATA = TrainingData.from(PlantedData.generate(300, 200, 5, 12, new int[] {16, 8}, 11));

  static TrainResult train(float regWeight) {
    TrainConfig c = TrainConfig.builder("freedom")
        .epochs(20).patience(5).batchSize(256).learningRate(0.01f).embeddingDim(16).regWeight(regWeight).build();
    try (NDManager m = NDManager.newBaseManager()) {
      SplittableRandom rng = new SplittableRandom(c.seed());
      Freedom model = new Freedom(DATA, c, m, rng);
      return new Trainer(DATA, c, TrainingListener.NONE).fit(model, rng);
    }
  }

  @Test
  void learnsThePlantedStructureWithAndWithoutModalityTerms() {
    // random ~0.105; most-popular on this data is below 0.45 (see EndToEndTest)
    assertThat(train(0f).bestTest().get("recall@20")).isGreaterThan(0.5);
    assertThat(train(1e-3f).bestTest().get("recall@20")).isGreaterThan(0.5);
  }

  @Test
  void prunedGraphIsResampledEachEpochAndOnlyTheModalityTermsTouchFeatures() {
    TrainConfig c = TrainConfig.builder("freedom").embeddingDim(8).build();
    try (NDManager m = NDManager.newBaseManager()) {
      SplittableRandom rng = new SplittableRandom(5);
      Freedom model = new Freedom(DATA, c, m, rng);
      Batch b = new Batch(m.create(new long[] {0, 1}), m.create(new long[] {0, 5}), m.create(new long[] {7, 9}), 2,
          new long[] {0, 1}, new long[] {0, 5});
      model.beforeEpoch(rng);
      float l1 = model.loss(b).getFloat();
      model.beforeEpoch(rng);
      float l2 = model.loss(b).getFloat();
      assertThat(l1).isNotEqualTo(l2); // a different pruned graph gives a different forward pass
    }
  }
}
