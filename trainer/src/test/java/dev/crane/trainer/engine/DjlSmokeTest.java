package dev.crane.trainer.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

/** Proves the PyTorch engine loads offline and the ops the trainer relies on behave as assumed. */
class DjlSmokeTest {

  @Test
  void denseMatMulWithAutograd() {
    try (NDManager m = NDManager.newBaseManager()) {
      assertThat(Engine.getInstance().getEngineName()).isEqualTo("PyTorch");
      NDArray a = m.create(new float[] {1, 2, 3, 4}, new Shape(2, 2));
      NDArray b = m.create(new float[] {5, 6, 7, 8}, new Shape(2, 2));
      assertThat(a.matMul(b).toFloatArray()).containsExactly(19, 22, 43, 50);
      b.setRequiresGradient(true);
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        gc.backward(a.matMul(b).sum());
      }
      // d(sum(AB))/dB[k][j] = sum_i A[i][k]
      assertThat(b.getGradient().toFloatArray()).containsExactly(4, 4, 6, 6);
    }
  }

  @Test
  void cooSparseTimesDenseBackpropagatesIntoDense() {
    try (NDManager m = NDManager.newBaseManager()) {
      // S = [[0, 2], [3, 0]] in COO form
      NDArray s = Tensors.coo(m, new long[] {0, 1}, new long[] {1, 0}, new float[] {2, 3}, new Shape(2, 2));
      // DJL's own createCoo leaves the tensor pointing into collectable buffers; ours must survive GC
      for (int k = 0; k < 5; k++) {
        byte[][] junk = new byte[64][];
        for (int j = 0; j < junk.length; j++) {
          junk[j] = new byte[1 << 20];
        }
        System.gc();
      }
      NDArray x = m.create(new float[] {1, 2, 3, 4}, new Shape(2, 2));
      x.setRequiresGradient(true);
      NDArray y;
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        y = s.matMul(x);
        gc.backward(y.mul(m.create(new float[] {1, 10, 100, 1000}, new Shape(2, 2))).sum());
      }
      assertThat(y.toFloatArray()).containsExactly(6, 8, 3, 6);
      // dL/dX = S^T G with G = [[1,10],[100,1000]]; S^T = [[0,3],[2,0]]
      assertThat(x.getGradient().toFloatArray()).containsExactly(300, 3000, 2, 20);
    }
  }

  @Test
  void rowGatherByIndexArrayCarriesGradientAndAccumulatesDuplicates() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray e = m.create(new float[] {1, 2, 3, 4, 5, 6}, new Shape(3, 2));
      e.setRequiresGradient(true);
      NDArray idx = m.create(new long[] {2, 0, 2});
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray rows = e.get(new NDIndex("{}", idx));
        assertThat(rows.toFloatArray()).containsExactly(5, 6, 1, 2, 5, 6);
        gc.backward(rows.sum());
      }
      assertThat(e.getGradient().toFloatArray()).containsExactly(1, 1, 0, 0, 2, 2);
      NDArray top = m.create(new float[] {0.1f, 0.9f, 0.5f}, new Shape(1, 3)).topK(2, 1, true, true).get(1);
      assertThat(top.toLongArray()).containsExactly(1, 2);
      assertThat(m.create(new float[] {3, 4}).norm().getFloat()).isCloseTo(5f, within(1e-6f));
    }
  }
}
