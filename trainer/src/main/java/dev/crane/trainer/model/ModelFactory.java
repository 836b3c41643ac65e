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
    return switch (c.model) {
      case "bpr" -> new BprMf(data, c.embeddingDim, c.regWeight, manager, rng);
      case "lightgcn" -> new LightGcn(data, c.embeddingDim, c.uiLayers, c.regWeight, manager, rng);
      case "freedom" -> new Freedom(data, c, manager, rng);
      case "crane" -> new CranePaper(data, c, manager, rng);
      case "crane-ref" -> new CraneReference(data, c, manager, rng);
      default -> throw new IllegalArgumentException("model '" + c.model + "' is not implemented yet");
    };
  }

  /** Whether the model named needs item features (FREEDOM and both CRANE modes). */
  public static boolean requiresFeatures(String model) {
    return model.equals("freedom") || model.startsWith("crane");
  }
}
