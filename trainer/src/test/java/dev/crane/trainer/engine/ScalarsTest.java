package dev.crane.trainer.engine;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Constants used in differentiable expressions must outlive the Java wrapper: backward runs after
 * a GC has had the chance to free every collectable direct buffer and reuse its memory.
 */
class ScalarsTest {

  @Test
  void constantsSurviveGarbageCollectionBetweenForwardAndBackward() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray x = m.create(new float[] {1, -2, 0.5f, 4});
      x.setRequiresGradient(true);
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        // d/dx sum(max(x * 3 / 0.5 + 1, 0.25)) = 6 where x*6+1 > 0.25, else 0
        NDArray y = Scalars.atLeast(Scalars.add(Scalars.div(Scalars.mul(x, 3f), 0.5f), 1f), 0.25f).sum();
        churnDirectMemory();
        gc.backward(y);
        assertThat(y.getFloat()).isEqualTo(7 + 0.25f + 4 + 25);
      }
      assertThat(x.getGradient().toFloatArray()).containsExactly(6, 0, 6, 6);
    }
  }

  @Test
  void unitRowsHaveUnitNormAndTheQuotientRuleGradientAndZeroRowsStayZero() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray x = m.create(new float[] {3, 4, 0, 0}, new ai.djl.ndarray.types.Shape(2, 2));
      x.setRequiresGradient(true);
      NDArray w = m.create(new float[] {1, 2, 5, 7}, new ai.djl.ndarray.types.Shape(2, 2));
      NDArray y;
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        y = Scalars.unitRows(x);
        gc.backward(y.mul(w).sum());
      }
      assertThat(y.toFloatArray()).containsExactly(0.6f, 0.8f, 0, 0);
      // d/dx (x/|x|)·w = (w - (u·w) u) / |x| with u = (0.6, 0.8), u·w = 2.2, |x| = 5
      float[] g = x.getGradient().toFloatArray();
      assertThat(g[0]).isCloseTo((1 - 2.2f * 0.6f) / 5, org.assertj.core.data.Offset.offset(1e-6f));
      assertThat(g[1]).isCloseTo((2 - 2.2f * 0.8f) / 5, org.assertj.core.data.Offset.offset(1e-6f));
      // the zero row: clamped norm, so the gradient is w / 1e-12 on that row, finite, never NaN
      assertThat(Float.isNaN(g[2]) || Float.isNaN(g[3])).isFalse();
    }
  }

  /** Frees unreachable direct buffers and refills native memory with garbage. */
  private static void churnDirectMemory() {
    for (int round = 0; round < 3; round++) {
      System.gc();
      List<ByteBuffer> junk = new ArrayList<>();
      for (int k = 0; k < 2000; k++) {
        ByteBuffer b = ByteBuffer.allocateDirect(64);
        while (b.hasRemaining()) {
          b.put((byte) 0x7f);
        }
        junk.add(b);
      }
    }
  }
}
