package dev.crane.api.topk;

/**
 * Plain loops with eight independent accumulators, for JVMs started without the Vector API
 * module. C2 on JDK 17 does not vectorise a float reduction; the accumulators at least keep the
 * FMA pipeline busy (measured 1.26 ms per query on 63k x 64 against 0.35 ms with the Vector API).
 */
final class LoopKernel implements ScoreKernel {
  @Override
  public void scores(float[] m, float[] q, int from, int to, float[] out) {
    for (int i = from; i < to; i++) {
      out[i] = row(m, i * q.length, q);
    }
  }

  /** ⟨m[o .. o + d), q⟩ with eight accumulators: the one order every scan of this kernel uses. */
  private static float row(float[] m, int o, float[] q) {
    int d = q.length;
    int d8 = d & ~7;
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
    int j = 0;
    for (; j < d8; j += 8) {
      s0 += m[o + j] * q[j];
      s1 += m[o + j + 1] * q[j + 1];
      s2 += m[o + j + 2] * q[j + 2];
      s3 += m[o + j + 3] * q[j + 3];
      s4 += m[o + j + 4] * q[j + 4];
      s5 += m[o + j + 5] * q[j + 5];
      s6 += m[o + j + 6] * q[j + 6];
      s7 += m[o + j + 7] * q[j + 7];
    }
    for (; j < d; j++) {
      s0 += m[o + j] * q[j];
    }
    return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
  }

  /** The same sum over int8 codes, times the row's scale. */
  private static float row(byte[] m, int o, float[] q, float scale) {
    int d = q.length;
    int d4 = d & ~3;
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int j = 0;
    for (; j < d4; j += 4) {
      s0 += m[o + j] * q[j];
      s1 += m[o + j + 1] * q[j + 1];
      s2 += m[o + j + 2] * q[j + 2];
      s3 += m[o + j + 3] * q[j + 3];
    }
    for (; j < d; j++) {
      s0 += m[o + j] * q[j];
    }
    return ((s0 + s1) + (s2 + s3)) * scale;
  }

  @Override
  public Scan scan(float[] matrix, int rows, int dim) {
    return new Chunked(rows, dim) {
      @Override
      public float score(float[] q, int row) {
        return row(matrix, row * dim, q);
      }
    };
  }

  @Override
  public Scan approxScan(Int8Rows m) {
    return new Chunked(m.rows, m.dim) {
      @Override
      public float score(float[] q, int row) {
        return row(m.codes, row * m.dim, q, m.scale[row]);
      }
    };
  }

  /** A scan row by row; several queries go over rows in chunks that stay in L2 while every query is scored. */
  private abstract static class Chunked implements Scan {
    private final int rows;
    private final int chunk;

    Chunked(int rows, int dim) {
      this.rows = rows;
      this.chunk = Math.max(1, (128 << 10) / (Float.BYTES * Math.max(1, dim)));
    }

    @Override
    public void scores(float[] q, float[] out) {
      for (int i = 0; i < rows; i++) {
        out[i] = score(q, i);
      }
    }

    @Override
    public void scores(float[][] qs, float[][] outs, int n) {
      for (int from = 0; from < rows; from += chunk) {
        int to = Math.min(rows, from + chunk);
        for (int i = 0; i < n; i++) {
          for (int r = from; r < to; r++) {
            outs[i][r] = score(qs[i], r);
          }
        }
      }
    }

    @Override
    public int paddedRows() {
      return rows;
    }
  }

  @Override
  public String name() {
    return "loops";
  }
}
