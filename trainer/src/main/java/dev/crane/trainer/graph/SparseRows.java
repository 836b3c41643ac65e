package dev.crane.trainer.graph;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.crane.trainer.engine.Autograd;
import dev.crane.trainer.engine.ScriptedOps;
import dev.crane.trainer.engine.Tape;
import dev.crane.trainer.engine.Tensors;

/**
 * A constant sparse matrix stored by rows (column indices and values in row order, each row's start),
 * multiplied with dense matrices as one fused gather-and-sum per row (torch.embedding_bag), forward and
 * backward. libtorch's COO x dense product on the CPU walks the non-zeros one at a time on one thread,
 * and its backward multiplies by a transposed copy; this is the path CRANE paper mode's sparse products
 * (Eq. 3-5, 15-16) take.
 */
public final class SparseRows implements AutoCloseable {
  private final long rows;
  private final long cols;
  private final NDArray columns;
  private final NDArray starts;
  private final NDArray values;
  private final SparseRows transposed; // null unless built withTranspose

  private SparseRows(long rows, long cols, NDArray columns, NDArray starts, NDArray values, SparseRows transposed) {
    this.rows = rows;
    this.cols = cols;
    this.columns = columns;
    this.starts = starts;
    this.values = values;
    this.transposed = transposed;
  }

  /** The matrix's non-zeros grouped by row, each row's in their given order; owned by {@code manager}. */
  public static SparseRows of(SparseMatrix m, NDManager manager) {
    return of(m, false, manager);
  }

  /** As {@link #of(SparseMatrix, NDManager)}, with the transpose that {@link #times(NDArray, Tape)} needs. */
  public static SparseRows withTranspose(SparseMatrix m, NDManager manager) {
    return of(m, true, manager);
  }

  private static SparseRows of(SparseMatrix m, boolean transpose, NDManager manager) {
    Grouping g = Grouping.of(m.rowIdx(), m.rows());
    long[] col = new long[m.nnz()];
    float[] val = new float[m.nnz()];
    for (int at = 0; at < col.length; at++) {
      col[at] = m.colIdx()[g.order()[at]];
      val[at] = m.values()[g.order()[at]];
    }
    return of(m.rows(), m.cols(), col, g.starts(), val, transpose, manager);
  }

  /**
   * Entries grouped by their row, a counting sort that keeps each row's entries in their given order:
   * {@code order[at]} is the entry at position {@code at}, {@code starts[r]} the position of row r's first.
   */
  public record Grouping(long[] starts, int[] order) {
    public static Grouping of(long[] rowOf, int rows) {
      long[] starts = new long[rows];
      for (long r : rowOf) {
        if (r + 1 < rows) {
          starts[(int) r + 1]++;
        }
      }
      for (int r = 1; r < rows; r++) {
        starts[r] += starts[r - 1];
      }
      long[] next = starts.clone();
      int[] order = new int[rowOf.length];
      for (int k = 0; k < rowOf.length; k++) {
        order[(int) next[(int) rowOf[k]]++] = k;
      }
      return new Grouping(starts, order);
    }
  }

  /** From row-grouped arrays: {@code start[r]} is row r's first entry in {@code col} and {@code val}. */
  public static SparseRows of(int rows, int cols, long[] col, long[] start, float[] val, NDManager manager) {
    return of(rows, cols, col, start, val, false, manager);
  }

  /** As {@link #of(int, int, long[], long[], float[], NDManager)}, with the transpose. */
  public static SparseRows withTranspose(int rows, int cols, long[] col, long[] start, float[] val,
      NDManager manager) {
    return of(rows, cols, col, start, val, true, manager);
  }

  private static SparseRows of(int rows, int cols, long[] col, long[] start, float[] val, boolean transpose,
      NDManager manager) {
    if (start.length != rows || col.length != val.length) {
      throw new IllegalArgumentException("row starts or entries differ in length");
    }
    for (int r = 0; r < rows; r++) {
      if (start[r] < (r == 0 ? 0 : start[r - 1]) || start[r] > col.length || (r == 0 && start[r] != 0)) {
        throw new IllegalArgumentException("row " + r + " starts at " + start[r] + ": starts must rise from 0 to at most "
            + col.length);
      }
    }
    for (long c : col) {
      if (c < 0 || c >= cols) {
        throw new IllegalArgumentException("column " + c + " outside a matrix of " + cols + " columns");
      }
    }
    return build(rows, cols, col, start, val, transpose ? transpose(rows, cols, col, start, val, manager) : null,
        manager);
  }

  private static SparseRows build(int rows, int cols, long[] col, long[] start, float[] val, SparseRows transposed,
      NDManager manager) {
    NDArray c = Tensors.owned(manager, col);
    NDArray s = Tensors.owned(manager, start);
    NDArray v = Tensors.owned(manager, val, new Shape(val.length));
    return new SparseRows(rows, cols, c, s, v, transposed);
  }

  /** The transpose, grouped by rows: the entries regrouped by their column (a counting sort). */
  private static SparseRows transpose(int rows, int cols, long[] col, long[] start, float[] val, NDManager manager) {
    long[] rowOf = new long[col.length];
    for (int r = 0; r < rows; r++) {
      long end = r + 1 < rows ? start[r + 1] : col.length;
      for (long at = start[r]; at < end; at++) {
        rowOf[(int) at] = r;
      }
    }
    Grouping g = Grouping.of(col, cols);
    long[] tCol = new long[col.length];
    float[] tVal = new float[col.length];
    for (int at = 0; at < col.length; at++) {
      tCol[at] = rowOf[g.order()[at]];
      tVal[at] = val[g.order()[at]];
    }
    return build(cols, rows, tCol, g.starts(), tVal, null, manager);
  }

  /** This x dense (rows x dense's width); the gradient flows into {@code dense}. */
  public NDArray times(NDArray dense) {
    if (dense.getShape().dimension() != 2 || dense.getShape().get(0) != cols) {
      throw new IllegalArgumentException("a " + rows + " x " + cols + " sparse matrix times " + dense.getShape());
    }
    return ScriptedOps.bagSum(dense, columns, starts, values);
  }

  /**
   * This x dense with the gradient written out: in a recorded pass the product is a leaf and {@code tape}'s entry
   * sends Thisᵀ dy into {@code dense}, a forward bag over the transpose (embedding_bag's own backward sorts the
   * indices on every call, 4-10x the forward's time at this project's sizes). Unrecorded, or without a tape, it is
   * {@link #times(NDArray)}.
   */
  public NDArray times(NDArray dense, Tape tape) {
    if (tape == null || !Autograd.recording()) {
      return times(dense);
    }
    SparseRows t = transposed();
    NDArray y = times(dense.stopGradient());
    y.setRequiresGradient(true);
    tape.add(() -> Tape.send(dense, t.times(y.getGradient())));
    return y;
  }

  /** The transpose, which a written-out gradient needs; refused when the matrix was not built withTranspose. */
  public SparseRows transposed() {
    if (transposed == null) {
      throw new IllegalStateException("a written-out gradient needs the transpose: build the matrix withTranspose");
    }
    return transposed;
  }

  public long rows() {
    return rows;
  }

  @Override
  public void close() {
    columns.close();
    starts.close();
    values.close();
    if (transposed != null) {
      transposed.close();
    }
  }
}
