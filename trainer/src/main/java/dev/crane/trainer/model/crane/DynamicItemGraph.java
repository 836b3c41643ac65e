package dev.crane.trainer.model.crane;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.nn.Activation;
import dev.crane.trainer.engine.Autograd;
import dev.crane.trainer.engine.Scalars;
import dev.crane.trainer.engine.ScriptedOps;
import dev.crane.trainer.engine.Tape;
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
 * element-wise work of a paper-mode step. So in training the cosines enter the loss as a leaf, and a tape entry
 * (engine.Tape) sends the written-out gradient into the unit rows after the loss's backward. The weighted sum's
 * gradient is written out the same way (embedding_bag's own backward sorts its indices every step). This needs
 * E^mm to reach the loss only through the cosines: the cosines' pass runs through E^mm's graph, which no other
 * pass may have run through before.
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
   * H = S h with S's weights from {@code fusedItems}. In a recorded (training) pass the gradients are written out
   * on {@code tape}, which the caller runs after the loss's backward pass, or neither {@code fusedItems} nor
   * {@code h} gets one. Two entries: the weighted sum's (into h, and into the weights and on to the cosines), then
   * the cosines' (into the unit rows and on through everything that made E^mm). h may be a leaf or a row slice of
   * one, not the result of an operator that keeps tensors (Tape.send).
   */
  public NDArray propagate(NDArray fusedItems, NDArray h, Tape tape) {
    if (neighbours == null) {
      refresh(fusedItems);
    }
    long n = h.getShape().get(0);
    long kk = neighbours.getShape().get(0) / n;
    NDArray unit = Scalars.unitRows(fusedItems);
    NDArray constant = unit.stopGradient();
    NDArray cosines = ScriptedOps.rowDots(constant, constant, neighbours, starts, bagOf);
    boolean recorded = Autograd.recording();
    if (recorded) {
      cosines.setRequiresGradient(true);
      tape.add(() -> {
        NDArray g = cosines.getGradient();
        NDArray own = ScriptedOps.bagSum(constant, neighbours, starts, g);
        NDArray listed = ScriptedOps.bagSum(constant, reverseItems, reverseStarts, g.get(reverseEntries));
        Tape.send(unit, own.add(listed));
      });
    }
    NDArray w = Activation.relu(cosines.reshape(n, kk));
    NDArray weights = w.div(Scalars.add(w.sum(new int[] {1}, true), 1e-8f)).reshape(n * kk);
    // Σ_j w_ij h_j as one fused gather-and-weighted-sum per item (torch.embedding_bag): no I x k x d temporaries
    if (!recorded) {
      return ScriptedOps.bagSum(h, neighbours, starts, weights);
    }
    // its gradient written out: ∂L/∂h_j = Σ_{n(i,e)=j} w_ie g_i, a bag over the reverse lists (embedding_bag's own
    // backward sorts the I·k indices every step), and ∂L/∂w_ie = g_i · h_n(i,e), one dot product per entry
    NDArray constantH = h.stopGradient();
    NDArray constantWeights = weights.stopGradient();
    NDArray out = ScriptedOps.bagSum(constantH, neighbours, starts, constantWeights);
    out.setRequiresGradient(true);
    tape.add(() -> {
      NDArray g = out.getGradient();
      Tape.send(h, ScriptedOps.bagSum(g, reverseItems, reverseStarts, constantWeights.get(reverseEntries)));
      Tape.send(weights, ScriptedOps.rowDots(g, constantH, neighbours, starts, bagOf));
    });
    return out;
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
