package dev.crane.trainer.model.core;

import java.util.SplittableRandom;

/** A trainable recommender on the shared data path. */
public interface Recommender {
  String name();

  Parameters parameters();

  /** Per-epoch preprocessing, e.g. edge pruning (§2.3) or kNN index refresh; arrays it creates live until the next call. */
  default void beforeEpoch(SplittableRandom rng) {}

  /**
   * Brings what is derived from the parameters outside the gradient (CRANE's item-graph neighbours)
   * up to date with the current parameters, so that an evaluation scores exactly the model that a
   * checkpoint of these parameters reproduces.
   */
  default void beforeEvaluation() {}

  /** The training loss of one batch; called inside a gradient collector, then its backward, then {@link #afterBackward}. */
  ai.djl.ndarray.NDArray loss(Batch batch);

  /**
   * Gradients the model writes out itself, run after the loss's backward pass inside {@code collector}'s section
   * (CRANE paper mode's tape: the bag products and the item graph's cosines); nothing by default.
   */
  default void afterBackward(ai.djl.training.GradientCollector collector) {}

  /** The final user and item vectors, computed once per evaluation under no-grad (§2.6). */
  FinalEmbeddings embed();

  /** The final vectors in their published parts; call under no-grad. */
  default EmbeddingParts parts() {
    return EmbeddingParts.collaborativeOnly(embed());
  }

  /**
   * One map per modality of {@code features} into the model's content space: the model's own
   * projection where it has one, else {@link ContentMap#random}.
   */
  default java.util.List<ContentMap> contentMaps(java.util.List<dev.crane.ingest.dataset.FeatureMatrix> features) {
    return features.stream().map(ContentMap::random).toList();
  }
}
