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
