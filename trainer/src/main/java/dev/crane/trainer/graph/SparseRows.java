package dev.crane.trainer.graph;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.crane.trainer.engine.ScriptedOps;
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

  private SparseRows(long rows, long cols, NDArray columns, NDArray starts, NDArray values) {
    this.rows = rows;
    this.cols = cols;
    this.columns = columns;
    this.starts = starts;
    this.values = values;
  }

  /** The matrix's non-zeros grouped by row, each row's in their given order; owned by {@code manager}. */
  public static SparseRows of(SparseMatrix m, NDManager manager) {
    Grouping g = Grouping.of(m.rowIdx(), m.rows());
    long[] col = new long[m.nnz()];
    float[] val = new float[m.nnz()];
    for (int at = 0; at < col.length; at++) {
      col[at] = m.colIdx()[g.order()[at]];
      val[at] = m.values()[g.order()[at]];
    }
    return of(m.rows(), m.cols(), col, g.starts(), val, manager);
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
    if (start.length != rows || col.length != val.length) {
      throw new IllegalArgumentException("row starts or entries differ in length");
    }
    for (int r = 0; r < rows; r++) {
      if (start[r] < (r == 0 ? 0 : start[r - 1]) || start[r] > col.length || (r == 0 && start[r] != 0)) {
        throw new IllegalArgumentException("row " + r + " starts at " + start[r] + ": starts must rise from 0 to at most "
            + col.length);
      }
    }
    NDArray c = Tensors.owned(manager, col);
    NDArray s = Tensors.owned(manager, start);
    NDArray v = Tensors.owned(manager, val, new Shape(val.length));
    return new SparseRows(rows, cols, c, s, v);
  }

  /** This x dense (rows x dense's width); the gradient flows into {@code dense}. */
  public NDArray times(NDArray dense) {
    if (dense.getShape().dimension() != 2 || dense.getShape().get(0) != cols) {
      throw new IllegalArgumentException("a " + rows + " x " + cols + " sparse matrix times " + dense.getShape());
    }
    return ScriptedOps.bagSum(dense, columns, starts, values);
  }

  public long rows() {
    return rows;
  }

  @Override
  public void close() {
    columns.close();
    starts.close();
    values.close();
  }
}
