package dev.crane.trainer.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ScriptedOpsTest {
  @Test
  void bagSumIsTheWeightedSumOfEachBagsRowsAndBackpropagatesIntoTableAndWeights() {
    SplittableRandom rng = new SplittableRandom(3);
    int rows = 7;
    int width = 5;
    // bags: {3, 0, 3}, {} (empty: zeros), {6}, {1, 2, 5, 0}
    long[] indices = {3, 0, 3, 6, 1, 2, 5, 0};
    long[] starts = {0, 3, 3, 4};
    float[] table = new float[rows * width];
    for (int k = 0; k < table.length; k++) {
      table[k] = (float) rng.nextDouble(-1, 1);
    }
    float[] weights = new float[indices.length];
    for (int k = 0; k < weights.length; k++) {
      weights[k] = (float) rng.nextDouble(-2, 2);
    }
    float[] upstream = new float[starts.length * width];
    for (int k = 0; k < upstream.length; k++) {
      upstream[k] = (float) rng.nextDouble(-1, 1);
    }
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray t = m.create(table, new Shape(rows, width));
      NDArray w = m.create(weights, new Shape(weights.length));
      t.setRequiresGradient(true);
      w.setRequiresGradient(true);
      float[] out;
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray sums = ScriptedOps.bagSum(t, m.create(indices), m.create(starts), w);
        out = sums.toFloatArray();
        gc.backward(sums.mul(m.create(upstream, new Shape(starts.length, width))).sum());
      }
      float[] dTable = t.getGradient().toFloatArray();
      float[] dWeights = w.getGradient().toFloatArray();

      double[] wantOut = new double[upstream.length];
      double[] wantTable = new double[table.length];
      double[] wantWeights = new double[weights.length];
      for (int b = 0; b < starts.length; b++) {
        int end = b + 1 < starts.length ? (int) starts[b + 1] : indices.length;
        for (int j = (int) starts[b]; j < end; j++) {
          int row = (int) indices[j];
          for (int c = 0; c < width; c++) {
            wantOut[b * width + c] += weights[j] * table[row * width + c];
            wantTable[row * width + c] += weights[j] * upstream[b * width + c];
            wantWeights[j] += table[row * width + c] * upstream[b * width + c];
          }
        }
      }
      for (int k = 0; k < out.length; k++) {
        assertThat((double) out[k]).as("sum %d", k).isCloseTo(wantOut[k], within(1e-5));
      }
      for (int c = 0; c < width; c++) {
        assertThat(out[width + c]).as("the empty bag").isZero();
      }
      for (int k = 0; k < dTable.length; k++) {
        assertThat((double) dTable[k]).as("d table %d", k).isCloseTo(wantTable[k], within(1e-5));
      }
      for (int k = 0; k < dWeights.length; k++) {
        assertThat((double) dWeights[k]).as("d weight %d", k).isCloseTo(wantWeights[k], within(1e-5));
      }
    }
  }
}
