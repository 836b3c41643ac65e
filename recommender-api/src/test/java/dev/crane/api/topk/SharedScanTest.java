package dev.crane.api.topk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SharedScanTest {
  private final ExecutorService pool = Executors.newFixedThreadPool(8);

  @AfterEach
  void stop() {
    pool.shutdownNow();
  }

  /** A scan that records each pass's size and, when asked, holds its first pass until released. */
  private static final class Recording implements ScoreKernel.Scan {
    final ScoreKernel.Scan real;
    final List<Integer> passes = Collections.synchronizedList(new ArrayList<>());
    final CountDownLatch firstPassStarted = new CountDownLatch(1);
    final CountDownLatch release;
    RuntimeException failWith;

    Recording(ScoreKernel.Scan real, boolean holdFirst) {
      this.real = real;
      this.release = new CountDownLatch(holdFirst ? 1 : 0);
    }

    @Override
    public void scores(float[] q, float[] out) {
      real.scores(q, out);
    }

    @Override
    public float score(float[] q, int row) {
      return real.score(q, row);
    }

    @Override
    public void scores(float[][] qs, float[][] outs, int n) {
      boolean first = passes.isEmpty();
      passes.add(n);
      if (first) {
        firstPassStarted.countDown();
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      if (failWith != null) {
        throw failWith;
      }
      real.scores(qs, outs, n);
    }

    @Override
    public int paddedRows() {
      return real.paddedRows();
    }
  }

  private static float[] random(Random r, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) r.nextGaussian();
    }
    return a;
  }

  /** The best kernel's scan of a random rows x d matrix. */
  private static ScoreKernel.Scan randomScan(Random r, int rows, int d) {
    return Kernels.best().scan(random(r, rows * d), rows, d);
  }

  @Test
  void queriesArrivingDuringAPassShareTheNextOneAndEachGetsItsOwnScores() throws Exception {
    Random r = new Random(7);
    int d = 16;
    ScoreKernel.Scan real = randomScan(r, 500, d);
    Recording recording = new Recording(real, true);
    SharedScan shared = new SharedScan(recording, 1);
    float[][] qs = new float[8][];
    float[][] outs = new float[8][];
    List<Future<?>> calls = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      qs[i] = random(r, d);
      outs[i] = new float[shared.paddedRows()];
      int query = i;
      calls.add(pool.submit(() -> shared.scores(qs[query], outs[query])));
      if (i == 0) {
        assertThat(recording.firstPassStarted.await(10, TimeUnit.SECONDS)).isTrue();
      }
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (shared.waiting() < 7 && System.nanoTime() < deadline) {
      Thread.sleep(1);
    }
    assertThat(shared.waiting()).as("the seven later queries wait for the pass running").isEqualTo(7);
    recording.release.countDown();
    for (Future<?> c : calls) {
      c.get(10, TimeUnit.SECONDS);
    }
    assertThat(recording.passes).as("one pass alone, then one for the seven that waited").containsExactly(1, 7);
    for (int i = 0; i < 8; i++) {
      float[] alone = new float[real.paddedRows()];
      real.scores(qs[i], alone);
      assertThat(outs[i]).as("query %d", i).containsExactly(alone);
    }
  }

  @Test
  void aFailedPassFailsEveryQueryInItAndTheNextPassesStillRun() throws Exception {
    Random r = new Random(8);
    ScoreKernel.Scan real = randomScan(r, 100, 8);
    Recording recording = new Recording(real, false);
    SharedScan shared = new SharedScan(recording, 1);
    recording.failWith = new IllegalStateException("boom");
    assertThatThrownBy(() -> shared.scores(random(r, 8), new float[shared.paddedRows()]))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("boom");
    recording.failWith = null;
    float[] out = new float[shared.paddedRows()];
    float[] q = random(r, 8);
    shared.scores(q, out);
    float[] alone = new float[real.paddedRows()];
    real.scores(q, alone);
    assertThat(out).containsExactly(alone);
  }

  @Test
  void manyThreadsAtOnceEachGetTheirOwnScores() throws Exception {
    Random r = new Random(9);
    int d = 32;
    ScoreKernel.Scan real = randomScan(r, 2000, d);
    Recording recording = new Recording(real, false);
    SharedScan shared = new SharedScan(recording, 2);
    List<Future<Boolean>> calls = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      long seed = t;
      calls.add(pool.submit(() -> {
        Random own = new Random(seed);
        for (int i = 0; i < 200; i++) {
          float[] q = random(own, d);
          float[] out = new float[shared.paddedRows()];
          float[] alone = new float[real.paddedRows()];
          shared.scores(q, out);
          real.scores(q, alone);
          if (!java.util.Arrays.equals(out, alone)) {
            return false;
          }
        }
        return true;
      }));
    }
    for (Future<Boolean> c : calls) {
      assertThat(c.get(60, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(recording.passes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(1600);
    assertThat(recording.passes).allMatch(n -> n >= 1 && n <= SharedScan.MAX_BATCH);
  }

  @Test
  void passesAtOnceMustBePositive() {
    assertThatThrownBy(() -> new SharedScan(Kernels.loops().scan(new float[4], 2, 2), 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(">= 1");
  }
}
