package dev.crane.trainer.graph;

import dev.crane.trainer.data.TrainingData;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * The user-item graph of FREEDOM and both CRANE modes: the full normalised Â for evaluation
 * (§2.2a) and, when ρ > 0, a degree-pruned Â' resampled once per epoch for training (§2.3), each in
 * the form the model multiplies with (a COO NDArray, or {@link SparseRows}).
 */
public final class PrunedAdjacency<T extends AutoCloseable> implements AutoCloseable {
  private final TrainingData data;
  private final Function<SparseMatrix, T> form;
  private final T full;
  private final EdgePruner pruner;
  private T pruned;

  /**
   * @param dropRatio ρ; 0 trains on the full graph
   * @param form turns a graph into the tensors the model uses, e.g. {@code m -> m.toNDArray(manager)}
   */
  public PrunedAdjacency(TrainingData data, double dropRatio, Function<SparseMatrix, T> form) {
    this.data = data;
    this.form = form;
    this.full = form.apply(NormalizedAdjacency.of(data.numUsers(), data.numItems(), data.edgeUsers(), data.edgeItems()));
    this.pruner = dropRatio > 0 ? new EdgePruner(NormalizedAdjacency.edgeWeights(
        data.userDegree(), data.itemDegree(), data.edgeUsers(), data.edgeItems()), dropRatio) : null;
  }

  /** Draws this epoch's Â' (degrees recomputed on the kept edges); no-op without pruning. */
  public void resample(SplittableRandom rng) {
    closePruned();
    if (pruner == null) {
      return;
    }
    int[] kept = pruner.sample(rng);
    int[] eu = new int[kept.length];
    int[] ei = new int[kept.length];
    for (int k = 0; k < kept.length; k++) {
      eu[k] = data.edgeUsers()[kept[k]];
      ei[k] = data.edgeItems()[kept[k]];
    }
    pruned = form.apply(NormalizedAdjacency.of(data.numUsers(), data.numItems(), eu, ei));
  }

  /** Â' of the current epoch, or Â when pruning is off or no epoch has started. */
  public T training() {
    return pruned != null ? pruned : full;
  }

  /** Â, for evaluation (§2.6). */
  public T full() {
    return full;
  }

  private void closePruned() {
    if (pruned != null) {
      try {
        pruned.close();
      } catch (Exception e) {
        throw new IllegalStateException("closing the pruned graph", e);
      }
      pruned = null;
    }
  }

  @Override
  public void close() {
    closePruned();
  }
}
