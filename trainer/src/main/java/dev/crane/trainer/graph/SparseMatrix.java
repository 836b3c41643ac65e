package dev.crane.trainer.graph;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.crane.trainer.data.TrainingData;
import dev.crane.trainer.engine.Tensors;

/** A COO sparse matrix held in Java arrays until it is handed to DJL. */
public record SparseMatrix(int rows, int cols, long[] rowIdx, long[] colIdx, float[] values) {
  public SparseMatrix {
    if (rowIdx.length != values.length || colIdx.length != values.length) {
      throw new IllegalArgumentException("COO arrays differ in length");
    }
  }

  /**
   * The users x items matrix of the distinct training edges: 1 per edge, or 1/d_u per edge when
   * {@code rowMean} (rows then average over the user's items).
   */
  public static SparseMatrix trainingInteractions(TrainingData data, boolean rowMean) {
    int e = data.numEdges();
    long[] r = new long[e];
    long[] c = new long[e];
    float[] v = new float[e];
    for (int k = 0; k < e; k++) {
      int u = data.edgeUsers()[k];
      r[k] = u;
      c[k] = data.edgeItems()[k];
      v[k] = rowMean ? 1f / data.userDegree()[u] : 1f;
    }
    return new SparseMatrix(data.numUsers(), data.numItems(), r, c, v);
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
