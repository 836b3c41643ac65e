package dev.crane.api.bench;

import dev.crane.schemas.grpc.RecommendRequest;
import dev.crane.schemas.grpc.RecommenderGrpc;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.MethodDescriptor;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;
import java.util.function.LongConsumer;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * An open-loop load generator: request i is due at t0 + i / rate whatever happened to the earlier
 * ones, sent asynchronously, and its latency is measured from when it was due, not from when it
 * was sent. A stalled server therefore shows in the percentiles in full (no coordinated omission:
 * a closed loop would simply send less while the server stalls). Bounded in time: it stops sending
 * after the duration and waits at most the call deadline for the last replies.
 *
 * <p>On one host the generator shares the cores with the service, so it is kept light: requests
 * are built before the clock runs (by the caller) and a reply counts by its status, not parsed
 * (its bytes are skipped; the tests check what replies hold).
 */
public final class LoadGenerator {
  /**
   * One run's figures. Latencies in milliseconds. The timeline splits the measured window into
   * {@link #BUCKET_NANOS} pieces by when calls were due: how many took over {@link #SLOW_MS}, and the
   * slowest (where in a window a tail comes from, e.g. during a swap). {@code gcPauseCount} and {@code
   * gcPauseMs}: the stop-the-world collections of this JVM (server and generator alike) within the
   * measured window, as its collectors' beans report them (G1 on JDK 17 leaves out its Remark and
   * Cleanup pauses).
   */
  public record Result(double offeredQps, double achievedQps, long sent, long ok, long errors, double p50Ms,
      double p99Ms, double maxMs, Histogram histogram, int[] slowCallsByBucket, double[] maxMsByBucket,
      long gcPauseCount, long gcPauseMs) {
    /** Sustained: every call answered, at the offered rate, with p99 under the bound. */
    public boolean sustained(double p99BoundMs) {
      return errors == 0 && achievedQps >= 0.95 * offeredQps && p99Ms <= p99BoundMs;
    }

    @Override
    public String toString() {
      return String.format("offered %.0f/s achieved %.0f/s, %d ok, %d errors, p50 %.2f ms, p99 %.2f ms, max %.1f ms, "
          + "%d GC pauses of %d ms in all", offeredQps, achievedQps, ok, errors, p50Ms, p99Ms, maxMs, gcPauseCount,
          gcPauseMs);
    }
  }

  private static final Duration DEADLINE = Duration.ofSeconds(5);
  /** The timeline's piece of the measured window. */
  public static final long BUCKET_NANOS = 500_000_000L;
  /** A call slower than this counts as slow in the timeline (the 63k p99 target). */
  public static final double SLOW_MS = 5;

  /** Recommend with the reply's bytes skipped, not parsed into messages. */
  private static final MethodDescriptor<RecommendRequest, Integer> RECOMMEND_UNPARSED = RecommenderGrpc
      .getRecommendMethod().toBuilder(RecommenderGrpc.getRecommendMethod().getRequestMarshaller(), new Skipping())
      .build();

  private final Channel[] channels;
  private final IntFunction<RecommendRequest> requests;
  private boolean lastOverloaded;

  /**
   * @param channels calls go round-robin over them, as from several clients (one HTTP/2
   *     connection is served by one event-loop thread)
   * @param requests the i-th request
   */
  public LoadGenerator(java.util.List<? extends Channel> channels, IntFunction<RecommendRequest> requests) {
    this.channels = channels.toArray(Channel[]::new);
    this.requests = requests;
  }

  /**
   * Channels to a server on this machine for {@link #LoadGenerator}: replies are handled on the
   * transport's threads (the handler only records a number), so the generator adds no thread hops.
   * (One event-loop thread of the generator's own instead of gRPC's shared group was tried: it
   * could not carry 5k QPS against the 63k version, and was no better below that.)
   */
  public static java.util.List<io.grpc.ManagedChannel> loopbackChannels(int port, int n) {
    java.util.List<io.grpc.ManagedChannel> out = new java.util.ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(io.grpc.ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().directExecutor().build());
    }
    return out;
  }

  /** Reads a reply's size and skips its bytes. */
  private static final class Skipping implements MethodDescriptor.Marshaller<Integer> {
    @Override
    public InputStream stream(Integer value) {
      throw new UnsupportedOperationException("replies only");
    }

    @Override
    public Integer parse(InputStream stream) {
      try (stream) {
        int n = stream.available();
        stream.skipNBytes(n);
        return n;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** Runs at {@code qps} for {@code warmup} (not measured), then for {@code duration}. */
  public Result run(double qps, Duration warmup, Duration duration) {
    return run(qps, warmup, duration, t -> {});
  }

  /**
   * @param tick called from the sending thread about every 100 ms with the nanoseconds since the
   *     measured window began (the swap benchmark publishes a version from it)
   */
  public Result run(double qps, Duration warmup, Duration duration, LongConsumer tick) {
    // After an overloaded run the server is still working off calls whose clients gave up: let it.
    LockSupport.parkNanos(lastOverloaded ? 5_000_000_000L : 1_000_000_000L);
    Recorder recorder = new Recorder(3);
    AtomicLong ok = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    AtomicLong outstanding = new AtomicLong();
    double interval = 1e9 / qps;
    long start = System.nanoTime();
    long measureFrom = start + warmup.toNanos();
    long end = measureFrom + duration.toNanos();
    long sent = 0;
    long nextTick = measureFrom;
    long[] gcBefore = null;
    int buckets = (int) ((duration.toNanos() + BUCKET_NANOS - 1) / BUCKET_NANOS);
    AtomicIntegerArray slow = new AtomicIntegerArray(buckets);
    AtomicLongArray maxMicros = new AtomicLongArray(buckets);
    for (long i = 0; ; i++) {
      long due = start + (long) (i * interval);
      if (due >= end) {
        break;
      }
      long now;
      while ((now = System.nanoTime()) < due) {
        long wait = due - now;
        if (wait > 20_000) {
          LockSupport.parkNanos(wait - 10_000);
        } else {
          Thread.onSpinWait();
        }
      }
      if (now >= measureFrom && gcBefore == null) {
        gcBefore = gcPauseTotals();
      }
      if (now >= nextTick && now >= measureFrom) {
        tick.accept(now - measureFrom);
        nextTick = now + 100_000_000;
      }
      boolean measured = due >= measureFrom;
      if (measured) {
        sent++;
      }
      outstanding.incrementAndGet();
      Channel channel = channels[(int) (i % channels.length)];
      ClientCalls.asyncUnaryCall(channel.newCall(RECOMMEND_UNPARSED,
          CallOptions.DEFAULT.withDeadlineAfter(DEADLINE.toMillis(), TimeUnit.MILLISECONDS)), requests.apply((int) i),
          new StreamObserver<>() {
            @Override
            public void onNext(Integer bytes) {}

            @Override
            public void onError(Throwable t) {
              if (measured) {
                errors.incrementAndGet();
              }
              outstanding.decrementAndGet();
            }

            @Override
            public void onCompleted() {
              if (measured) {
                long micros = Math.max(1, (System.nanoTime() - due) / 1000); // since due
                recorder.recordValue(micros);
                int bucket = (int) ((due - measureFrom) / BUCKET_NANOS);
                if (micros > SLOW_MS * 1000) {
                  slow.incrementAndGet(bucket);
                }
                maxMicros.accumulateAndGet(bucket, micros, Math::max);
                ok.incrementAndGet();
              }
              outstanding.decrementAndGet();
            }
          });
    }
    long[] gcAfter = gcPauseTotals();
    long[] gc = gcBefore == null ? new long[2] // no call fell in the window: nothing to charge to it
        : new long[] {gcAfter[0] - gcBefore[0], gcAfter[1] - gcBefore[1]};
    long drainUntil = System.nanoTime() + DEADLINE.toNanos() + 1_000_000_000L;
    while (outstanding.get() > 0 && System.nanoTime() < drainUntil) {
      LockSupport.parkNanos(1_000_000);
    }
    double seconds = duration.toNanos() / 1e9;
    Histogram h = recorder.getIntervalHistogram();
    lastOverloaded = errors.get() + outstanding.get() > 0 || ok.get() < 0.95 * sent;
    int[] slowByBucket = new int[buckets];
    double[] maxMsByBucket = new double[buckets];
    for (int b = 0; b < buckets; b++) {
      slowByBucket[b] = slow.get(b);
      maxMsByBucket[b] = maxMicros.get(b) / 1000.0;
    }
    return new Result(qps, ok.get() / seconds, sent, ok.get(), errors.get() + outstanding.get(),
        h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0, h.getMaxValue() / 1000.0, h,
        slowByBucket, maxMsByBucket, gc[0], gc[1]);
  }

  /**
   * Collections and milliseconds so far of the collectors' beans that count pauses (G1's young and
   * old, ZGC's and Shenandoah's "Pauses"); their "Cycles" beans time concurrent work and are left out.
   */
  static long[] gcPauseTotals() {
    long[] total = new long[2];
    for (GarbageCollectorMXBean b : ManagementFactory.getGarbageCollectorMXBeans()) {
      String name = b.getName();
      if (!name.contains("Cycles") && b.getCollectionCount() > 0) {
        total[0] += b.getCollectionCount();
        total[1] += b.getCollectionTime();
      }
    }
    return total;
  }

  /**
   * The highest rate of {@code ladder} (ascending) that is sustained, stopping at the first that
   * is not.
   *
   * @return the highest sustained rate, or 0
   */
  public double maxSustained(double[] ladder, Duration warmup, Duration step, double p99BoundMs,
      java.util.function.Consumer<Result> report) {
    double best = 0;
    for (double qps : ladder) {
      Result r = run(qps, warmup, step);
      report.accept(r);
      if (!r.sustained(p99BoundMs)) {
        // One more try: on a shared machine a neighbour's burst can sink a single step.
        r = run(qps, warmup, step);
        report.accept(r);
        if (!r.sustained(p99BoundMs)) {
          break;
        }
      }
      best = qps;
    }
    return best;
  }
}
