package dev.crane.trainer.model.crane;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.nn.Activation;
import ai.djl.training.GradientCollector;
import dev.crane.trainer.engine.Autograd;
import dev.crane.trainer.engine.Scalars;
import dev.crane.trainer.engine.ScriptedOps;
import dev.crane.trainer.engine.Tensors;
import dev.crane.trainer.graph.SparseRows;

/**
 * The paper's item graph built from the fused features (Eq. 14, §3 choice): neighbour indices are
 * the cosine top-k of E^mm's item rows, refreshed once per epoch without gradient; edge weights are
 * recomputed every step from the current E^mm with gradient, as the retained similarities
 * normalised per row (negative cosines clipped to 0, ours), so the attention and the user profiles
 * reach the loss (§8 P7). Propagation S H is a weighted sum over the k neighbours, no sparse tensor.
 *
 * <p>The cosines' gradient is written out rather than left to autograd. With u the unit rows and g the
 * loss's gradient at the cosines s_ij = u_i · u_n(i,j): ∂L/∂u_i = Σ_j g_ij u_n(i,j) + Σ_{(a,j): n(a,j)=i} g_aj u_a,
 * two weighted row sums over the neighbour lists and their reverse. Autograd's path gathers I x k x D
 * rows, multiplies them by broadcasting forward and backward and scatters them back, the costliest
 * element-wise work of a paper-mode step. So in training the cosines enter the loss as a leaf, and
 * {@link #backwardRest} sends the written-out gradient into the unit rows after the loss's backward. This
 * needs E^mm to reach the loss only through the cosines (the two backward passes share no graph) and one
 * recorded {@link #propagate} per backward pass (a second one replaces the first's pending cosines).
 */
public final class DynamicItemGraph {
  private final int k;
  private final NDManager manager;
  private NDArray neighbours; // I*k int64: item i's neighbours at i*k .. i*k+k-1
  private NDArray starts; // I int64: i*k
  private NDArray bagOf; // I*k int64: the item each entry belongs to
  private NDArray reverseItems; // I*k int64: the items a, grouped by the neighbour n(a, j) they list
  private NDArray reverseStarts; // I int64: item i's group in reverseItems
  private NDArray reverseEntries; // I*k int64: the entry a*k+j of each reverseItems entry
  private Pending pending; // the training step's cosines awaiting their gradient

  /** The unit rows (with their graph) and the cosine leaf of one training step. */
  private record Pending(NDArray unit, NDArray constantUnit, NDArray cosines) {}

  public DynamicItemGraph(int k, NDManager manager) {
    this.k = k;
    this.manager = manager;
  }

  /** Refreshes the neighbour lists from the current fused item features (no gradient). */
  public void refresh(NDArray fusedItems) {
    long n = fusedItems.getShape().get(0);
    int kk = (int) Math.min(k, n);
    long[] idx = new long[(int) (n * kk)];
    Autograd.noGrad(() -> {
      try (NDScope scope = new NDScope()) {
        NDArray unit = Scalars.unitRows(fusedItems);
        NDArray t = unit.transpose();
        for (long from = 0; from < n; from += 2048) {
          long to = Math.min(n, from + 2048);
          // each block's 2048 x I similarities freed before the next (at Electronics size 0.5 GB a block)
          try (NDScope block = new NDScope()) {
            long[] part = unit.get(from + ":" + to).matMul(t).topK(kk, 1, true, true).get(1).toLongArray();
            System.arraycopy(part, 0, idx, (int) (from * kk), part.length);
          }
        }
      }
    });
    long[] start = new long[(int) n];
    long[] owner = new long[idx.length];
    for (int q = 0; q < idx.length; q++) {
      owner[q] = q / kk;
    }
    for (int i = 0; i < n; i++) {
      start[i] = (long) i * kk;
    }
    // the reverse lists: the entries grouped by the neighbour they name
    SparseRows.Grouping reverse = SparseRows.Grouping.of(idx, (int) n);
    long[] reverseItem = new long[idx.length];
    long[] reverseEntry = new long[idx.length];
    for (int at = 0; at < idx.length; at++) {
      reverseEntry[at] = reverse.order()[at];
      reverseItem[at] = owner[reverse.order()[at]];
    }
    long[] reverseStart = reverse.starts();
    closeLists();
    neighbours = Tensors.owned(manager, idx);
    starts = Tensors.owned(manager, start);
    bagOf = Tensors.owned(manager, owner);
    reverseItems = Tensors.owned(manager, reverseItem);
    reverseStarts = Tensors.owned(manager, reverseStart);
    reverseEntries = Tensors.owned(manager, reverseEntry);
    // they live until the next refresh, not until the caller's scope ends
    NDScope.unregister(neighbours, starts, bagOf, reverseItems, reverseStarts, reverseEntries);
  }

  /**
   * H = S h with S's weights from {@code fusedItems}. In a recorded (training) pass the caller runs
   * {@link #backwardRest} after the loss's backward pass, or {@code fusedItems} gets no gradient.
   */
  public NDArray propagate(NDArray fusedItems, NDArray h) {
    if (neighbours == null) {
      refresh(fusedItems);
    }
    pending = null;
    long n = h.getShape().get(0);
    long kk = neighbours.getShape().get(0) / n;
    NDArray unit = Scalars.unitRows(fusedItems);
    NDArray constant = unit.stopGradient();
    NDArray cosines = ScriptedOps.rowDots(constant, constant, neighbours, starts, bagOf);
    if (Autograd.recording()) {
      cosines.setRequiresGradient(true);
      pending = new Pending(unit, constant, cosines);
    }
    NDArray w = Activation.relu(cosines.reshape(n, kk));
    w = w.div(Scalars.add(w.sum(new int[] {1}, true), 1e-8f));
    // Σ_j w_ij h_j as one fused gather-and-weighted-sum per item (torch.embedding_bag): no I x k x d
    // temporaries forward, and backward a scatter-add into h plus one dot product per weight
    return ScriptedOps.bagSum(h, neighbours, starts, w.reshape(n * kk));
  }

  /**
   * The second backward pass of a training step: the cosines' gradient (left by the loss's backward) into the
   * unit rows, and from there through everything that made E^mm. A no-op after an evaluation-only propagate.
   */
  public void backwardRest(GradientCollector collector) {
    Pending p = pending;
    pending = null;
    if (p == null) {
      return;
    }
    NDArray g = p.cosines().getGradient();
    NDArray own = ScriptedOps.bagSum(p.constantUnit(), neighbours, starts, g);
    NDArray listed = ScriptedOps.bagSum(p.constantUnit(), reverseItems, reverseStarts, g.get(reverseEntries));
    collector.backward(p.unit().mul(own.add(listed)).sum());
  }

  /** The current neighbour indices, I x k row-major (for tests). */
  public long[] neighbourIndices() {
    return neighbours.toLongArray();
  }

  private void closeLists() {
    for (NDArray a : new NDArray[] {neighbours, starts, bagOf, reverseItems, reverseStarts, reverseEntries}) {
      if (a != null) {
        a.close();
      }
    }
  }
}
