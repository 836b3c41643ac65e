package dev.crane.trainer.graph;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.crane.trainer.engine.Tensors;

/** A COO sparse matrix held in Java arrays until it is handed to DJL. */
public record SparseMatrix(int rows, int cols, long[] rowIdx, long[] colIdx, float[] values) {
  public SparseMatrix {
    if (rowIdx.length != values.length || colIdx.length != values.length) {
      throw new IllegalArgumentException("COO arrays differ in length");
    }
  }

  public int nnz() {
    return values.length;
  }

  /** A COO NDArray; DJL's sparse x dense matMul backpropagates into the dense side. */
  public NDArray toNDArray(NDManager manager) {
    return Tensors.coo(manager, rowIdx, colIdx, values, new Shape(rows, cols));
  }

  /** Dense row-major copy, for tests and small graphs. */
  public float[] toDense() {
    float[] d = new float[rows * cols];
    for (int k = 0; k < values.length; k++) {
      d[(int) rowIdx[k] * cols + (int) colIdx[k]] += values[k];
    }
    return d;
  }
}
