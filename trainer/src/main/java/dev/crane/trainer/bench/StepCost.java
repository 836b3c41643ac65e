package dev.crane.trainer.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The analytic cost of one CRANE paper-mode training step, per component, from the shapes the code uses
 * (CranePaper, UserModalityProfiles, RecursiveCrossModalAttention, DynamicItemGraph, UserItemGcn, InfoNce,
 * BprLoss, EmbeddingL2, Adam). Counting rules (StepBreakdownBenchmark's javadoc says them in full):
 * a product of an m x k by a k x n matrix is 2mkn FLOPs, a sparse x dense product 2 nnz w; an element-wise
 * operator or reduction costs its listed FLOPs per element and moves 4 bytes per element read or written;
 * backward repeats each differentiable operator once per operand that needs a gradient (a dense product of
 * two trainable operands 2x, one with a constant operand 1x, element-wise operators 2x, gathers 1x).
 * Operators on d x d or smaller tensors are left out, dense products of any size are not.
 */
final class StepCost {
  /**
   * A dense product C = A B of an m x k by a k x n matrix; {@code grads} of its operands need a gradient (with 1,
   * the right one's: the left is a constant, as the raw features are); {@code operands} says which operand the
   * code passes as a transposed view, which changes the products autograd issues for it.
   */
  record Gemm(long m, long k, long n, int grads, Operands operands) {
    Gemm(long m, long k, long n, int grads) {
      this(m, k, n, grads, Operands.CONTIGUOUS);
    }

    double flops() {
      return 2.0 * m * k * n;
    }

    String shape() {
      return m + "x" + k + "x" + n + operands.suffix;
    }

    /** The gradient products autograd issues for it, each with the forward's FLOPs. */
    List<Form> backwardForms() {
      return grads == 2 ? List.of(Form.LEFT_GRADIENT, Form.RIGHT_GRADIENT) : List.of(Form.RIGHT_GRADIENT);
    }
  }

  /** Which operand of a product the code passes as a transposed view of a contiguous matrix. */
  enum Operands {
    CONTIGUOUS(""), LEFT_TRANSPOSED("_ta"), RIGHT_TRANSPOSED("_tb");

    final String suffix;

    Operands(String suffix) {
      this.suffix = suffix;
    }
  }

  /**
   * Which of a product's three matrix products: C = A B; dA, which autograd issues as dC Bᵀ (m x n x k), or as
   * (B dCᵀ)ᵀ when A is a transposed view (k x n x m); dB, issued as Aᵀ dC (k x m x n, summing over the m rows),
   * or as (dCᵀ A)ᵀ when B is a transposed view (n x m x k). PyTorch keeps a transposed operand's gradient in its
   * layout (mm_mat1_backward, mm_mat2_backward).
   */
  enum Form {
    FORWARD, LEFT_GRADIENT, RIGHT_GRADIENT
  }

  /** One component's forward and backward cost. */
  static final class Part {
    final List<Gemm> gemms = new ArrayList<>();
    double otherFlops; // sparse products and element-wise operators
    double bytes; // their memory traffic
    double backwardOtherFlops;
    double backwardBytes;

    void gemm(long m, long k, long n, int grads) {
      gemms.add(new Gemm(m, k, n, grads));
    }

    void gemm(long m, long k, long n, int grads, Operands operands) {
      gemms.add(new Gemm(m, k, n, grads, operands));
    }

    /**
     * Sparse x dense (w columns) into {@code rowsOut} rows, stored by rows: per non-zero an int64 column, a
     * float value and the dense row it reads; per output row an int64 start and the row written. Backward
     * is the scatter-add into the dense side (and, for {@link #weightedRows}, one dot product per value).
     */
    void sparse(double nnz, long w, double rowsOut) {
      op(2 * nnz * w, 4 * (nnz * (w + 3) + rowsOut * (w + 2)), 1);
    }

    /**
     * Weighted sums of gathered rows whose weights also get a gradient (the item graph's Σ_j w_ij h_j), or the
     * same traffic the other way round: one dot product per entry, backward two weighted sums (its cosines).
     */
    void weightedRows(double entries, long w, double rowsOut) {
      op(2 * entries * w, 4 * (entries * (w + 3) + rowsOut * (w + 2)), 2);
    }

    /** Rows gathered from a table (read and written once); backward is the matching scatter-add. */
    void gather(double rows, long w) {
      op(0, 4 * (2 * rows * w + rows * 2), 1);
    }

    /** An element-wise operator or reduction over {@code elems} elements. */
    void elementwise(double elems, int reads, int writes, double flopsPerElem, double backwardFactor) {
      op(elems * flopsPerElem, 4 * elems * (reads + writes), backwardFactor);
    }

    private void op(double flops, double b, double backwardFactor) {
      otherFlops += flops;
      bytes += b;
      backwardOtherFlops += backwardFactor * flops;
      backwardBytes += backwardFactor * b;
    }

    double gemmFlops() {
      return gemms.stream().mapToDouble(Gemm::flops).sum();
    }

    double backwardGemmFlops() {
      return gemms.stream().mapToDouble(g -> g.flops() * g.grads()).sum();
    }

    double flops() {
      return gemmFlops() + otherFlops;
    }

    double backwardFlops() {
      return backwardGemmFlops() + backwardOtherFlops;
    }
  }

  /** What the cost depends on beyond the data's fixed sizes: the step's batch. */
  record BatchShape(double rows, double distinctUsers, double distinctPositives, double userEdges) {}

  /** The dataset and model sizes. */
  record Sizes(long users, long items, long[] featureDims, int dim, int rounds, int layers, int k, long edges,
      long adjacencyNnz, boolean contrastive, boolean l2, long parameters) {
    long n() {
      return users + items;
    }
  }

  private StepCost() {}

  /** Forward parts in step order, then adam (backward is derived from the forward parts). */
  static Map<String, Part> of(Sizes s, BatchShape b) {
    Map<String, Part> out = new LinkedHashMap<>();
    long u = s.users();
    long i = s.items();
    long n = s.n();
    int d = s.dim();
    int mods = s.featureDims().length;
    long md = (long) mods * d;

    Part gcn = part(out, "gcn");
    gcn.elementwise(n * d, 1, 1, 0, 1); // [E_U; E_I]
    for (int l = 0; l < s.layers(); l++) {
      gcn.sparse(s.adjacencyNnz(), d, n);
    }
    if (s.layers() > 0) {
      gcn.elementwise((double) n * d * s.layers(), 2, 1, 1, 2); // the layer sum
      gcn.elementwise(n * d, 1, 1, 1, 2); // / (L + 1)
    }

    Part proj = part(out, "feature_projection");
    for (long dm : s.featureDims()) {
      proj.gemm(i, dm, d, 1, Operands.RIGHT_TRANSPOSED); // F_m A_mᵀ; F_m is a constant: only A_m gets a gradient
      proj.elementwise(i * d, 1, 1, 1, 2); // bias
    }

    Part profiles = part(out, "user_profiles");
    if (mods > 1) {
      profiles.elementwise(i * md, 1, 1, 0, 1); // side-by-side projections
    }
    profiles.sparse(s.edges(), md, u); // R (F A^T + a), Eq. 5
    profiles.elementwise(n * md, 1, 1, 0, 1); // [users; items] per modality

    for (int r = 0; r < s.rounds(); r++) {
      Part p = part(out, "rca_round" + r);
      long rows = r == s.rounds() - 1 ? i : n; // the last round updates the item rows only
      if (mods > 1) {
        p.elementwise(n * md, 1, 1, 0, 1); // J
      }
      p.gemm(n, md, md, 2);
      p.elementwise(n * md, 1, 1, 2, 2); // + b_J, ReLU
      for (int m = 0; m < mods; m++) {
        p.gemm(n, md, d, 2); // Ĵ_m
        p.elementwise(2 * n * d, 1, 0, 2, 2); // two row norms
        p.elementwise(4 * n, 1, 1, 1, 2); // clamp, reciprocal (twice), their product
        p.elementwise(n * d, 1, 1, 1, 2); // Ĵ_m / (|x||ĵ|)
        p.gemm(d, n, d, 2, Operands.LEFT_TRANSPOSED); // X_m^T Ĵ'
        p.gemm(d, d, d, 2); // C_m W^c
        p.gemm(rows, d, d, 2); // X_m K
        p.elementwise(rows * d, 1, 1, 1, 2); // ReLU
        p.gemm(rows, d, d, 2); // H W^h
        p.elementwise(rows * d, 2, 1, 1, 2); // residual
      }
      if (r == s.rounds() - 1 && mods > 1) {
        p.elementwise(i * md, 1, 1, 0, 1); // E^mm
      }
    }

    Part graph = part(out, "item_graph");
    long k = Math.min(s.k(), i);
    graph.elementwise(i * md, 1, 0, 2, 2); // row norms of E^mm
    graph.elementwise(i * md, 1, 1, 1, 2); // unit rows
    // the cosines, one dot product per neighbour entry; their gradient written out as two weighted row sums
    graph.weightedRows((double) i * k, md, i);
    graph.elementwise((double) i * k, 2, 1, 1, 2); // ReLU, row sums, + 1e-8, division
    graph.elementwise((double) i * k, 2, 1, 1, 2);
    graph.weightedRows((double) i * k, d, i); // Σ_j w_ij Ē_j, gathered, weighted and summed in one operator

    // Eq. 16 over the batch's distinct users, and their collaborative rows
    profiles.sparse(b.userEdges(), d, b.distinctUsers());
    profiles.gather(b.distinctUsers(), d);

    Part bpr = part(out, "bpr");
    bpr.elementwise(i * d, 2, 1, 1, 2); // Ē_i + e^sem_i
    bpr.elementwise(b.distinctUsers() * d, 2, 1, 1, 2); // Ē_u + e^sem_u
    bpr.gather(b.rows(), d); // u, p, n rows
    bpr.gather(b.rows(), d);
    bpr.gather(b.rows(), d);
    bpr.elementwise(2 * b.rows() * d, 2, 0, 2, 2); // two row-wise inner products
    bpr.elementwise(b.rows(), 2, 1, 3, 2); // difference, softplus, mean
    if (s.l2()) {
      bpr.elementwise(3 * b.rows() * d, 1, 0, 2, 2); // squared norms
    }

    if (s.contrastive()) {
      Part nce = part(out, "infonce");
      nce.gather(b.distinctPositives(), d);
      nce.gather(b.distinctPositives(), d);
      for (double rows : new double[] {b.distinctUsers(), b.distinctPositives()}) {
        long r = Math.round(rows);
        nce.elementwise(2.0 * r * d, 1, 1, 3, 2); // unit rows of both views
        nce.gemm(r, d, r, 2, Operands.RIGHT_TRANSPOSED); // cosines a bᵀ
        double sq = (double) r * r;
        nce.elementwise(sq, 1, 1, 1, 2); // / τ
        nce.elementwise(sq, 2, 1, 4, 2); // log-softmax
        nce.elementwise(sq, 0, 1, 0, 0); // the identity mask
        nce.elementwise(sq, 2, 1, 1, 2); // masked
        nce.elementwise(sq, 1, 0, 1, 2); // row sums
      }
    }

    // Adam as Adam.step issues it, per parameter element: 13 operators, 17 reads and 14 writes (zeroing included)
    Part adam = part(out, "adam");
    adam.op(13.0 * s.parameters(), 4.0 * 31 * s.parameters(), 0);
    return out;
  }

  private static Part part(Map<String, Part> out, String name) {
    return out.computeIfAbsent(name, x -> new Part());
  }
}
