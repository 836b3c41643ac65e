package dev.crane.trainer.model;

import ai.djl.ndarray.NDManager;
import dev.crane.trainer.config.TrainConfig;
import dev.crane.trainer.data.TrainingData;
import dev.crane.trainer.model.core.Recommender;
import java.util.SplittableRandom;

/** Builds the model a configuration names. */
public final class ModelFactory {
  private ModelFactory() {}

  public static Recommender create(TrainConfig c, TrainingData data, NDManager manager, SplittableRandom rng) {
    return switch (c.model()) {
      case BPR -> new BprMf(data, c.embeddingDim(), c.regWeight(), manager, rng);
      case LIGHTGCN -> new LightGcn(data, c.embeddingDim(), c.uiLayers(), c.regWeight(), manager, rng);
      case FREEDOM -> new Freedom(data, c, manager, rng);
      case CRANE -> new CranePaper(data, c, manager, rng);
      case CRANE_REF -> new CraneReference(data, c, manager, rng);
    };
  }
}
