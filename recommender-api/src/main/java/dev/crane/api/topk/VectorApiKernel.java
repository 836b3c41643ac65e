package dev.crane.api.topk;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The exact scan with the JDK Vector API: one FMA per lane group and one lane reduction per row.
 * Loaded only when the JVM runs with {@code --add-modules jdk.incubator.vector} ({@link Kernels}).
 */
final class VectorApiKernel implements ScoreKernel {
  private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

  @Override
  public void scores(float[] m, float[] q, int from, int to, float[] out) {
    int d = q.length;
    int bound = SPECIES.loopBound(d);
    for (int i = from; i < to; i++) {
      int o = i * d;
      FloatVector acc = FloatVector.zero(SPECIES);
      int j = 0;
      for (; j < bound; j += SPECIES.length()) {
        acc = FloatVector.fromArray(SPECIES, m, o + j).fma(FloatVector.fromArray(SPECIES, q, j), acc);
      }
      float s = acc.reduceLanes(VectorOperators.ADD);
      for (; j < d; j++) {
        s += m[o + j] * q[j];
      }
      out[i] = s;
    }
  }

  @Override
  public String name() {
    return "vector-api(" + SPECIES.vectorBitSize() + "-bit)";
  }
}
