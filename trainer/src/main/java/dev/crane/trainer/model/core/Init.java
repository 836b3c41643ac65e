package dev.crane.trainer.model.core;

import java.util.SplittableRandom;

/**
 * Parameter initialisers drawn from a Java RNG so runs are seeded and reproducible independently
 * of libtorch's generator. For a 2-D weight of shape (a, b): fan_in = b, fan_out = a (§2.1).
 */
public final class Init {
  private Init() {}

  /** Xavier-uniform: U(±sqrt(6 / (fan_in + fan_out))). */
  public static float[] xavierUniform(SplittableRandom rng, int rows, int cols) {
    return uniform(rng, rows * cols, Math.sqrt(6.0 / (rows + cols)));
  }

  /** Xavier-normal: N(0, 2 / (fan_in + fan_out)) (MMRec's BPR). */
  public static float[] xavierNormal(SplittableRandom rng, int rows, int cols) {
    double std = Math.sqrt(2.0 / (rows + cols));
    float[] out = new float[rows * cols];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) (gaussian(rng) * std);
    }
    return out;
  }

  /** U(±bound); PyTorch's Linear default uses bound = 1/sqrt(fan_in) for weight and bias. */
  public static float[] uniform(SplittableRandom rng, int n, double bound) {
    float[] out = new float[n];
    for (int i = 0; i < n; i++) {
      out[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
    }
    return out;
  }

  private static double gaussian(SplittableRandom rng) {
    double u1 = 1.0 - rng.nextDouble();
    double u2 = rng.nextDouble();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }
}
