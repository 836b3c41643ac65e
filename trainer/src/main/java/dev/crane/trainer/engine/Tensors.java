package dev.crane.trainer.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/**
 * Tensors made from Java arrays that own their memory. DJL's PyTorch engine wraps a direct
 * ByteBuffer without copying (from_blob), and {@code NDManager.createCoo} closes those wrappers
 * while the sparse tensor still points into the buffers: once the GC frees them the COO indices
 * are garbage (observed here as "index out of row bound" in addmm). Cloning right away gives
 * libtorch-owned storage.
 */
public final class Tensors {
  private Tensors() {}

  public static NDArray owned(NDManager m, float[] values, Shape shape) {
    try (NDArray view = m.create(values, shape)) {
      return view.duplicate();
    }
  }

  public static NDArray owned(NDManager m, long[] values) {
    try (NDArray view = m.create(values)) {
      return view.duplicate();
    }
  }

  /** A COO sparse matrix whose indices and values live in libtorch-owned memory. */
  public static NDArray coo(NDManager m, long[] rows, long[] cols, float[] values, Shape shape) {
    long[] idx = new long[2 * rows.length];
    System.arraycopy(rows, 0, idx, 0, rows.length);
    System.arraycopy(cols, 0, idx, rows.length, cols.length);
    try (NDArray i = owned(m, idx).reshape(2, rows.length);
        NDArray v = owned(m, values, new Shape(values.length))) {
      return JniUtils.createSparseCoo((PtNDArray) i, (PtNDArray) v, shape);
    }
  }

  /**
   * Rows {@code table[ids]} through torch.embedding: about twice as fast as advanced indexing
   * (NDIndex "{}") forward and backward on large gathers.
   */
  public static NDArray rows(NDArray table, NDArray ids) {
    return JniUtils.embedding((PtNDArray) ids, (PtNDArray) table, false);
  }

  /**
   * Overwrites every value of {@code target} (a parameter, say) in place; call under no-grad. Through
   * a full-slice assignment rather than {@code NDArray.set(float[])}, whose native path prints
   * libtorch's deprecation warning about AutoNonVariableTypeMode on stderr.
   */
  public static void assign(NDArray target, float[] values) {
    try (NDArray v = owned(target.getManager(), values, target.getShape())) {
      target.set(new ai.djl.ndarray.index.NDIndex(":"), v);
    }
  }

  /**
   * x W + b with the bias fused into the product (torch.linear on Wᵀ); W is in x out. b is a row (added
   * to every row) or a whole matrix of the result's shape (torch's addmm then adds it in the product).
   */
  public static NDArray linear(NDArray x, NDArray w, NDArray b) {
    return JniUtils.linear((PtNDArray) x, (PtNDArray) w.transpose(), (PtNDArray) b);
  }
}
