package dev.crane.api.topk;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The exact scan with the JDK Vector API. Loaded only when the JVM runs with
 * {@code --add-modules jdk.incubator.vector} ({@link Kernels}).
 *
 * <p>The whole-matrix scan reads a tiled copy: blocks of one vector's width of rows (16 with AVX-512),
 * stored dimension-major inside the block, so that one FMA computes a dimension's term for all rows of
 * the block and no lane reduction is needed. Measured on 63k x 64: 0.28 ms per query against 0.61 ms
 * for one reduction per row (the per-row form, {@link #scores}, remains for single rows and cold items).
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

  /** A vector's width of scores per comparison (63k scores: 0.01 ms against 0.1 ms one by one). */
  @Override
  public int firstAbove(float[] scores, int from, int to, float threshold) {
    int lanes = SPECIES.length();
    int i = from;
    for (; i + lanes <= to; i += lanes) {
      VectorMask<Float> above = FloatVector.fromArray(SPECIES, scores, i).compare(VectorOperators.GT, threshold);
      if (above.anyTrue()) {
        return i + above.firstTrue();
      }
    }
    for (; i < to; i++) {
      if (scores[i] > threshold) {
        return i;
      }
    }
    return to;
  }

  /** As the scalar form, a vector's width of rows at a time (one FMA and one comparison each). */
  @Override
  public int firstAbove(float[] scores, float[] radius, float c, int from, int to, float threshold) {
    int lanes = SPECIES.length();
    FloatVector cv = FloatVector.broadcast(SPECIES, c);
    int i = from;
    for (; i + lanes <= to; i += lanes) {
      VectorMask<Float> above = FloatVector.fromArray(SPECIES, radius, i)
          .fma(cv, FloatVector.fromArray(SPECIES, scores, i)).compare(VectorOperators.GT, threshold);
      if (above.anyTrue()) {
        return i + above.firstTrue();
      }
    }
    for (; i < to; i++) {
      if (Math.fma(radius[i], c, scores[i]) > threshold) {
        return i;
      }
    }
    return to;
  }

  /**
   * Where element (row, 0) sits in a tiled copy: blocks of one vector's width of rows, each stored
   * dimension-major, so element (row, j) is {@code lanes * j} further on.
   */
  private static int tiledAt(int row, int dim) {
    int lanes = SPECIES.length();
    return (row / lanes) * dim * lanes + row % lanes;
  }

  @Override
  public Scan scan(float[] matrix, int rows, int dim) {
    int lanes = SPECIES.length();
    int blocks = (rows + lanes - 1) / lanes;
    float[] tiled = new float[blocks * lanes * dim];
    for (int r = 0; r < rows; r++) {
      int base = tiledAt(r, dim);
      for (int j = 0; j < dim; j++) {
        tiled[base + j * lanes] = matrix[r * dim + j];
      }
    }
    return new Tiled(tiled, blocks, dim, matrix);
  }

  /**
   * The int8 codes in tiles four vectors wide (64 rows with AVX-512), dimension-major, so that one
   * query has four independent FMA chains over one contiguous stream of codes and each code is
   * widened to float once per pair of queries. Below 8 lanes (no byte vector of that shape) the plain
   * loops do it.
   */
  @Override
  public Scan approxScan(Int8Rows m) {
    int lanes = SPECIES.length();
    if (lanes < 8) {
      return Kernels.loops().approxScan(m);
    }
    return TiledInt8.of(m);
  }

  /** The tiled matrix and its scan; single rows are read from the row-major matrix (4 cache lines, not 64). */
  private static final class Tiled implements Scan {
    private final float[] tiled;
    private final int blocks;
    private final int dim;
    private final float[] rowMajor;

    Tiled(float[] tiled, int blocks, int dim, float[] rowMajor) {
      this.tiled = tiled;
      this.blocks = blocks;
      this.dim = dim;
      this.rowMajor = rowMajor;
    }

    @Override
    public void scores(float[] q, float[] out) {
      for (int b = 0; b < blocks; b++) {
        block(b, q, out);
      }
    }

    /**
     * Block by block, every query scored against a block while it is in L1, four at a time so that
     * four independent FMA chains share each load. Measured on 63k x 64 with the matrix out of cache:
     * 0.20 ms per query in passes of four and 0.13 in passes of eight, against 0.60 alone.
     */
    @Override
    public void scores(float[][] qs, float[][] outs, int n) {
      int lanes = SPECIES.length();
      for (int b = 0; b < blocks; b++) {
        int base = b * dim * lanes;
        int i = 0;
        for (; i + 4 <= n; i += 4) {
          float[] q0 = qs[i];
          float[] q1 = qs[i + 1];
          float[] q2 = qs[i + 2];
          float[] q3 = qs[i + 3];
          FloatVector a0 = FloatVector.zero(SPECIES);
          FloatVector a1 = a0;
          FloatVector a2 = a0;
          FloatVector a3 = a0;
          for (int j = 0; j < dim; j++) {
            FloatVector m = FloatVector.fromArray(SPECIES, tiled, base + j * lanes);
            a0 = m.fma(FloatVector.broadcast(SPECIES, q0[j]), a0);
            a1 = m.fma(FloatVector.broadcast(SPECIES, q1[j]), a1);
            a2 = m.fma(FloatVector.broadcast(SPECIES, q2[j]), a2);
            a3 = m.fma(FloatVector.broadcast(SPECIES, q3[j]), a3);
          }
          a0.intoArray(outs[i], b * lanes);
          a1.intoArray(outs[i + 1], b * lanes);
          a2.intoArray(outs[i + 2], b * lanes);
          a3.intoArray(outs[i + 3], b * lanes);
        }
        for (; i < n; i++) {
          block(b, qs[i], outs[i]);
        }
      }
    }

    /** One block's scores: the FMAs in dimension order, as in the passes of four (same bits). */
    private void block(int b, float[] q, float[] out) {
      int lanes = SPECIES.length();
      FloatVector acc = FloatVector.zero(SPECIES);
      int base = b * dim * lanes;
      for (int j = 0; j < dim; j++) {
        acc = FloatVector.fromArray(SPECIES, tiled, base + j * lanes).fma(FloatVector.broadcast(SPECIES, q[j]), acc);
      }
      acc.intoArray(out, b * lanes);
    }

    @Override
    public int paddedRows() {
      return blocks * SPECIES.length();
    }

    /** The block lane's FMAs in the same order: the same bits. */
    @Override
    public float score(float[] q, int row) {
      int at = row * dim;
      float s = 0f;
      for (int j = 0; j < dim; j++) {
        s = Math.fma(rowMajor[at + j], q[j], s);
      }
      return s;
    }
  }

  /**
   * The int8 codes' scan. Each row's sum is its FMAs in dimension order, whatever the pass (the same
   * bits alone and in a pass of several queries). Measured on 63k x 64 in one process (ms per query,
   * codes in L3 / evicted before each pass): alone 0.15 / 0.19, in passes of two 0.10 / 0.11, of eight
   * 0.10 / 0.11; the earlier layout (one vector's width of rows per block, one FMA chain per query,
   * four queries per widening) took 0.24 / 0.31 alone, 0.24 in pairs and 0.12 / 0.13 in passes of eight.
   */
  private static final class TiledInt8 implements Scan {
    private static final int LANES = SPECIES.length();
    private static final int TILE = 4 * LANES;
    private static final VectorSpecies<Byte> BYTES =
        VectorSpecies.of(byte.class, VectorShape.forBitSize(LANES * Byte.SIZE));
    private final byte[] tiled;
    private final float[] scale;
    private final int tiles;
    private final int dim;

    TiledInt8(byte[] tiled, float[] scale, int tiles, int dim) {
      this.tiled = tiled;
      this.scale = scale;
      this.tiles = tiles;
      this.dim = dim;
    }

    /** The codes and scales of {@code m} laid out in tiles. */
    static TiledInt8 of(Int8Rows m) {
      int tiles = (m.rows + TILE - 1) / TILE;
      byte[] tiled = new byte[tiles * TILE * m.dim];
      float[] scale = new float[tiles * TILE];
      for (int r = 0; r < m.rows; r++) {
        int base = at(r, m.dim);
        for (int j = 0; j < m.dim; j++) {
          tiled[base + j * TILE] = m.codes[r * m.dim + j];
        }
        scale[r] = m.scale[r];
      }
      return new TiledInt8(tiled, scale, tiles, m.dim);
    }

    /** Where code (row, 0) sits; code (row, j) is {@code TILE * j} further on. */
    private static int at(int row, int dim) {
      return (row / TILE) * dim * TILE + row % TILE;
    }

    private FloatVector widened(int at) {
      return (FloatVector) ByteVector.fromArray(BYTES, tiled, at).convertShape(VectorOperators.B2F, SPECIES, 0);
    }

    @Override
    public void scores(float[] q, float[] out) {
      for (int t = 0; t < tiles; t++) {
        one(t, q, out);
      }
    }

    /** Tile by tile, queries two at a time while the tile is in L1 (four at a time spills registers: slower). */
    @Override
    public void scores(float[][] qs, float[][] outs, int n) {
      for (int t = 0; t < tiles; t++) {
        int i = 0;
        for (; i + 2 <= n; i += 2) {
          two(t, qs[i], outs[i], qs[i + 1], outs[i + 1]);
        }
        if (i < n) {
          one(t, qs[i], outs[i]);
        }
      }
    }

    private void one(int t, float[] q, float[] out) {
      int base = t * dim * TILE;
      FloatVector a0 = FloatVector.zero(SPECIES);
      FloatVector a1 = a0;
      FloatVector a2 = a0;
      FloatVector a3 = a0;
      for (int j = 0; j < dim; j++) {
        int at = base + j * TILE;
        FloatVector qj = FloatVector.broadcast(SPECIES, q[j]);
        a0 = widened(at).fma(qj, a0);
        a1 = widened(at + LANES).fma(qj, a1);
        a2 = widened(at + 2 * LANES).fma(qj, a2);
        a3 = widened(at + 3 * LANES).fma(qj, a3);
      }
      store(out, t * TILE, a0, a1, a2, a3);
    }

    private void two(int t, float[] q, float[] out, float[] p, float[] pout) {
      int base = t * dim * TILE;
      FloatVector a0 = FloatVector.zero(SPECIES);
      FloatVector a1 = a0;
      FloatVector a2 = a0;
      FloatVector a3 = a0;
      FloatVector c0 = a0;
      FloatVector c1 = a0;
      FloatVector c2 = a0;
      FloatVector c3 = a0;
      for (int j = 0; j < dim; j++) {
        int at = base + j * TILE;
        FloatVector m0 = widened(at);
        FloatVector m1 = widened(at + LANES);
        FloatVector m2 = widened(at + 2 * LANES);
        FloatVector m3 = widened(at + 3 * LANES);
        FloatVector qj = FloatVector.broadcast(SPECIES, q[j]);
        a0 = m0.fma(qj, a0);
        a1 = m1.fma(qj, a1);
        a2 = m2.fma(qj, a2);
        a3 = m3.fma(qj, a3);
        FloatVector pj = FloatVector.broadcast(SPECIES, p[j]);
        c0 = m0.fma(pj, c0);
        c1 = m1.fma(pj, c1);
        c2 = m2.fma(pj, c2);
        c3 = m3.fma(pj, c3);
      }
      store(out, t * TILE, a0, a1, a2, a3);
      store(pout, t * TILE, c0, c1, c2, c3);
    }

    /** A tile's four sums times their rows' scales. */
    private void store(float[] out, int o, FloatVector a0, FloatVector a1, FloatVector a2, FloatVector a3) {
      a0.mul(FloatVector.fromArray(SPECIES, scale, o)).intoArray(out, o);
      a1.mul(FloatVector.fromArray(SPECIES, scale, o + LANES)).intoArray(out, o + LANES);
      a2.mul(FloatVector.fromArray(SPECIES, scale, o + 2 * LANES)).intoArray(out, o + 2 * LANES);
      a3.mul(FloatVector.fromArray(SPECIES, scale, o + 3 * LANES)).intoArray(out, o + 3 * LANES);
    }

    @Override
    public int paddedRows() {
      return tiles * TILE;
    }

    @Override
    public float score(float[] q, int row) {
      int at = at(row, dim);
      float s = 0f;
      for (int j = 0; j < dim; j++) {
        s = Math.fma(tiled[at + j * TILE], q[j], s);
      }
      return s * scale[row];
    }
  }

  @Override
  public String name() {
    return "vector-api(" + SPECIES.vectorBitSize() + "-bit)";
  }
}
