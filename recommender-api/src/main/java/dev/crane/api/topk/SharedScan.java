package dev.crane.api.topk;

import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Concurrent queries share passes over the item matrix. A pass is memory-bound (63k x 64 floats are
 * 16 MB, out of cache by the next query), so scoring the queries that wait together costs little
 * more than scoring one ({@link ScoreKernel.Scan#scores(float[][], float[][], int)}).
 *
 * <p>Leader/follower, no thread of its own: a query that finds fewer than {@code maxPasses} passes
 * running starts one over every query waiting then (up to {@link #MAX_BATCH}, oldest first, its own
 * among them), the others wait for the pass that takes theirs. Alone a query is scored at once; under
 * load the batches grow with the load, and a query waits at most for the pass running plus its own.
 */
public final class SharedScan {
  /** Eight queries per pass: 0.13 ms each out of cache against 0.20 for four; more mostly adds latency. */
  public static final int MAX_BATCH = 8;

  private final ScoreKernel.Scan scan;
  private final int maxPasses;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition passEnded = lock.newCondition();
  private final ArrayDeque<Query> waiting = new ArrayDeque<>();
  private int running;

  /** @param maxPasses passes at once, each on the thread of the query that started it */
  public SharedScan(ScoreKernel.Scan scan, int maxPasses) {
    if (maxPasses < 1) {
      throw new IllegalArgumentException("passes at once must be >= 1, got " + maxPasses);
    }
    this.scan = scan;
    this.maxPasses = maxPasses;
  }

  /** out[i] = ⟨row i, q⟩ for every row, as {@link ScoreKernel.Scan#scores(float[], float[])}. */
  public void scores(float[] q, float[] out) {
    Query me = new Query(q, out);
    lock.lock();
    try {
      waiting.add(me);
      while (!me.done) {
        if (running < maxPasses && !waiting.isEmpty()) {
          pass();
        } else {
          passEnded.awaitUninterruptibly();
        }
      }
    } finally {
      lock.unlock();
    }
    if (me.failure != null) {
      throw new IllegalStateException("the shared scan failed: " + me.failure, me.failure);
    }
  }

  public int paddedRows() {
    return scan.paddedRows();
  }

  /** Queries waiting for a pass (tests). */
  int waiting() {
    lock.lock();
    try {
      return waiting.size();
    } finally {
      lock.unlock();
    }
  }

  /** Takes the oldest waiting queries and scores them outside the lock. Called with the lock held. */
  private void pass() {
    int n = Math.min(MAX_BATCH, waiting.size());
    Query[] batch = new Query[n];
    float[][] qs = new float[n][];
    float[][] outs = new float[n][];
    for (int i = 0; i < n; i++) {
      batch[i] = waiting.poll();
      qs[i] = batch[i].q;
      outs[i] = batch[i].out;
    }
    running++;
    lock.unlock();
    Throwable failure = null;
    try {
      scan.scores(qs, outs, n);
    } catch (RuntimeException | Error e) {
      failure = e; // every query of the pass fails with it, not only the one whose thread ran it
    } finally {
      lock.lock();
      running--;
      for (Query query : batch) {
        query.failure = failure;
        query.done = true;
      }
      passEnded.signalAll();
    }
  }

  /** One query and where its scores go; its fields are guarded by the lock. */
  private static final class Query {
    final float[] q;
    final float[] out;
    boolean done;
    Throwable failure;

    Query(float[] q, float[] out) {
      this.q = q;
      this.out = out;
    }
  }
}
