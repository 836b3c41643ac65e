package dev.crane.trainer.model.crane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.crane.trainer.engine.Autograd;
import dev.crane.trainer.engine.Tensors;
import dev.crane.trainer.model.core.Init;
import dev.crane.trainer.model.core.Parameters;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The attention's fused products (one division, W^x + C W^c / d) must compute the equations as
 * the class documents them; this recomputes them literally in double precision, row by row.
 */
class RecursiveCrossModalAttentionTest {
  static final int N = 9;
  static final int D = 3;
  static final int M = 2;
  static final int ROUNDS = 2;

  @Test
  void matchesTheLiteralEquations() {
    try (NDManager m = NDManager.newBaseManager()) {
      SplittableRandom rng = new SplittableRandom(5);
      Parameters params = new Parameters(m);
      RecursiveCrossModalAttention rca = new RecursiveCrossModalAttention(M, D, ROUNDS, params, rng);
      // biases start at 0: give them values so the test sees them
      for (int r = 0; r < ROUNDS; r++) {
        NDArray b = params.get("rca" + r + ".b_J");
        NDArray v = Tensors.owned(m, Init.uniform(rng, M * D, 0.5), b.getShape());
        Autograd.noGrad(() -> b.addi(v));
      }
      double[][][] x = new double[M][N][D];
      List<NDArray> inputs = new ArrayList<>();
      for (int k = 0; k < M; k++) {
        float[] v = Init.uniform(rng, N * D, 2.0);
        v[4 * D] = v[4 * D + 1] = v[4 * D + 2] = 0; // an all-zero row (an item without features) stays finite
        for (int n = 0; n < N; n++) {
          for (int j = 0; j < D; j++) {
            x[k][n][j] = v[n * D + j];
          }
        }
        inputs.add(Tensors.owned(m, v, new Shape(N, D)));
      }
      float[] actual = rca.apply(inputs).toFloatArray();
      // asking for the last rows only gives those rows of the full result (the correlation still sums over all)
      float[] tail = rca.apply(inputs, 5).toFloatArray();
      assertThat(tail).hasSize((N - 5) * M * D);
      for (int q = 0; q < tail.length; q++) {
        assertThat(tail[q]).isCloseTo(actual[5 * M * D + q], within(1e-5f));
      }
      double[][] expected = literal(x, params);
      for (int n = 0; n < N; n++) {
        for (int j = 0; j < M * D; j++) {
          assertThat(actual[n * M * D + j]).as("row %d col %d", n, j)
              .isCloseTo((float) expected[n][j], within(1e-4f * (1 + (float) Math.abs(expected[n][j]))));
        }
      }
    }
  }

  /** J = [X_1 ∥ X_2]; J~ = ReLU(J W_J + b_J); Ĵ_m = J~ W_m; C_m = tanh(norm(X_m)ᵀ norm(Ĵ_m) / N); H_m = ReLU(X_m W^x + X_m C_m W^c / d); X_m += H_m W^h. */
  static double[][] literal(double[][][] x, Parameters p) {
    for (int r = 0; r < ROUNDS; r++) {
      String q = "rca" + r + ".";
      double[][] j = concat(x);
      double[][] jt = relu(add(mul(j, mat(p, q + "W_J", M * D, M * D)), p.get(q + "b_J").toFloatArray()));
      double[][][] next = new double[M][][];
      for (int k = 0; k < M; k++) {
        String w = q + "m" + k + ".";
        double[][] jm = mul(jt, mat(p, w + "W_proj", M * D, D));
        double[][] c = mul(transpose(unit(x[k])), unit(jm));
        for (double[] row : c) {
          for (int a = 0; a < D; a++) {
            row[a] = Math.tanh(row[a] / N);
          }
        }
        double[][] xc = mul(mul(x[k], c), mat(p, w + "W_c", D, D));
        double[][] pre = mul(x[k], mat(p, w + "W_x", D, D));
        for (int n = 0; n < N; n++) {
          for (int a = 0; a < D; a++) {
            pre[n][a] += xc[n][a] / D;
          }
        }
        double[][] h = mul(relu(pre), mat(p, w + "W_h", D, D));
        next[k] = new double[N][D];
        for (int n = 0; n < N; n++) {
          for (int a = 0; a < D; a++) {
            next[k][n][a] = x[k][n][a] + h[n][a];
          }
        }
      }
      x = next;
    }
    return concat(x);
  }

  static double[][] mat(Parameters p, String name, int rows, int cols) {
    float[] v = p.get(name).toFloatArray();
    double[][] out = new double[rows][cols];
    for (int a = 0; a < rows; a++) {
      for (int b = 0; b < cols; b++) {
        out[a][b] = v[a * cols + b];
      }
    }
    return out;
  }

  static double[][] concat(double[][][] x) {
    double[][] out = new double[N][M * D];
    for (int k = 0; k < x.length; k++) {
      for (int n = 0; n < N; n++) {
        System.arraycopy(x[k][n], 0, out[n], k * D, D);
      }
    }
    return out;
  }

  static double[][] mul(double[][] a, double[][] b) {
    double[][] out = new double[a.length][b[0].length];
    for (int i = 0; i < a.length; i++) {
      for (int k = 0; k < b.length; k++) {
        for (int j = 0; j < b[0].length; j++) {
          out[i][j] += a[i][k] * b[k][j];
        }
      }
    }
    return out;
  }

  static double[][] add(double[][] a, float[] bias) {
    for (double[] row : a) {
      for (int j = 0; j < row.length; j++) {
        row[j] += bias[j];
      }
    }
    return a;
  }

  static double[][] relu(double[][] a) {
    for (double[] row : a) {
      for (int j = 0; j < row.length; j++) {
        row[j] = Math.max(0, row[j]);
      }
    }
    return a;
  }

  static double[][] transpose(double[][] a) {
    double[][] out = new double[a[0].length][a.length];
    for (int i = 0; i < a.length; i++) {
      for (int j = 0; j < a[0].length; j++) {
        out[j][i] = a[i][j];
      }
    }
    return out;
  }

  static double[][] unit(double[][] a) {
    double[][] out = new double[a.length][];
    for (int i = 0; i < a.length; i++) {
      double norm = 0;
      for (double v : a[i]) {
        norm += v * v;
      }
      double s = 1 / Math.max(Math.sqrt(norm), 1e-12);
      out[i] = new double[a[i].length];
      for (int j = 0; j < a[i].length; j++) {
        out[i][j] = a[i][j] * s;
      }
    }
    return out;
  }
}
