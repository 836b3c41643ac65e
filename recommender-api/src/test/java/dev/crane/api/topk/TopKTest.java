package dev.crane.api.topk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crane.api.bench.SyntheticModel;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class TopKTest {
  private static float[] random(Random r, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) r.nextGaussian();
    }
    return a;
  }

  /** Rows by score descending (ties: lower row), the excluded ones left out: what top-k must return. */
  private static int[] reference(float[] m, int rows, float[] q, int k, Set<Integer> excluded) {
    int d = q.length;
    float[] s = new float[rows];
    for (int i = 0; i < rows; i++) {
      double acc = 0;
      for (int j = 0; j < d; j++) {
        acc += (double) m[i * d + j] * q[j];
      }
      s[i] = (float) acc;
    }
    return IntStream.range(0, rows).boxed().filter(i -> !excluded.contains(i))
        .sorted(Comparator.<Integer>comparingDouble(i -> -s[i]).thenComparingInt(i -> i))
        .limit(k).mapToInt(Integer::intValue).toArray();
  }

  @Test
  void vectorApiAndLoopKernelsAgreeWithDoublePrecision() {
    ScoreKernel vector = Kernels.vectorApi();
    assertThat(vector).as("the tests run with --add-modules jdk.incubator.vector").isNotNull();
    Random r = new Random(3);
    for (int d : new int[] {64, 37, 8, 1}) {
      float[] m = random(r, 500 * d);
      float[] q = random(r, d);
      float[] a = new float[500];
      float[] b = new float[500];
      vector.scores(m, q, 0, 500, a);
      Kernels.loops().scores(m, q, 0, 500, b);
      for (int i = 0; i < 500; i++) {
        double exact = 0;
        for (int j = 0; j < d; j++) {
          exact += (double) m[i * d + j] * q[j];
        }
        assertThat((double) a[i]).as("vector api d=%d row %d", d, i).isCloseTo(exact, org.assertj.core.data.Offset.offset(1e-3));
        assertThat((double) b[i]).as("loops d=%d row %d", d, i).isCloseTo(exact, org.assertj.core.data.Offset.offset(1e-3));
        assertThat(vector.dot(m, i, q)).isCloseTo(a[i], org.assertj.core.data.Offset.offset(1e-3f));
      }
    }
  }

  @Test
  void theKernelsWholeMatrixScansMatchTheRowByRowScores() {
    Random r = new Random(4);
    for (ScoreKernel k : new ScoreKernel[] {Kernels.vectorApi(), Kernels.loops()}) {
      for (int rows : new int[] {1, 15, 16, 17, 1000}) {
        int d = 24;
        float[] m = random(r, rows * d);
        float[] q = random(r, d);
        ScoreKernel.Scan scan = k.scan(m, rows, d);
        assertThat(scan.paddedRows()).isGreaterThanOrEqualTo(rows);
        float[] out = new float[scan.paddedRows()];
        scan.scores(q, out);
        for (int i = 0; i < rows; i++) {
          assertThat(out[i]).as("%s rows=%d row %d", k.name(), rows, i)
              .isCloseTo(Kernels.loops().dot(m, i, q), org.assertj.core.data.Offset.offset(1e-3f));
        }
      }
    }
  }

  @Test
  void aPassOverSeveralQueriesGivesEachTheBitsOfItsOwnScan() {
    Random r = new Random(5);
    for (ScoreKernel k : new ScoreKernel[] {Kernels.vectorApi(), Kernels.loops()}) {
      for (int d : new int[] {64, 37}) {
        int rows = 3000; // more than one of the loop kernel's chunks at d = 64
        float[] m = random(r, rows * d);
        for (ScoreKernel.Scan scan : new ScoreKernel.Scan[] {k.scan(m, rows, d), k.approxScan(Int8Rows.of(m, rows, d))}) {
        for (int n : new int[] {1, 3, 4, 5, 8}) {
          float[][] qs = new float[n][];
          float[][] outs = new float[n][];
          for (int i = 0; i < n; i++) {
            qs[i] = random(r, d);
            outs[i] = new float[scan.paddedRows()];
          }
          scan.scores(qs, outs, n);
          for (int i = 0; i < n; i++) {
            float[] alone = new float[scan.paddedRows()];
            scan.scores(qs[i], alone);
            assertThat(Arrays.copyOf(outs[i], rows)).as("%s d=%d n=%d query %d", k.name(), d, n, i)
                .containsExactly(Arrays.copyOf(alone, rows));
          }
        }
        }
      }
    }
  }

  @Test
  void theKernelsFindTheFirstScoreAboveAThresholdAlike() {
    Random r = new Random(6);
    float[] s = random(r, 1000);
    s[40] = Float.NaN; // never passes
    s[41] = 10f;
    s[700] = 3f;
    for (ScoreKernel k : new ScoreKernel[] {Kernels.vectorApi(), Kernels.loops()}) {
      assertThat(k.firstAbove(s, 0, 1000, 5f)).as(k.name()).isEqualTo(41);
      assertThat(k.firstAbove(s, 42, 1000, 2.99f)).as(k.name()).isEqualTo(
          IntStream.range(42, 1000).filter(i -> s[i] > 2.99f).findFirst().orElse(1000));
      assertThat(k.firstAbove(s, 0, 1000, 10f)).as("equal is not above: %s", k.name()).isEqualTo(1000);
      assertThat(k.firstAbove(s, 0, 41, 5f)).as("nothing in range: %s", k.name()).isEqualTo(41);
      assertThat(k.firstAbove(s, 995, 1000, Float.NEGATIVE_INFINITY)).as(k.name()).isEqualTo(995);
    }
  }

  @Test
  void exactIndexReturnsTheBestRowsWithoutTheExcludedOnes() {
    Random r = new Random(5);
    int rows = 3000;
    int d = 24;
    float[] m = random(r, rows * d);
    ExactIndex index = new ExactIndex(m, rows, d, Kernels.best(), 1);
    for (int t = 0; t < 20; t++) {
      float[] q = random(r, d);
      Set<Integer> excluded = new HashSet<>();
      int[] ex = IntStream.generate(() -> r.nextInt(rows)).limit(t * 50).distinct().sorted().toArray();
      Arrays.stream(ex).forEach(excluded::add);
      Hits h = index.search(q, 20, ex);
      assertThat(h.rows()).containsExactly(reference(m, rows, q, 20, excluded));
      for (int i = 1; i < h.size(); i++) {
        assertThat(h.scores()[i]).isLessThanOrEqualTo(h.scores()[i - 1]);
      }
    }
  }

  @Test
  void exactIndexWithKAboveTheRowsReturnsEveryRowNotExcluded() {
    float[] m = {1, 0, 0, 1, 1, 1};
    Hits h = new ExactIndex(m, 3, 2, Kernels.best(), 1).search(new float[] {1, 2}, 10, new int[] {1});
    assertThat(h.rows()).containsExactly(2, 0);
    assertThat(h.scores()).containsExactly(3f, 1f);
  }

  /** Rows that make the int8 bounds work: clusters, duplicates (exact ties), zeros, a NaN, large and tiny norms. */
  private static float[] awkwardRows(Random r, int rows, int d) {
    SyntheticModel model = new SyntheticModel(d, 16, 21);
    float[] m = new float[rows * d];
    for (int i = 0; i < rows; i++) {
      float[] v = i % 3 == 0 ? random(r, d) : model.itemVector(i, 1);
      float scale = i % 50 == 7 ? 1e3f : i % 50 == 8 ? 1e-4f : 1f;
      for (int j = 0; j < d; j++) {
        m[i * d + j] = v[j] * scale;
      }
    }
    for (int i = 10; i < rows; i += 97) {
      System.arraycopy(m, 5 * d, m, i * d, d); // copies of row 5: equal scores, ties broken by row
    }
    java.util.Arrays.fill(m, 20 * d, 21 * d, 0f);
    m[30 * d + 3] = Float.NaN; // never returned by either path
    return m;
  }

  @Test
  void theInt8FirstPassGivesTheFloatScansResultBitForBit() {
    Random r = new Random(12);
    for (ScoreKernel kernel : new ScoreKernel[] {Kernels.vectorApi(), Kernels.loops()}) {
      for (int d : new int[] {64, 37}) {
        int rows = 4000;
        float[] m = awkwardRows(r, rows, d);
        ExactIndex floats = new ExactIndex(m, rows, d, kernel, 1, Integer.MAX_VALUE);
        ExactIndex int8 = new ExactIndex(m, rows, d, kernel, 1, 1);
        assertThat(int8.int8First()).isTrue();
        assertThat(floats.int8First()).isFalse();
        for (int t = 0; t < 60; t++) {
          // queries: random, a row itself (its copies tie at the top), a scaled row, the zero vector
          float[] q = switch (t % 4) {
            case 0 -> random(r, d);
            case 1 -> Arrays.copyOfRange(m, 5 * d, 6 * d);
            case 2 -> scaled(Arrays.copyOfRange(m, (t * 31 % rows) * d, (t * 31 % rows + 1) * d), 1e-3f);
            default -> t == 3 ? new float[d] : random(r, d);
          };
          int k = new int[] {1, 5, 20, 200, rows + 5}[t % 5];
          int[] ex = IntStream.generate(() -> r.nextInt(rows)).limit(t * 20L).distinct().sorted().toArray();
          assertSameHits(floats, int8, q, k, ex, String.format("%s d=%d query %d k=%d", kernel.name(), d, t, k));
        }
      }
    }
  }

  /** The int8-first index returns the float index's rows and score bits. */
  private static void assertSameHits(ExactIndex floats, ExactIndex int8, float[] q, int k, int[] ex, String what) {
    Hits a = floats.search(q, k, ex);
    Hits b = int8.search(q, k, ex);
    assertThat(b.rows()).as(what).containsExactly(a.rows());
    assertThat(b.scores()).as(what).containsExactly(a.scores());
  }

  private static void assertInt8FirstMatchesFloats(ScoreKernel kernel, float[] m, int rows, int d, float[] q, int k,
      int[] ex, String what) {
    assertSameHits(new ExactIndex(m, rows, d, kernel, 1, Integer.MAX_VALUE), new ExactIndex(m, rows, d, kernel, 1, 1),
        q, k, ex, kernel.name() + ": " + what);
  }

  /** Found in review: sums that overflow or underflow fall outside a relative bound. */
  @Test
  void overflowingAndUnderflowingSumsStillGiveTheFloatResult() {
    float tiny = 127 * 0x1p-80f;
    for (ScoreKernel kernel : new ScoreKernel[] {Kernels.vectorApi(), Kernels.loops()}) {
      assertInt8FirstMatchesFloats(kernel, new float[] {-1f}, 1, 1, new float[] {1e37f}, 1, new int[0],
          "the int8 sum overflows where the float one does not");
      assertInt8FirstMatchesFloats(kernel, new float[] {100, 0, 0, 1}, 2, 2, new float[] {2e36f, 1e37f}, 1,
          new int[0], "one row's int8 score overflows");
      assertInt8FirstMatchesFloats(kernel, new float[] {3e38f, -3e38f, 5e34f, 0}, 2, 2, new float[] {2, 2}, 1,
          new int[0], "a float score overflows to infinity");
      assertInt8FirstMatchesFloats(kernel, new float[] {3e38f, -3e38f, -5e34f, 0}, 2, 2, new float[] {2, 2}, 1,
          new int[0], "a float score overflows to NaN");
      assertInt8FirstMatchesFloats(kernel, new float[] {0, 0, tiny, tiny}, 2, 2, new float[] {0x1p-77f, 0x1p-77f}, 1,
          new int[0], "products below the normal range");
      assertInt8FirstMatchesFloats(kernel, new float[] {1, 2, 3, 4}, 2, 2, new float[] {Float.NaN, 1}, 1,
          new int[0], "a NaN query");
    }
  }

  @Test
  void theInt8FirstPassHoldsAtWideDimensionsAndAPartialLastBlock() {
    Random r = new Random(15);
    for (ScoreKernel kernel : new ScoreKernel[] {Kernels.vectorApi(), Kernels.loops()}) {
      for (int d : new int[] {256, 512}) {
        int rows = 1001;
        float[] m = awkwardRows(r, rows, d);
        ExactIndex floats = new ExactIndex(m, rows, d, kernel, 1, Integer.MAX_VALUE);
        ExactIndex int8 = new ExactIndex(m, rows, d, kernel, 1, 1);
        for (int t = 0; t < 8; t++) {
          float[] q = t == 0 ? Arrays.copyOfRange(m, 5 * d, 6 * d) : random(r, d);
          assertSameHits(floats, int8, q, new int[] {1, 20, 300}[t % 3],
              IntStream.range(0, t * 7).map(i -> i * 13 % rows).distinct().sorted().toArray(),
              kernel.name() + ": d=" + d + " query " + t);
        }
      }
    }
  }

  @Test
  void theInt8PassRescoresFewRowsAndFallsBackWhenItCannotSeparateThem() {
    int d = 64;
    int rows = 20_000;
    SyntheticModel model = new SyntheticModel(d, 64, 20261205L);
    float[] m = new float[rows * d];
    for (int i = 0; i < rows; i++) {
      System.arraycopy(model.itemVector(i, 2), 0, m, i * d, d);
    }
    ExactIndex int8 = new ExactIndex(m, rows, d, Kernels.best(), 1, 1);
    ExactIndex floats = new ExactIndex(m, rows, d, Kernels.best(), 1, Integer.MAX_VALUE);
    for (int u = 0; u < 50; u++) {
      float[] q = model.userVector(u, 2);
      assertThat(int8.search(q, 20, new int[0]).rows()).containsExactly(floats.search(q, 20, new int[0]).rows());
    }
    assertThat(int8.rescoredRows() / 50.0).as("rows rescored per query of 20,000").isGreaterThan(0).isLessThan(500);
    // a zero query ties every row: the bounds cannot separate them, the float scan answers
    long before = int8.rescoredRows();
    float[] zero = new float[d];
    assertThat(int8.search(zero, 20, new int[0]).rows()).containsExactly(floats.search(zero, 20, new int[0]).rows());
    assertThat(int8.rescoredRows() - before).as("gave up after its limit").isLessThanOrEqualTo(4097);
  }

  private static float[] scaled(float[] v, float f) {
    for (int j = 0; j < v.length; j++) {
      v[j] *= f;
    }
    return v;
  }

  @Test
  void int8ScoresStayWithinTheirBoundAndTheBoundIsTight() {
    Random r = new Random(13);
    for (ScoreKernel kernel : new ScoreKernel[] {Kernels.vectorApi(), Kernels.loops()}) {
      int rows = 2000;
      int d = 64;
      float[] m = awkwardRows(r, rows, d);
      Int8Rows q8 = Int8Rows.of(m, rows, d);
      ScoreKernel.Scan exact = kernel.scan(m, rows, d);
      ScoreKernel.Scan approx = kernel.approxScan(q8);
      double relative = 0;
      int counted = 0;
      for (int t = 0; t < 20; t++) {
        float[] q = random(r, d);
        float qn = Int8Rows.queryNorm(q);
        float[] a = new float[approx.paddedRows()];
        float[] e = new float[exact.paddedRows()];
        approx.scores(q, a);
        exact.scores(q, e);
        for (int i = 0; i < rows; i++) {
          assertThat(Float.valueOf(approx.score(q, i))).as("%s row %d: score() is the scan's", kernel.name(), i)
              .isEqualTo(Float.valueOf(a[i]));
          assertThat(Float.valueOf(exact.score(q, i))).as("%s row %d: score() is the scan's", kernel.name(), i)
              .isEqualTo(Float.valueOf(e[i]));
          if (i == 30) {
            assertThat(q8.radius[i]).as("the row with a NaN is always rescored").isEqualTo(Float.POSITIVE_INFINITY);
            continue;
          }
          assertThat(Math.abs((double) a[i] - e[i])).as("%s row %d", kernel.name(), i)
              .isLessThanOrEqualTo((double) qn * q8.radius[i]);
          double norm2 = 0;
          for (int j = 0; j < d; j++) {
            norm2 += (double) m[i * d + j] * m[i * d + j];
          }
          double norm = Math.sqrt(norm2);
          if (norm > 0) {
            relative += q8.radius[i] / norm;
            counted++;
          }
        }
      }
      assertThat(relative / counted).as("%s: mean radius / row norm", kernel.name()).isLessThan(0.01);
    }
  }

  @Test
  void theKernelsApplyTheRadiusFilterAlike() {
    Random r = new Random(14);
    float[] s = random(r, 1000);
    float[] radius = new float[1000];
    for (int i = 0; i < 1000; i++) {
      radius[i] = r.nextFloat();
    }
    s[40] = Float.NEGATIVE_INFINITY;
    radius[40] = Float.POSITIVE_INFINITY; // -inf + inf is NaN: never passes
    for (ScoreKernel k : new ScoreKernel[] {Kernels.vectorApi(), Kernels.loops()}) {
      for (float c : new float[] {-2f, 0f, 3f}) {
        for (float threshold : new float[] {Float.NEGATIVE_INFINITY, 0f, 2.5f}) {
          for (int from = 0; from < 1000; from = k.firstAbove(s, radius, c, from, 1000, threshold) + 1) {
            int expected = from;
            while (expected < 1000 && !(Math.fma(radius[expected], c, s[expected]) > threshold)) {
              expected++;
            }
            assertThat(k.firstAbove(s, radius, c, from, 1000, threshold)).as("%s c=%f t=%f", k.name(), c, threshold)
                .isEqualTo(expected);
            assertThat(expected).isNotEqualTo(40);
          }
        }
      }
    }
  }

  @Test
  void heapKeepsTheKBestAndBreaksTiesByLowerRow() {
    TopKHeap heap = new TopKHeap(3);
    float[] scores = {5, 1, 5, 7, 5, 0};
    for (int i = 0; i < scores.length; i++) {
      heap.offer(i, scores[i]);
    }
    Hits h = heap.drain();
    assertThat(h.rows()).containsExactly(3, 0, 2);
  }

  @Test
  void hnswRecallAgainstExactAndLongExclusionListsStillGiveKResults() {
    int d = 32;
    int rows = 6000;
    SyntheticModel model = new SyntheticModel(d, 40, 11);
    float[] m = new float[rows * d];
    for (int i = 0; i < rows; i++) {
      System.arraycopy(model.itemVector(i, 1), 0, m, i * d, d);
    }
    HnswIndex hnsw = new HnswIndex(m, rows, d, Kernels.best(), new HnswIndex.Params(16, 100, 100, 2));
    ExactIndex exact = new ExactIndex(m, rows, d, Kernels.best(), 1);
    double hits = 0;
    int queries = 50;
    Random r = new Random(9);
    for (int t = 0; t < queries; t++) {
      float[] q = model.userVector(t, 1);
      int[] ex = t % 2 == 0 ? new int[0] : IntStream.generate(() -> r.nextInt(rows)).limit(1200).distinct().sorted()
          .toArray();
      Hits a = hnsw.search(q, 20, ex);
      Hits e = exact.search(q, 20, ex);
      assertThat(a.size()).isEqualTo(20);
      Set<Integer> exSet = new HashSet<>();
      Arrays.stream(ex).forEach(exSet::add);
      Arrays.stream(a.rows()).forEach(row -> assertThat(exSet).doesNotContain(row));
      Set<Integer> truth = new HashSet<>();
      Arrays.stream(e.rows()).forEach(truth::add);
      hits += Arrays.stream(a.rows()).filter(truth::contains).count();
      for (int i = 0; i < a.size(); i++) {
        assertThat(a.scores()[i]).isCloseTo(Kernels.best().dot(m, a.rows()[i], q), org.assertj.core.data.Offset.offset(1e-4f));
      }
    }
    assertThat(hits / (queries * 20.0)).as("recall@20 of HNSW against exact").isGreaterThan(0.9);
  }
}
