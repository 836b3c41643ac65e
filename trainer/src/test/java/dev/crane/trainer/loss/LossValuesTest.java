package dev.crane.trainer.loss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class LossValuesTest {
  @Test
  void bprBothFormsMatchHandValues() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray pos = m.create(new float[] {2, 0, -1});
      NDArray neg = m.create(new float[] {0, 0, 1});
      // -mean(log σ(2), log σ(0), log σ(-2)) = (0.126928 + 0.693147 + 2.126928) / 3
      assertThat(BprLoss.logSigmoid(pos, neg).getFloat()).isCloseTo(0.982335f, within(1e-5f));
      assertThat(BprLoss.withGamma(pos, neg).getFloat()).isCloseTo(0.982335f, within(1e-5f));
      // the stable form survives a huge margin where σ underflows
      assertThat(BprLoss.logSigmoid(m.create(new float[] {-200}), m.create(new float[] {0})).getFloat())
          .isCloseTo(200f, within(1e-3f));
      NDArray u = m.create(new float[] {1, 2, 3, 4}, new Shape(2, 2));
      NDArray i = m.create(new float[] {1, 1, 0, 2}, new Shape(2, 2));
      assertThat(BprLoss.scores(u, i).toFloatArray()).containsExactly(3, 8);
    }
  }

  @Test
  void embeddingNormLossIsSumOfFrobeniusNormsOverBatch() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray a = m.create(new float[] {3, 4, 0, 0}, new Shape(2, 2)); // norm 5
      NDArray b = m.create(new float[] {1, 2, 2, 0}, new Shape(2, 2)); // norm 3
      assertThat(EmbeddingNormLoss.of(a, b).getFloat()).isCloseTo(4f, within(1e-6f));
    }
  }

  @Test
  void infoNceAndL2MatchHandValues() {
    try (NDManager m = NDManager.newBaseManager()) {
      // cosines: identity between the two views (second view rows scaled, cosine ignores norms)
      NDArray a = m.create(new float[] {1, 0, 0, 1}, new Shape(2, 2));
      NDArray b = m.create(new float[] {3, 0, 0, 0.5f}, new Shape(2, 2));
      // each row: -log(e^{1/τ} / (e^{1/τ} + e^0)), τ = 0.5 -> log(1 + e^-2) = 0.126928
      assertThat(InfoNce.of(a, b, 0.5f).getFloat()).isCloseTo(0.126928f, within(1e-5f));
      // swapped positives: -log(1 / (1 + e^2)) = 2.126928
      NDArray swapped = m.create(new float[] {0, 1, 1, 0}, new Shape(2, 2));
      assertThat(InfoNce.of(a, swapped, 0.5f).getFloat()).isCloseTo(2.126928f, within(1e-5f));
      NDArray u = m.create(new float[] {1, 2, 0, 0}, new Shape(2, 2));
      NDArray p = m.create(new float[] {2, 0, 0, 0}, new Shape(2, 2));
      NDArray n = m.create(new float[] {0, 1, 0, 0}, new Shape(2, 2));
      // ½ (5 + 4 + 1) / B with B = 2
      assertThat(EmbeddingL2.of(u, p, n).getFloat()).isCloseTo(2.5f, within(1e-6f));
    }
  }
}
