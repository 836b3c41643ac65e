package dev.crane.api.feed;

import dev.crane.api.config.CpuPriority;
import dev.crane.api.metrics.ApiMetrics;
import dev.crane.api.model.VersionInfo;
import dev.crane.api.serving.LiveVersion;
import dev.crane.api.serving.ServingState;
import dev.crane.api.store.EmbeddingCodec;
import dev.crane.api.store.LocalStore;
import dev.crane.api.store.VersionLoader;
import dev.crane.schemas.Topics;
import dev.crane.schemas.avro.ModelStatus;
import dev.crane.schemas.avro.ModelVersion;
import dev.crane.schemas.serde.AvroDeserializer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads published versions (schemas/EMBEDDINGS.md): embedding records into the store as they come,
 * manifests as pending versions; a pending version is loaded and switched to once the store holds
 * exactly the records its manifest counts. Versions older than the one in service are ignored.
 */
public final class ModelFeed extends TopicFeed {
  private static final Logger LOG = LoggerFactory.getLogger(ModelFeed.class);

  private final ServingState state;
  private final VersionLoader loader;
  private final AvroDeserializer<EmbeddingReader.Embedding> users;
  private final AvroDeserializer<EmbeddingReader.Embedding> items;
  private final AvroDeserializer<ModelVersion> manifests;
  /** Manifests of COMPLETE versions not yet served, by version. */
  private final TreeMap<Long, VersionInfo> pending = new TreeMap<>();
  /** Records received per pending version (raw; the loader counts distinct ids). */
  private final Map<Long, long[]> received = new HashMap<>();
  private final Map<Long, String> lastProblem = new HashMap<>();
  /**
   * Installs run on this thread, at the queries' priority, made here by the constructing thread (a
   * thread started by the feed's own would inherit its lowered priority): an install holds the
   * serving state's lock, which the interactions feed also takes, and a lock held by a thread that
   * only runs on idle cores would keep interactions waiting whenever queries fill the cores.
   */
  private final ThreadPoolExecutor installer;
  private long inService;

  /**
   * @param pauseRatio the load.pause.ratio setting: reading a version yields the CPU to the queries
   *     (a swap must not starve them on a small machine)
   * @param priority the load.cpu.priority setting: this thread reads, loads and indexes versions
   */
  public ModelFeed(FeedSettings settings, LocalStore store, ServingState state, ApiMetrics metrics,
      double pauseRatio, CpuPriority priority) {
    super("models", List.of(Topics.USER_EMBEDDINGS, Topics.ITEM_EMBEDDINGS, Topics.MODEL_VERSIONS), settings, store,
        metrics, pauseRatio, priority);
    this.state = state;
    this.loader = new VersionLoader(store);
    this.users = EmbeddingReader.userDeserializer(settings.serdeConfig());
    this.items = EmbeddingReader.itemDeserializer(settings.serdeConfig());
    this.manifests = new AvroDeserializer<>(ModelVersion.class);
    manifests.configure(settings.serdeConfig(), false);
    inService = state.current() == null ? 0 : state.current().version();
    // Versions whose manifest arrived before a restart but whose records were still incomplete.
    store.manifests().forEach((v, m) -> {
      if (v > inService && m.getStatus() == ModelStatus.COMPLETE) {
        try {
          pending.put(v, VersionLoader.info(m));
          received.put(v, new long[] {store.count("users", v), store.count("items", v)});
        } catch (IllegalArgumentException e) {
          LOG.warn("stored manifest of version {} is malformed: {}", v, e.getMessage());
        }
      }
    });
    this.installer = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), r -> {
      Thread t = new Thread(r, "crane-api-install");
      t.setDaemon(true);
      return t;
    });
    installer.prestartAllCoreThreads();
  }

  @Override
  protected void handle(ConsumerRecord<byte[], byte[]> r, LocalStore.Batch batch) {
    if (r.value() == null) {
      return; // a tombstone on a compacted topic: nothing to serve
    }
    switch (r.topic()) {
      case Topics.USER_EMBEDDINGS -> {
        EmbeddingReader.Embedding u = users.deserialize(r.topic(), r.value());
        if (wanted(r, u)) {
          batch.putUser(u.modelVersion(), u.id(), encode(u));
          count(batch, u.modelVersion(), 0);
        }
      }
      case Topics.ITEM_EMBEDDINGS -> {
        EmbeddingReader.Embedding i = items.deserialize(r.topic(), r.value());
        if (wanted(r, i)) {
          batch.putItem(i.modelVersion(), i.id(), encode(i));
          count(batch, i.modelVersion(), 1);
        }
      }
      case Topics.MODEL_VERSIONS -> manifest(r, manifests.deserialize(r.topic(), r.value()), batch);
      default -> throw new IllegalStateException("unexpected topic " + r.topic());
    }
  }

  /** A valid record of a version newer than the one served; an invalid one is skipped and counted. */
  private boolean wanted(ConsumerRecord<byte[], byte[]> r, EmbeddingReader.Embedding e) {
    String bad = Validation.embedding(e);
    if (bad != null) {
      skip(r, "invalid-embedding", bad);
      return false;
    }
    return e.modelVersion() > inService;
  }

  private static byte[] encode(EmbeddingReader.Embedding e) {
    return EmbeddingCodec.encode(new EmbeddingCodec.Entry(e.vector(), e.collaborative(), e.semantic(), e.degree(),
        e.content()));
  }

  private void count(LocalStore.Batch batch, long version, int side) {
    long[] c = received.computeIfAbsent(version, v -> new long[] {store.count("users", v), store.count("items", v)});
    c[side]++;
    batch.putCount(side == 0 ? "users" : "items", version, c[side]);
  }

  private void manifest(ConsumerRecord<byte[], byte[]> r, ModelVersion m, LocalStore.Batch batch) {
    long v = m.getVersion();
    if (m.getStatus() == ModelStatus.REJECTED) {
      LOG.info("version {} was rejected by the trainer ({}); serving stays as it is", v, m.getReason());
      metrics.versionRejected("rejected-by-trainer");
      return;
    }
    if (m.getStatus() != ModelStatus.COMPLETE) {
      LOG.info("version {} is {}; waiting for its COMPLETE manifest", v, m.getStatus());
      return;
    }
    if (v <= inService) {
      LOG.debug("manifest of version {} ignored: version {} is in service", v, inService);
      return;
    }
    try {
      VersionInfo info = VersionLoader.info(m);
      if (info.dim() < 1 || info.userCount() < 0 || info.itemCount() < 1) {
        throw new IllegalArgumentException("dim " + info.dim() + ", " + info.userCount() + " users, "
            + info.itemCount() + " items");
      }
      pending.put(v, info);
      received.computeIfAbsent(v, x -> new long[] {store.count("users", x), store.count("items", x)});
      batch.putManifest(m);
      LOG.info("manifest of version {} ({}, {} users, {} items, dim {}) received", v, m.getModel(),
          m.getUserCount(), m.getItemCount(), m.getDim());
    } catch (IllegalArgumentException e) {
      skip(r, "invalid-manifest", "version " + v + ": " + e.getMessage());
      metrics.versionRejected("invalid-manifest");
    }
  }

  /**
   * After each write: switch to the newest pending version whose records are all here. While the
   * consumer is still behind (catching up after a start), a newer version may follow: loading the
   * older ones first would only cost time (an HNSW build each), so it waits.
   */
  @Override
  protected void afterWrite() {
    if (pending.isEmpty() || lagging()) {
      return;
    }
    for (Long v : pending.descendingKeySet()) {
      VersionInfo info = pending.get(v);
      long[] c = received.getOrDefault(v, new long[2]);
      if (c[0] < info.userCount() || c[1] < info.itemCount()) {
        continue;
      }
      VersionLoader.Result result = loader.load(info);
      if (result.data() == null) {
        if (!result.problem().equals(lastProblem.put(v, result.problem()))) {
          LOG.warn("version {} is not complete: {}", v, result.problem());
        }
        continue;
      }
      LiveVersion live = state.prepare(result.data());
      if (install(live)) {
        inService = v;
        try (LocalStore.Batch b = store.batch()) {
          b.putCurrent(v);
          b.putRetained(state.retainedExpiries());
          store.write(b);
        }
        dropBelow(v);
      }
      return;
    }
  }

  @Override
  protected void idle() {
    afterWrite();
  }

  /** {@link ServingState#install} on the installer thread; this thread waits for it. */
  private boolean install(LiveVersion live) {
    try {
      return installer.submit(() -> state.install(live)).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while version " + live.version() + " was installed", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException("installing version " + live.version() + " failed", e.getCause());
    }
  }

  @Override
  public void close() {
    super.close();
    installer.shutdownNow();
  }

  /** Pending versions below the one now served will never be served: their data goes. */
  private void dropBelow(long v) {
    var older = pending.headMap(v, true);
    older.keySet().forEach(x -> {
      received.remove(x);
      lastProblem.remove(x);
      if (x != v && !state.retainedExpiries().containsKey(x)) {
        LOG.info("version {} skipped: the newer version {} is complete", x, v);
        metrics.versionRejected("superseded");
      }
    });
    older.clear();
  }
}
