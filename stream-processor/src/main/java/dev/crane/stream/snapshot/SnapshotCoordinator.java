package dev.crane.stream.snapshot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.crane.schemas.Topics;
import dev.crane.schemas.avro.ItemFeatures;
import dev.crane.schemas.avro.SnapshotManifest;
import dev.crane.schemas.serde.AvroDeserializer;
import dev.crane.stream.codec.ItemPositions;
import dev.crane.stream.config.Names;
import dev.crane.stream.config.StreamConfig;
import dev.crane.stream.metrics.StreamMetrics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides when a snapshot is taken and publishes it. It is the only task of a one-partition
 * topic, so exactly one instance coordinates however many run. Protocol: send "cut version v" to
 * every input partition; each task writes its part at that point of its input and reports it; when
 * all parts of v are reported (read_committed: only parts whose transaction committed), assemble
 * the directory off-thread, rename it into place, then write the manifest to topic snapshots.
 * Its state (next version, the version in flight and its parts) is a changelogged store, so a
 * failover resumes the same version.
 */
public final class SnapshotCoordinator implements Processor<String, String, Object, Object> {
  private static final Logger LOG = LoggerFactory.getLogger(SnapshotCoordinator.class);
  private static final String STATE = "state";
  private static final Pattern VERSION_DIR = Pattern.compile("v(\\d{8,})");
  private static final Duration TICK = Duration.ofMillis(500);
  private static final long RETRY_AFTER_MS = 10_000;

  private final StreamConfig config;
  private final StreamMetrics metrics;
  private final Executor executor;
  private ProcessorContext<Object, Object> context;
  private KeyValueStore<String, String> store;
  private ReadOnlyKeyValueStore<String, byte[]> items;
  private AvroDeserializer<ItemFeatures> itemDecoder;
  private ObjectNode state;
  /** The assembly running for the version in flight (not persisted: restarted after a failover). */
  private CompletableFuture<SnapshotManifest> assembly;
  private long assemblyVersion = -1;
  private long retryAt;

  public SnapshotCoordinator(StreamConfig config, StreamMetrics metrics, Executor executor) {
    this.config = config;
    this.metrics = metrics;
    this.executor = executor;
  }

  @Override
  public void init(ProcessorContext<Object, Object> context) {
    this.context = context;
    store = context.getStateStore(Names.COORDINATOR_STORE);
    items = context.getStateStore(Names.ITEMS_STORE);
    itemDecoder = new AvroDeserializer<>(ItemFeatures.class);
    itemDecoder.configure(config.serdeConfig(), false);
    String saved = store.get(STATE);
    if (saved != null) {
      state = (ObjectNode) SnapshotMessages.parse(saved);
    } else {
      state = SnapshotMessages.JSON.createObjectNode();
      state.put("nextVersion", highestVersionOnDisk() + 1);
      state.put("lastTriggerAt", context.currentSystemTimeMs());
      state.put("wanted", false);
      state.put("fresh", false);
      state.putNull("inFlight");
      state.putNull("last");
    }
    context.schedule(TICK, PunctuationType.WALL_CLOCK_TIME, this::tick);
  }

  @Override
  public void process(Record<String, String> record) {
    JsonNode msg = SnapshotMessages.parse(record.value());
    String type = msg.path("type").asText();
    if (type.equals("want")) {
      state.put("wanted", true);
    } else if (type.equals("fresh")) {
      state.put("fresh", true);
    } else if (type.equals("part")) {
      CutWriter.Part part = SnapshotMessages.toPart(msg);
      JsonNode inFlight = state.get("inFlight");
      if (inFlight.isNull() || inFlight.get("version").asLong() != part.version()) {
        LOG.warn("ignoring part of snapshot v{} (partition {}): not the version in flight", part.version(),
            part.partition());
        return;
      }
      ((ObjectNode) inFlight.get("parts")).set(Integer.toString(part.partition()), msg);
    }
    save();
  }

  private void tick(long now) {
    JsonNode inFlight = state.get("inFlight");
    if (inFlight.isNull()) {
      long interval = config.snapshotInterval().toMillis();
      // The time trigger waits for something new, an interaction or an item record: an idle system
      // cuts no empty snapshots. (A state saved before these fields existed reads as new.)
      boolean due = interval > 0 && now - state.get("lastTriggerAt").asLong() >= interval
          && (state.path("fresh").asBoolean(true) || !itemEnds().equals(state.path("itemEnds").asText()));
      if (due || state.get("wanted").asBoolean()) {
        request(state.get("nextVersion").asLong(), now);
      }
      return;
    }
    long version = inFlight.get("version").asLong();
    if (inFlight.get("parts").size() < config.inputPartitions()) {
      return;
    }
    if (assembly == null || assemblyVersion != version) {
      if (now >= retryAt) {
        startAssembly(version, inFlight, now);
      }
      return;
    }
    if (!assembly.isDone()) {
      return;
    }
    try {
      SnapshotManifest manifest = assembly.join();
      publish(manifest);
    } catch (RuntimeException e) {
      LOG.error("assembling snapshot v{} failed; retrying in {} s", version, RETRY_AFTER_MS / 1000, e);
      metrics.snapshotFailed();
      assembly = null;
      retryAt = now + RETRY_AFTER_MS;
    }
  }

  private void request(long version, long now) {
    for (int p = 0; p < config.inputPartitions(); p++) {
      context.forward(new Record<Object, Object>(Integer.toString(p), SnapshotMessages.request(version), now),
          Names.REQUESTS_SINK);
    }
    ObjectNode inFlight = state.putObject("inFlight");
    inFlight.put("version", version).put("requestedAt", now).putObject("parts");
    state.put("lastTriggerAt", now);
    state.put("wanted", false);
    state.put("fresh", false);
    state.put("itemEnds", itemEnds());
    save();
    LOG.info("snapshot v{}: cut requested from {} partitions", version, config.inputPartitions());
  }

  /** The items topic's position in the item store, as a string to compare. */
  private String itemEnds() {
    return ItemPositions.endOffsets(items).toString();
  }

  /** Item features are copied here, on the thread that owns the global store; the rest runs off it. */
  private void startAssembly(long version, JsonNode inFlight, long now) {
    List<CutWriter.Part> parts = new ArrayList<>();
    inFlight.get("parts").forEach(n -> parts.add(SnapshotMessages.toPart(n)));
    parts.sort(Comparator.comparingInt(CutWriter.Part::partition));
    Path root = config.snapshotDir();
    Path tmp = root.resolve(".tmp-" + SnapshotAssembler.dirName(version) + "-" + UUID.randomUUID());
    ItemDump.Dump dump;
    try {
      Files.createDirectories(tmp);
      dump = ItemDump.write(tmp, items, b -> itemDecoder.deserialize(Topics.ITEMS, b), config.modalities());
    } catch (IOException | RuntimeException e) {
      LOG.error("snapshot v{}: cannot copy item features", version, e);
      metrics.snapshotFailed();
      Files2.deleteTree(tmp);
      retryAt = now + RETRY_AFTER_MS;
      return;
    }
    JsonNode last = state.get("last");
    Long prevVersion = last.isNull() ? null : last.get("version").asLong();
    Path prevDir = last.isNull() ? null : Path.of(last.get("path").asText());
    SnapshotAssembler.Job job = new SnapshotAssembler.Job(version, prevVersion, prevDir, parts, root, tmp, dump.ids(),
        dump.itemEnds(), config.modalities(), config.applicationId(), Topics.INTERACTIONS, Topics.ITEMS, now);
    assemblyVersion = version;
    assembly = CompletableFuture.supplyAsync(() -> SnapshotAssembler.assemble(job), executor);
    assembly.whenComplete((m, e) -> {
      if (e != null) {
        Files2.deleteTree(tmp);
      }
    });
  }

  private void publish(SnapshotManifest manifest) {
    long version = manifest.getVersion();
    long requestedAt = state.get("inFlight").get("requestedAt").asLong();
    context.forward(new Record<Object, Object>(Long.toString(version), manifest,
        manifest.getCreatedAt().toEpochMilli()), Names.MANIFEST_SINK);
    ObjectNode last = state.putObject("last");
    last.put("version", version).put("path", manifest.getPath()).put("createdAt", manifest.getCreatedAt().toEpochMilli());
    state.put("nextVersion", version + 1);
    state.putNull("inFlight");
    save();
    assembly = null;
    metrics.snapshotPublished(version, manifest.getCreatedAt().toEpochMilli());
    metrics.snapshotTook(context.currentSystemTimeMs() - requestedAt);
    LOG.info("snapshot v{} published: {} users, {} items, {} interactions ({} new) at {}", version,
        manifest.getUsers(), manifest.getItems(), manifest.getInteractions(), manifest.getNewInteractions(),
        manifest.getPath());
    cleanUp(version);
  }

  /**
   * Drops failed attempts, snapshots beyond the number kept and the parts of versions before
   * {@code published}. It keeps the parts of {@code published} and the snapshot before it: the
   * manifest is only forwarded, and a crash before the task commits rolls the coordinator back to
   * assembling {@code published} again from both (deleting them stalled every later snapshot).
   * v + 1's parts exist only once the requests for v + 1, which follow v's manifest in this task's
   * output, are committed: at v + 1's publish, v's parts are safe to drop.
   */
  private void cleanUp(long published) {
    Path root = config.snapshotDir();
    // The previous snapshot too stays until the next publish: a rolled-back publish reassembles from it.
    long keepFrom = Math.min(published - config.snapshotsKept() + 1, published - 1);
    try (Stream<Path> s = Files.list(root)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        String name = p.getFileName().toString();
        Matcher m = VERSION_DIR.matcher(name);
        if (m.matches() && Long.parseLong(m.group(1)) < keepFrom) {
          Files2.deleteTree(p);
        } else if (name.startsWith(".tmp-") || name.startsWith(".stale-")) {
          Files2.deleteTree(p);
        }
      }
    } catch (IOException | RuntimeException e) {
      LOG.warn("snapshot clean-up in {} failed", root, e);
    }
    Path parts = root.resolve(".parts");
    if (Files.isDirectory(parts)) {
      try (Stream<Path> s = Files.list(parts)) {
        for (Path p : (Iterable<Path>) s::iterator) {
          String name = p.getFileName().toString();
          if (name.startsWith("v") && Long.parseLong(name.substring(1)) < published) {
            Files2.deleteTree(p);
          }
        }
      } catch (IOException | RuntimeException e) {
        LOG.warn("snapshot part clean-up failed", e);
      }
    }
  }

  private long highestVersionOnDisk() {
    Path root = config.snapshotDir();
    long max = 0;
    if (Files.isDirectory(root)) {
      try (Stream<Path> s = Files.list(root)) {
        for (Path p : (Iterable<Path>) s::iterator) {
          Matcher m = VERSION_DIR.matcher(p.getFileName().toString());
          if (m.matches()) {
            max = Math.max(max, Long.parseLong(m.group(1)));
          }
        }
      } catch (IOException e) {
        LOG.warn("cannot list {}", root, e);
      }
    }
    return max;
  }

  private void save() {
    store.put(STATE, state.toString());
  }
}
