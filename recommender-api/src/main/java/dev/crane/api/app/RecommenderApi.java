package dev.crane.api.app;

import dev.crane.api.coldstart.ColdStartPlacer;
import dev.crane.api.config.ApiConfig;
import dev.crane.api.feed.EventFeed;
import dev.crane.api.feed.FeedSettings;
import dev.crane.api.feed.ModelFeed;
import dev.crane.api.grpc.GrpcServer;
import dev.crane.api.metrics.ApiMetrics;
import dev.crane.api.model.VersionInfo;
import dev.crane.api.seen.SeenItems;
import dev.crane.api.serving.LiveVersion;
import dev.crane.api.serving.Recommendations;
import dev.crane.api.serving.ServingState;
import dev.crane.api.store.LocalStore;
import dev.crane.api.store.VersionLoader;
import dev.crane.api.topk.HnswIndex;
import dev.crane.api.topk.IndexFactory;
import dev.crane.api.topk.Kernels;
import dev.crane.schemas.Vectors;
import dev.crane.schemas.avro.FloatVector;
import dev.crane.schemas.avro.ModelVersion;
import io.grpc.ServerBuilder;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service assembled: local store, serving state restored from it, gRPC server, the two feeds
 * resuming from the stored offsets, and a housekeeping task (health, expiry of retained versions).
 */
public final class RecommenderApi implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RecommenderApi.class);

  private final ApiConfig config;
  private final ApiMetrics metrics;
  private final LocalStore store;
  private final ServingState state;
  private final Recommendations recommendations;
  private final GrpcServer server;
  private final ModelFeed modelFeed;
  private final EventFeed eventFeed;
  private final ScheduledExecutorService housekeeping;

  private RecommenderApi(ApiConfig config, ApiMetrics metrics, ServerBuilder<?> builder, ExecutorService executor) {
    this.config = config;
    this.metrics = metrics;
    long t0 = System.nanoTime();
    this.store = LocalStore.open(config.stateDir(), config.storeBackgroundNice());
    try {
      IndexFactory indexes = new IndexFactory(config.hnswMinItems(),
          new HnswIndex.Params(config.hnswMaxDegree(), config.hnswBeamWidth(), config.hnswSearchBeam(),
              config.effectiveHnswBuildThreads()),
          Kernels.best(), config.effectiveExactPasses(), config.exactInt8MinItems());
      this.state = new ServingState(new SeenItems(), indexes, new ColdStartPlacer(config.coldStartNeighbours()),
          metrics, config.keepPrevious(), System::currentTimeMillis);
      restore();
      LOG.info("local store {} restored in {} ms: version {} in service, {} users with history",
          config.stateDir(), (System.nanoTime() - t0) / 1_000_000,
          state.current() == null ? "none" : state.current().version(), state.seen().users());
      this.recommendations = new Recommendations(state, Kernels.best(), config.maxK(), metrics);
      this.server = builder == null
          ? GrpcServer.start(config.grpcHost(), config.grpcPort(), config.effectiveGrpcThreads(), recommendations,
              metrics, config.shutdownGrace())
          : GrpcServer.start(builder, executor, recommendations, metrics, config.shutdownGrace());
      server.setServing(state.current() != null);
      FeedSettings feeds = new FeedSettings(config.bootstrapServers(), config.schemaRegistryUrl(), config.kafka());
      this.modelFeed = new ModelFeed(feeds, store, state, metrics, config.loadPauseRatio(), config.loadCpuPriority());
      this.eventFeed = new EventFeed(feeds, store, state, metrics);
      try {
        eventFeed.start();
        modelFeed.start();
      } catch (RuntimeException e) { // e.g. a topic missing: release the port and the consumers
        server.close();
        eventFeed.close();
        modelFeed.close();
        throw e;
      }
      this.housekeeping = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "crane-api-housekeeping");
        t.setDaemon(true);
        return t;
      });
      housekeeping.scheduleWithFixedDelay(this::housekeep, 50, 50, TimeUnit.MILLISECONDS);
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
    LOG.info("recommender API listening on gRPC port {} (top-k kernel: {})", server.port(), Kernels.best().name());
  }

  /** Starts the service with a Netty server as configured. */
  public static RecommenderApi start(ApiConfig config, ApiMetrics metrics) {
    return new RecommenderApi(config, metrics, null, null);
  }

  /** Starts the service on another transport (tests: grpc-java's in-process server). */
  public static RecommenderApi start(ApiConfig config, ApiMetrics metrics, ServerBuilder<?> builder,
      ExecutorService executor) {
    return new RecommenderApi(config, metrics, builder, executor);
  }

  /** Seen items, pending features, the version in service and the retained ones, from the store. */
  private void restore() {
    SeenItems seen = state.seen();
    store.forEachSeen(seen::add);
    store.forEachFeatures(f -> {
      Map<String, float[]> m = new HashMap<>();
      for (FloatVector v : f.getFeatures()) {
        m.put(v.getModality(), Vectors.floats(v));
      }
      state.onItemFeatures(f.getItemId(), m);
    });
    OptionalLong current = store.current();
    if (current.isEmpty()) {
      return;
    }
    Map<Long, ModelVersion> manifests = store.manifests();
    VersionLoader loader = new VersionLoader(store);
    LiveVersion live = load(loader, manifests.get(current.getAsLong()), current.getAsLong());
    if (live == null) {
      return;
    }
    state.install(live);
    long now = System.currentTimeMillis();
    store.retained().forEach((v, expiry) -> {
      if (expiry > now) {
        LiveVersion old = load(loader, manifests.get(v), v);
        if (old != null) {
          state.restoreRetained(old, expiry);
        }
      }
    });
  }

  private LiveVersion load(VersionLoader loader, ModelVersion manifest, long v) {
    if (manifest == null) {
      LOG.warn("local store: version {} has no stored manifest; it will be read from the topics again", v);
      return null;
    }
    VersionInfo info = VersionLoader.info(manifest);
    VersionLoader.Result r = loader.load(info);
    if (r.data() == null) {
      LOG.warn("local store: version {} cannot be restored ({})", v, r.problem());
      return null;
    }
    return state.prepare(r.data());
  }

  private void housekeep() {
    try {
      server.setServing(state.current() != null);
      List<Long> expired = state.expire();
      if (!expired.isEmpty()) {
        expired.forEach(store::deleteVersion);
        try (LocalStore.Batch b = store.batch()) {
          b.putRetained(state.retainedExpiries());
          store.write(b);
        }
      }
    } catch (RuntimeException e) {
      LOG.warn("housekeeping failed: {}", e.toString());
    }
  }

  /** A version is in service and both feeds run. */
  public boolean healthy() {
    return state.current() != null && modelFeed.alive() && eventFeed.alive();
  }

  public boolean feedsCaughtUp() {
    return modelFeed.caughtUp() && eventFeed.caughtUp();
  }

  public int grpcPort() {
    return server.port();
  }

  public ServingState state() {
    return state;
  }

  public Recommendations recommendations() {
    return recommendations;
  }

  public ApiMetrics metrics() {
    return metrics;
  }

  public ApiConfig config() {
    return config;
  }

  /** Drains the calls in flight, stops the feeds, closes the store. */
  @Override
  public void close() {
    server.close();
    housekeeping.shutdownNow();
    modelFeed.close();
    eventFeed.close();
    store.close();
    LOG.info("recommender API stopped");
  }
}
