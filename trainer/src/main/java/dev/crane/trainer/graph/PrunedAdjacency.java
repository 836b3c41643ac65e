package dev.crane.trainer.graph;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.crane.trainer.data.TrainingData;
import java.util.SplittableRandom;

/**
 * The user-item graph of FREEDOM and both CRANE modes: the full normalised Â for evaluation
 * (§2.2a) and, when ρ > 0, a degree-pruned Â' resampled once per epoch for training (§2.3).
 */
public final class PrunedAdjacency implements AutoCloseable {
  private final TrainingData data;
  private final NDManager manager;
  private final NDArray full;
  private final EdgePruner pruner;
  private NDArray pruned;
  private final SparseRows fullRows;
  private SparseRows prunedRows;

  /** @param dropRatio ρ; 0 trains on the full graph */
  public PrunedAdjacency(TrainingData data, double dropRatio, NDManager manager) {
    this.data = data;
    this.manager = manager;
    SparseMatrix all = NormalizedAdjacency.of(data.numUsers(), data.numItems(), data.edgeUsers(), data.edgeItems());
    this.full = all.toNDArray(manager);
    this.fullRows = SparseRows.of(all, manager);
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
    SparseMatrix graph = NormalizedAdjacency.of(data.numUsers(), data.numItems(), eu, ei);
    pruned = graph.toNDArray(manager);
    prunedRows = SparseRows.of(graph, manager);
  }

  /** Â' of the current epoch, or Â when pruning is off or no epoch has started. */
  public NDArray training() {
    return pruned != null ? pruned : full;
  }

  /** Â, for evaluation (§2.6). */
  public NDArray full() {
    return full;
  }

  /** {@link #training()} by rows, for products through {@link SparseRows#times}. */
  public SparseRows trainingRows() {
    return prunedRows != null ? prunedRows : fullRows;
  }

  /** {@link #full()} by rows. */
  public SparseRows fullRows() {
    return fullRows;
  }

  private void closePruned() {
    if (pruned != null) {
      pruned.close();
      pruned = null;
      prunedRows.close();
      prunedRows = null;
    }
  }

  @Override
  public void close() {
    closePruned();
  }
}
