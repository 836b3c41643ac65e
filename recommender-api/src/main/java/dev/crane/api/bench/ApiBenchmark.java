package dev.crane.api.bench;

import dev.crane.api.app.RecommenderApi;
import dev.crane.api.config.ApiConfig;
import dev.crane.api.config.ConfigLoader;
import dev.crane.api.metrics.ApiMetrics;
import dev.crane.api.model.EmbeddingTable;
import dev.crane.api.serving.LiveVersion;
import dev.crane.api.topk.ExactIndex;
import dev.crane.api.topk.Hits;
import dev.crane.api.topk.Kernels;
import dev.crane.embedded.EmbeddedRuntime;
import dev.crane.ops.bench.Machine;
import dev.crane.schemas.Topics;
import dev.crane.schemas.avro.Interaction;
import dev.crane.schemas.grpc.RecommendRequest;
import dev.crane.schemas.grpc.RecommendResponse;
import dev.crane.schemas.grpc.RecommenderGrpc;
import dev.crane.schemas.grpc.ScoredItem;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The recommender API's benchmark (docs/benchmarks.md): versions of 7k, 63k and 1M items x 64-d
 * published through the real topics and registry into a running service, open-loop Recommend load
 * over loopback gRPC at fixed rates and up a ladder to the highest sustained rate, a swap under
 * load, freshness of fold-in, long histories, and HNSW recall@20 against the exact scan. Prints
 * each figure as it comes and writes them all as flat JSON.
 */
public final class ApiBenchmark {
  private static final Logger LOG = LoggerFactory.getLogger(ApiBenchmark.class);
  static final int DIM = 64;
  static final int CLUSTERS = 64;
  static final long SEED = 20261205L;
  private static final double[] FIXED = {1000, 2000, 5000};
  private static final double[] LADDER = {1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000, 10000, 12000, 14000,
      16000};
  /** A rate counts as sustained while p99 stays under this (and nothing fails, and the rate is met). */
  private static final double SUSTAINED_P99_MS = 50;

  /** What to run. */
  public record Options(Path out, Path work, int users, Duration step, boolean million, int swapRounds,
      boolean swapOnly, String command, Map<String, String> serviceSettings) {}

  private final Options o;
  private final Map<String, Object> figures = new LinkedHashMap<>();
  private final SyntheticModel model = new SyntheticModel(DIM, CLUSTERS, SEED);
  private EmbeddedRuntime runtime;
  private boolean longHistoriesSent;
  /**
   * The newest version published: 1 = 7k, 2 = 63k, then the swaps' 63k versions (two warm-up swaps
   * first), then 1M; with --swap-only 1 = 63k.
   */
  private long lastVersion;
  private final Map<String, List<ManagedChannel>> loadChannels = new HashMap<>();
  private final Map<Integer, RecommendRequest[]> requestsByK = new HashMap<>();
  /** The exact reference per item table (a tiled copy each: made once). */
  private final Map<EmbeddingTable, ExactIndex> exactIndexes = new java.util.IdentityHashMap<>();

  public ApiBenchmark(Options options) {
    this.o = options;
  }

  public Map<String, Object> run() throws Exception {
    figures.put("command", o.command());
    figures.put("date", java.time.LocalDate.now().toString());
    figures.put("machine", Machine.describe());
    figures.put("load_average", Machine.loadAverages());
    figures.put("jvm_args", String.join(" ", java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()));
    figures.put("topk_kernel", Kernels.best().name());
    figures.put("users", o.users());
    figures.put("dim", DIM);
    figures.put("sustained_p99_bound_ms", SUSTAINED_P99_MS);
    figures.put("service_settings", new java.util.TreeMap<>(o.serviceSettings()).toString());
    runtime = EmbeddedRuntime.start(o.work().resolve("infra"), 2);
    try (VersionPublisher publisher = new VersionPublisher(runtime.bootstrapServers(), runtime.schemaRegistryUrl());
        Producer<String, Interaction> interactions = interactionProducer()) {
      ApiMetrics metrics = ApiMetrics.inMemory();
      try (RecommenderApi api = RecommenderApi.start(config("api-exact", 500_000), metrics)) {
        ManagedChannel ch = channel(api);
        if (o.swapOnly()) {
          // the 63k version and the JIT's warm-up, then the swap rounds alone (after a 10 s warm-up the first
          // round's steady p99 was still 2x the others'; the full run has minutes of load before its swaps)
          publish(publisher, api, ++lastVersion, 63_000, "63k");
          LOG.info("63k: warming up, {}", generator(ch, 20).run(2000, Duration.ofSeconds(10), Duration.ofSeconds(50)));
          swapRounds(ch, publisher, api);
        } else {
          publish(publisher, api, ++lastVersion, 7_000, "7k");
          rates(ch, "7k_exact");
          publish(publisher, api, ++lastVersion, 63_000, "63k");
          rates(ch, "63k_exact");
          swapRounds(ch, publisher, api);
          freshness(ch, interactions, api);
          longHistories(ch, interactions, api, "exact", "u_long");
          // A second service that indexes the same 63k version with HNSW (it reads the last swap's version from the topics).
          long hnswStart = System.nanoTime();
          try (RecommenderApi hnsw = RecommenderApi.start(config("api-hnsw", 50_000), ApiMetrics.inMemory())) {
            ManagedChannel ch2 = channel(hnsw);
            await("63k HNSW service", Duration.ofMinutes(5), () -> hnsw.state().current() != null
                && hnsw.state().current().version() == lastVersion && hnsw.feedsCaughtUp());
            figure("63k_hnsw_index", hnsw.state().current().index().kind());
            figure("63k_hnsw_loaded_s", round((System.nanoTime() - hnswStart) / 1e9, 1));
            rates(ch2, "63k_hnsw");
            recall(ch2, hnsw, "63k_hnsw", 500);
            longHistories(ch2, interactions, hnsw, "hnsw", "u_long");
            ch2.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
          }
          firstPassInterleaved(api);
          if (o.million()) {
            publish(publisher, api, ++lastVersion, 1_000_000, "1m");
            rates(ch, "1m_hnsw");
            recall(ch, api, "1m_hnsw", 300);
          }
        }
        ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    } finally {
      loadChannels.values().forEach(l -> l.forEach(ManagedChannel::shutdownNow));
      runtime.close();
    }
    figures.put("load_average_after", Machine.loadAverages());
    return figures;
  }

  private ApiConfig config(String name, int hnswMinItems) {
    return config(name, hnswMinItems, o.serviceSettings());
  }

  private ApiConfig config(String name, int hnswMinItems, Map<String, String> serviceSettings) {
    Map<String, String> settings = new HashMap<>(Map.of("bootstrap.servers", runtime.bootstrapServers(),
        "schema.registry.url", runtime.schemaRegistryUrl(), "grpc.host", "127.0.0.1", "grpc.port", "0",
        "state.dir", o.work().resolve(name).toString(), "hnsw.min.items", Integer.toString(hnswMinItems),
        "k.max", "1000", "metrics.port", "-1",
        // no load is measured while a graph builds: give it every core (the service's default is half)
        "hnsw.build.threads", Integer.toString(Runtime.getRuntime().availableProcessors())));
    settings.putAll(serviceSettings);
    return ConfigLoader.fromMap(settings);
  }

  /** Four connections to the same server for the load generator, made once per server and closed at the end. */
  private List<ManagedChannel> loadChannels(ManagedChannel ch) {
    return loadChannels.computeIfAbsent(ch.authority(), a -> LoadGenerator.loopbackChannels(
        Integer.parseInt(a.substring(a.lastIndexOf(':') + 1)), 4));
  }

  private static ManagedChannel channel(RecommenderApi api) {
    return ManagedChannelBuilder.forAddress("127.0.0.1", api.grpcPort()).usePlaintext().build();
  }

  private void publish(VersionPublisher p, RecommenderApi api, long version, int items, String label) {
    long t0 = System.nanoTime();
    p.publish(model.manifest(version, "bpr"), model.users(o.users(), version), model.items(items, version));
    double sent = (System.nanoTime() - t0) / 1e9;
    await("version " + version + " in service", Duration.ofMinutes(20),
        () -> api.state().current() != null && api.state().current().version() == version);
    double total = (System.nanoTime() - t0) / 1e9;
    figure(label + "_publish_s", round(sent, 1));
    figure(label + "_published_to_served_s", round(total, 1));
    figure(label + "_index", api.state().current().index().kind());
    if (api.state().current().index() instanceof ExactIndex exact) {
      figure(label + "_exact_first_pass", exact.int8First() ? "int8" : "float");
    }
  }

  /** Users in a fixed order that visits every one; requests built once per k, before any clock runs. */
  private LoadGenerator generator(ManagedChannel ch, int k) {
    RecommendRequest[] requests = requestsByK.computeIfAbsent(k, kk -> {
      RecommendRequest[] out = new RecommendRequest[o.users()];
      for (int u = 0; u < out.length; u++) {
        out[u] = RecommendRequest.newBuilder().setUserId(SyntheticModel.userId(Math.floorMod(u * 7919, o.users())))
            .setK(kk).build();
      }
      return out;
    });
    return new LoadGenerator(loadChannels(ch), i -> requests[i % requests.length]);
  }

  private void rates(ManagedChannel ch, String prefix) {
    LoadGenerator g = generator(ch, 20);
    // The JIT compiles the serving path under load first: not measured.
    LOG.info("{}: warming up, {}", prefix, g.run(2000, Duration.ofSeconds(8), Duration.ofSeconds(2)));
    for (double qps : FIXED) {
      LoadGenerator.Result r = g.run(qps, Duration.ofSeconds(2), o.step());
      String rate = (int) (qps / 1000) + "k_qps";
      LOG.info("{} at {}: {}", prefix, rate, r);
      figure(prefix + "_p50_ms_" + rate, round(r.p50Ms(), 3));
      figure(prefix + "_p99_ms_" + rate, round(r.p99Ms(), 3));
      figure(prefix + "_errors_" + rate, r.errors());
    }
    double max = g.maxSustained(LADDER, Duration.ofSeconds(1), Duration.ofSeconds(4), SUSTAINED_P99_MS,
        r -> LOG.info("{} ladder: {}", prefix, r));
    figure(prefix + "_max_qps", max);
  }

  /**
   * The exact scan's first pass, int8 against float, on the same 63k version in this JVM: a second
   * service with the int8 pass off reads the last swap's version, and the two take 2k and 4k QPS steps in turn, three
   * rounds, so that a drift of the machine falls on both alike. A third contender in the same rounds
   * is the harness's floor: a server that answers at once with a fixed reply of the same shape
   * ({@link FixedReplyServer}). Figures: the median round's p50/p99.
   */
  private void firstPassInterleaved(RecommenderApi api) throws Exception {
    Map<String, String> off = new HashMap<>(o.serviceSettings());
    off.put("exact.int8.min.items", Integer.toString(Integer.MAX_VALUE));
    try (RecommenderApi floats = RecommenderApi.start(config("api-exact-float", 500_000, off), ApiMetrics.inMemory());
        FixedReplyServer floor = new FixedReplyServer(20, api.config().effectiveGrpcThreads())) {
      await("63k float-pass service", Duration.ofMinutes(5), () -> floats.state().current() != null
          && floats.state().current().version() == lastVersion && floats.feedsCaughtUp());
      // key prefix -> channel
      Map<String, ManagedChannel> contenders = new LinkedHashMap<>();
      contenders.put("63k_firstpass_" + firstPass(api), channel(api));
      contenders.put("63k_firstpass_" + firstPass(floats), channel(floats));
      contenders.put("fixed_reply", ManagedChannelBuilder.forAddress("127.0.0.1", floor.port()).usePlaintext().build());
      contenders.forEach((name, ch) -> LOG.info("{}: warming up, {}", name,
          generator(ch, 20).run(2000, Duration.ofSeconds(8), Duration.ofSeconds(2))));
      Map<String, List<LoadGenerator.Result>> results = new LinkedHashMap<>();
      for (int round = 0; round < 3; round++) {
        for (double qps : new double[] {2000, 4000}) {
          for (var e : contenders.entrySet()) {
            LoadGenerator.Result r = generator(e.getValue(), 20).run(qps, Duration.ofSeconds(2), o.step());
            String key = e.getKey() + "_%s_" + (int) (qps / 1000) + "k_qps";
            LOG.info("{} at {} QPS, round {}: {}", e.getKey(), (int) qps, round + 1, r);
            results.computeIfAbsent(key, k -> new java.util.ArrayList<>()).add(r);
          }
        }
      }
      results.forEach((key, rs) -> {
        double[] p50 = rs.stream().mapToDouble(LoadGenerator.Result::p50Ms).sorted().toArray();
        double[] p99 = rs.stream().mapToDouble(LoadGenerator.Result::p99Ms).sorted().toArray();
        figure(String.format(key, "p50_ms"), round(p50[p50.length / 2], 3));
        figure(String.format(key, "p99_ms"), round(p99[p99.length / 2], 3));
        figure(String.format(key, "p99_ms_rounds"), Arrays.toString(rs.stream().mapToDouble(r -> round(r.p99Ms(), 2)).toArray()));
        figure(String.format(key, "errors"), rs.stream().mapToLong(LoadGenerator.Result::errors).sum());
      });
      for (ManagedChannel ch : contenders.values()) {
        ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  private static String firstPass(RecommenderApi api) {
    return api.state().current().index() instanceof ExactIndex e && e.int8First() ? "int8" : "float";
  }

  /**
   * Swaps under load: rounds of two swaps each, p99 and errors at 2k QPS over a window in which a
   * new 63k version is published, loaded and switched to. In each round one version comes from a
   * child JVM at the lowest CPU priority (as from a trainer on its own machine: {@code swap_*}, the
   * issue's figure) and one from a publisher in this JVM ({@code swap_inprocess_publisher_*}),
   * so that the two are compared on the same host within the minute, in alternating order. Each
   * swap has its own steady 10 s before it; the figures are the median round's (an odd number of
   * rounds), with every round's listed, and the p99s of all rounds' windows pooled.
   */
  private void swapRounds(ManagedChannel ch, VersionPublisher inProcess, RecommenderApi api) throws Exception {
    figure("swap_rounds", o.swapRounds());
    figure("swap_publisher", PublisherProcess.priority());
    // One untimed swap of each kind first: a service in production has swapped before, and the first
    // swaps of this JVM compile the feed's, the loader's and the publishers' code while queries run
    // (C2 compiled for 0.4-0.5 s in the first and about 2 s in the second, -XX:+LogCompilation).
    figure("swap_warmup_swaps", 2);
    for (String mode : new String[] {"swap", "swap_inprocess_publisher"}) {
      long version = ++lastVersion;
      LOG.info("{} warm-up (version {}, not counted): {}", mode, version, swap(mode, ch, inProcess, api, version).swap);
    }
    Map<String, List<Swap>> swaps = new LinkedHashMap<>();
    for (int round = 0; round < o.swapRounds(); round++) {
      // the order alternates: the first swap of a round meets the host as the previous round left it
      String[] modes = round % 2 == 0 ? new String[] {"swap", "swap_inprocess_publisher"}
          : new String[] {"swap_inprocess_publisher", "swap"};
      for (String mode : modes) {
        long version = ++lastVersion;
        Swap s = swap(mode, ch, inProcess, api, version);
        LOG.info("{} round {} (version {}): {} (steady: {})", mode, round + 1, version, s.swap, s.steady);
        swaps.computeIfAbsent(mode, m -> new java.util.ArrayList<>()).add(s);
      }
    }
    swaps.forEach(this::swapFigures);
  }

  /** One swap to {@code version}, published by a child JVM ({@code swap}) or from this JVM. */
  private Swap swap(String mode, ManagedChannel ch, VersionPublisher inProcess, RecommenderApi api, long version)
      throws Exception {
    if (mode.equals("swap")) {
      try (PublisherProcess child = PublisherProcess.start(runtime.bootstrapServers(), runtime.schemaRegistryUrl(),
          version, o.users(), 63_000, Duration.ofMinutes(2))) {
        return swapUnderLoad(ch, api, version, () -> child.publish(Duration.ofMinutes(5)));
      }
    }
    return swapUnderLoad(ch, api, version, () -> inProcess.publish(model.manifest(version, "bpr"),
        model.users(o.users(), version), model.items(63_000, version)));
  }

  /** One swap: the steady window before it, the window with the swap, and when it began and ended. */
  private record Swap(LoadGenerator.Result steady, LoadGenerator.Result swap, long startedNs, long publishToServedNs) {
    double ratio() {
      return swap.p99Ms() / Math.max(1e-9, steady.p99Ms());
    }

    /** The half seconds from the publication's start to half a second after the swap. */
    int[] period() {
      int from = (int) (startedNs / LoadGenerator.BUCKET_NANOS);
      int to = (int) Math.min(swap.slowCallsByBucket().length,
          (startedNs + publishToServedNs) / LoadGenerator.BUCKET_NANOS + 2);
      return new int[] {from, to};
    }

    /** Calls over 5 ms in {@link #period()}: the swap's own tail, apart from the rest of the window. */
    int periodSlowCalls() {
      int[] p = period();
      return Arrays.stream(swap.slowCallsByBucket(), p[0], p[1]).sum();
    }

    /** Calls over 5 ms that the steady window's rate gives for a stretch as long as {@link #period()}. */
    double steadySlowCallsForPeriod() {
      int[] p = period();
      int[] steadyBuckets = steady.slowCallsByBucket();
      return (double) Arrays.stream(steadyBuckets).sum() / steadyBuckets.length * (p[1] - p[0]);
    }
  }

  private Swap swapUnderLoad(ManagedChannel ch, RecommenderApi api, long version, Runnable publish) throws Exception {
    LoadGenerator g = generator(ch, 20);
    LoadGenerator.Result steady = g.run(2000, Duration.ofSeconds(2), Duration.ofSeconds(10));
    AtomicBoolean started = new AtomicBoolean();
    long[] swapNs = {0, 0};
    long[] startedAt = {0}; // in the measured window
    java.util.concurrent.atomic.AtomicReference<Throwable> failed = new java.util.concurrent.atomic.AtomicReference<>();
    Thread publishing = new Thread(() -> {
      try {
        swapNs[0] = System.nanoTime();
        publish.run();
        await("version " + version, Duration.ofMinutes(5), () -> api.state().current().version() == version);
        swapNs[1] = System.nanoTime();
      } catch (Throwable t) {
        failed.set(t);
      }
    }, "bench-publish-v" + version);
    LoadGenerator.Result swap = g.run(2000, Duration.ofSeconds(2), Duration.ofSeconds(20), t -> {
      if (t > 2_000_000_000L && started.compareAndSet(false, true)) {
        startedAt[0] = t;
        publishing.start();
      }
    });
    publishing.join();
    if (failed.get() != null) {
      // a window without a swap must not count as one (a publisher killed mid-transaction would also
      // hold back the service's read_committed consumer for the transaction's timeout)
      throw new IllegalStateException("benchmark: version " + version + " was not published and served: "
          + failed.get().getMessage(), failed.get());
    }
    if (!started.get()) {
      throw new IllegalStateException("benchmark: the swap window ended before version " + version + " was published");
    }
    return new Swap(steady, swap, startedAt[0], swapNs[1] - swapNs[0]);
  }

  private void swapFigures(String prefix, List<Swap> rounds) {
    Swap median = rounds.stream().sorted(java.util.Comparator.comparingDouble(Swap::ratio)).toList()
        .get(rounds.size() / 2);
    LoadGenerator.Result swap = median.swap;
    figure(prefix + "_p99_ms_2k_qps", round(swap.p99Ms(), 3));
    figure(prefix + "_p50_ms_2k_qps", round(swap.p50Ms(), 3));
    figure(prefix + "_max_ms_2k_qps", round(swap.maxMs(), 1));
    figure(prefix + "_steady_p99_ms_2k_qps", round(median.steady.p99Ms(), 3));
    figure(prefix + "_p99_over_steady", round(median.ratio(), 2));
    figure(prefix + "_errors", rounds.stream().mapToLong(s -> s.swap.errors()).sum());
    figure(prefix + "_p99_ms_rounds", Arrays.toString(rounds.stream().mapToDouble(s -> round(s.swap.p99Ms(), 2)).toArray()));
    figure(prefix + "_steady_p99_ms_rounds", Arrays.toString(
        rounds.stream().mapToDouble(s -> round(s.steady.p99Ms(), 2)).toArray()));
    figure(prefix + "_p99_over_steady_rounds", Arrays.toString(rounds.stream().mapToDouble(s -> round(s.ratio(), 2)).toArray()));
    // The ratio moves with the host's noise in either window; these count the swap's own slow calls.
    figure(prefix + "_period_calls_over_5ms_rounds", Arrays.toString(rounds.stream().mapToInt(Swap::periodSlowCalls).toArray()));
    figure(prefix + "_steady_calls_over_5ms_same_length_rounds", Arrays.toString(
        rounds.stream().mapToDouble(s -> round(s.steadySlowCallsForPeriod(), 1)).toArray()));
    // Collections stop servers and generator alike: a 10-20 ms pause in a window is some tens of slow calls.
    figure(prefix + "_gc_pause_ms_rounds", Arrays.toString(rounds.stream().mapToLong(s -> s.swap.gcPauseMs()).toArray()));
    figure(prefix + "_steady_gc_pause_ms_rounds", Arrays.toString(
        rounds.stream().mapToLong(s -> s.steady.gcPauseMs()).toArray()));
    // All rounds' calls in one histogram per kind of window: a steady p99 from 10 s moves by 2x between
    // rounds on this host, and the ratio with it; pooled, each side rests on every round's calls.
    Histogram pooledSwap = new Histogram(3);
    Histogram pooledSteady = new Histogram(3);
    rounds.forEach(s -> {
      pooledSwap.add(s.swap.histogram());
      pooledSteady.add(s.steady.histogram());
    });
    double swapP99 = pooledSwap.getValueAtPercentile(99) / 1000.0;
    double steadyP99 = pooledSteady.getValueAtPercentile(99) / 1000.0;
    figure(prefix + "_pooled_p99_ms_2k_qps", round(swapP99, 3));
    figure(prefix + "_pooled_steady_p99_ms_2k_qps", round(steadyP99, 3));
    figure(prefix + "_pooled_p99_over_steady", round(swapP99 / Math.max(1e-9, steadyP99), 2));
    figure(prefix + "_publish_to_served_s", round(median.publishToServedNs / 1e9, 1));
    // where in the median round's window the tail is: calls over 5 ms and the slowest per half
    // second, against when the publication began and when the new version was served
    figure(prefix + "_publish_started_s", round(median.startedNs / 1e9, 2));
    figure(prefix + "_served_s", round((median.startedNs + median.publishToServedNs) / 1e9, 2));
    figure(prefix + "_calls_over_5ms_per_500ms", Arrays.toString(swap.slowCallsByBucket()));
    figure(prefix + "_max_ms_per_500ms", Arrays.toString(Arrays.stream(swap.maxMsByBucket()).map(m -> round(m, 1)).toArray()));
    figure(prefix + "_steady_calls_over_5ms_per_500ms", Arrays.toString(median.steady.slowCallsByBucket()));
  }

  /** From producing a new user's first interaction to a Recommend reply that is personalised by it. */
  private void freshness(ManagedChannel ch, Producer<String, Interaction> producer, RecommenderApi api) {
    RecommenderGrpc.RecommenderBlockingStub stub = RecommenderGrpc.newBlockingStub(ch);
    Histogram h = new Histogram(3);
    SplittableRandom r = new SplittableRandom(1);
    int samples = 200;
    for (int s = 0; s < samples; s++) {
      String user = "fresh-" + UUID.randomUUID();
      long t0 = System.nanoTime();
      producer.send(new ProducerRecord<>(Topics.INTERACTIONS, user, interaction(user,
          SyntheticModel.itemId(r.nextInt(63_000)))));
      producer.flush();
      while (true) {
        RecommendResponse reply = stub.recommend(RecommendRequest.newBuilder().setUserId(user).setK(20).build());
        if (!reply.getFallback()) {
          break;
        }
        if (System.nanoTime() - t0 > 10_000_000_000L) {
          throw new IllegalStateException("an interaction was not reflected within 10 s");
        }
        java.util.concurrent.locks.LockSupport.parkNanos(200_000);
      }
      h.recordValue((System.nanoTime() - t0) / 1000);
    }
    figure("freshness_samples", samples);
    figure("freshness_p50_ms", round(h.getValueAtPercentile(50) / 1000.0, 2));
    figure("freshness_p99_ms", round(h.getValueAtPercentile(99) / 1000.0, 2));
    figure("freshness_max_ms", round(h.getMaxValue() / 1000.0, 2));
  }

  /** Users with 1,200 seen items: k results, none seen, and the reply's overlap with the exact top-k. */
  private void longHistories(ManagedChannel ch, Producer<String, Interaction> producer, RecommenderApi api,
      String index, String prefix) {
    int users = 20;
    int history = 1_200;
    int items = api.state().current().items().size();
    if (!longHistoriesSent) {
      longHistoriesSent = true;
      SplittableRandom r = new SplittableRandom(7);
      for (int u = 0; u < users; u++) {
        String user = prefix + u;
        Set<Integer> chosen = new HashSet<>();
        while (chosen.size() < history) {
          chosen.add(r.nextInt(Math.min(items, 63_000)));
        }
        for (int item : chosen) {
          producer.send(new ProducerRecord<>(Topics.INTERACTIONS, user, interaction(user, SyntheticModel.itemId(item))));
        }
      }
      producer.flush();
    }
    // every user (they are on different partitions) read in full and folded into the version in service
    await("long histories read", Duration.ofMinutes(2), () -> java.util.stream.IntStream.range(0, users)
        .allMatch(u -> api.state().seen().history(prefix + u).size() >= history
            && api.state().current().userVector(prefix + u) != null));
    RecommenderGrpc.RecommenderBlockingStub stub = RecommenderGrpc.newBlockingStub(ch);
    int minResults = Integer.MAX_VALUE;
    double overlap = 0;
    int seenReturned = 0;
    for (int u = 0; u < users; u++) {
      String user = prefix + u;
      RecommendResponse reply = stub.recommend(RecommendRequest.newBuilder().setUserId(user).setK(20).build());
      minResults = Math.min(minResults, reply.getItemsCount());
      Set<String> seen = api.state().seen().history(user).firstOffsets().keySet();
      seenReturned += (int) reply.getItemsList().stream().filter(s -> seen.contains(s.getItemId())).count();
      overlap += overlapWithExact(api, user, reply, seen);
    }
    String p = "long_history_" + index;
    figure(p + "_seen_items", history);
    figure(p + "_min_results_k20", minResults);
    figure(p + "_seen_items_returned", seenReturned);
    figure(p + "_recall20", round(overlap / users, 4));
  }

  /** Share of the exact top-20 (same version, same folded vector, same exclusion) that the reply holds. */
  private double overlapWithExact(RecommenderApi api, String user, RecommendResponse reply, Set<String> seen) {
    LiveVersion v = api.state().resolve(reply.getModelVersion());
    EmbeddingTable items = v.items();
    LiveVersion.UserVector uv = v.userVector(user);
    int[] excluded = seen.stream().mapToInt(items::row).filter(r -> r >= 0).sorted().toArray();
    ExactIndex reference = exactIndexes.computeIfAbsent(items, t -> new ExactIndex(t.vectors(), t.size(), t.dim(),
        Kernels.best(), 1));
    Hits exact = reference.search(uv.vector(), 20, excluded);
    Set<String> truth = new HashSet<>();
    Arrays.stream(exact.rows()).forEach(r -> truth.add(items.id(r)));
    return reply.getItemsList().stream().map(ScoredItem::getItemId).filter(truth::contains).count()
        / (double) Math.max(1, truth.size());
  }

  /** Recall@20 of the served (HNSW) replies against the exact scan, over {@code queries} users. */
  private void recall(ManagedChannel ch, RecommenderApi api, String prefix, int queries) {
    RecommenderGrpc.RecommenderBlockingStub stub = RecommenderGrpc.newBlockingStub(ch);
    double sum = 0;
    for (int q = 0; q < queries; q++) {
      String user = SyntheticModel.userId(q * 13 % o.users());
      RecommendResponse reply = stub.recommend(RecommendRequest.newBuilder().setUserId(user).setK(20).build());
      sum += overlapWithExact(api, user, reply, api.state().seen().history(user).firstOffsets().keySet());
    }
    figure(prefix + "_recall20", round(sum / queries, 4));
    figure(prefix + "_recall_queries", queries);
  }

  private Producer<String, Interaction> interactionProducer() {
    Map<String, Object> c = new HashMap<>();
    c.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, runtime.bootstrapServers());
    c.put(ProducerConfig.ACKS_CONFIG, "all");
    c.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    c.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    c.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, "dev.crane.schemas.serde.AvroSerializer");
    c.put("schema.registry.url", runtime.schemaRegistryUrl());
    c.put("auto.register.schemas", true);
    return new KafkaProducer<>(c);
  }

  private static Interaction interaction(String user, String item) {
    return Interaction.newBuilder().setEventId(UUID.randomUUID().toString()).setUserId(user).setItemId(item)
        .setEventTime(Instant.now()).build();
  }

  private void figure(String key, Object value) {
    figures.put(key, value);
    System.out.println(key + " = " + value);
  }

  private static double round(double v, int digits) {
    double f = Math.pow(10, digits);
    return Math.round(v * f) / f;
  }

  private static void await(String what, Duration timeout, java.util.function.BooleanSupplier done) {
    long end = System.nanoTime() + timeout.toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new IllegalStateException("benchmark: timed out waiting for " + what);
      }
      java.util.concurrent.locks.LockSupport.parkNanos(5_000_000);
    }
  }

}
