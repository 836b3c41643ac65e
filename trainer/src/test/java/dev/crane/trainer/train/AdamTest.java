package dev.crane.trainer.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.crane.trainer.model.core.Parameters;
import org.junit.jupiter.api.Test;

class AdamTest {
  @Test
  void matchesTorchAdamAndZeroesGradientsBetweenSteps() {
    try (NDManager m = NDManager.newBaseManager()) {
      Parameters ps = new Parameters(m);
      NDArray p = ps.add("p", new float[] {1, -2}, new Shape(2));
      NDArray c = m.create(new float[] {0.5f, -3f});
      Adam adam = new Adam(ps, 0.1f);
      for (int step = 0; step < 2; step++) {
        try (NDScope s = new NDScope()) {
          try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            gc.backward(p.mul(c).sum());
          }
          adam.step();
        }
      }
      // constant gradient g: bias-corrected m/sqrt(v) = sign(g) at every step, so p moves lr per step;
      // an un-zeroed gradient (2g at step 2) would move it by only ~0.0965 at step 2
      assertThat(p.toFloatArray()[0]).isCloseTo(0.8f, within(1e-5f));
      assertThat(p.toFloatArray()[1]).isCloseTo(-1.8f, within(1e-5f));
    }
  }
}
