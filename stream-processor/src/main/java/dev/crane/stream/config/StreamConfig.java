package dev.crane.stream.config;

import dev.crane.schemas.Modality;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Every setting of the stream processor, validated. Built by {@link ConfigLoader} from defaults,
 * a properties file, {@code CRANE_STREAM_*} environment variables and {@code --set} flags; keys
 * starting with {@code kafka.} are passed to Kafka Streams verbatim (without the prefix).
 *
 * @param dedupMaxPerUser most event ids remembered per user for the dedup rule (the newest within
 *     {@code dedupWindow} of the user's newest record timestamp)
 * @param journalCheckpoint checkpoint profiles at each snapshot cut and drop the journal below the
 *     checkpoint; false keeps the whole journal and a rebuild replays it whole
 * @param connectTimeout how long start-up waits for the broker and the registry to answer before
 *     it gives up with one line naming the address
 * @param inputPartitions partitions of the interactions topic (the number of snapshot parts): the
 *     {@code topics.partitions} setting (the count of the topics start-up creates when they are
 *     missing) until start-up reads the topic's actual count from the broker
 */
public record StreamConfig(
    String applicationId,
    String bootstrapServers,
    String schemaRegistryUrl,
    Path stateDir,
    List<Modality> modalities,
    int historyCap,
    Duration dedupWindow,
    int dedupMaxPerUser,
    Duration unknownItemHold,
    Duration holdCheckInterval,
    Duration profileEmitInterval,
    Duration itemDegreeFlushInterval,
    Duration commitInterval,
    int standbyReplicas,
    int streamThreads,
    Duration transactionTimeout,
    Duration registryRetry,
    Path snapshotDir,
    Duration snapshotInterval,
    long snapshotEveryInteractions,
    int snapshotsKept,
    int metricsPort,
    long userCacheBytes,
    boolean journalCheckpoint,
    Duration connectTimeout,
    int inputPartitions,
    Map<String, String> kafka) {

  public StreamConfig {
    modalities = List.copyOf(modalities);
    kafka = Map.copyOf(kafka);
    require(!applicationId.isBlank(), "application.id must not be empty");
    require(historyCap >= 1, "history.cap must be >= 1, got " + historyCap);
    require(!dedupWindow.isNegative() && !dedupWindow.isZero(), "dedup.window.ms must be > 0");
    require(dedupMaxPerUser >= 1, "dedup.max.per.user must be >= 1, got " + dedupMaxPerUser);
    require(!unknownItemHold.isNegative(), "unknown-item.hold.ms must be >= 0");
    require(holdCheckInterval.toMillis() >= 1, "unknown-item.check.interval.ms must be >= 1");
    require(!profileEmitInterval.isNegative(), "profiles.emit.interval.ms must be >= 0 (0 = every event)");
    require(itemDegreeFlushInterval.toMillis() >= 1, "item-degree.flush.interval.ms must be >= 1");
    require(commitInterval.toMillis() >= 1, "commit.interval.ms must be >= 1");
    require(standbyReplicas >= 0, "standby.replicas must be >= 0");
    require(streamThreads >= 1, "stream.threads must be >= 1");
    require(!snapshotInterval.isNegative(), "snapshot.interval.ms must be >= 0 (0 = no time trigger)");
    require(snapshotEveryInteractions >= 0, "snapshot.every.interactions must be >= 0 (0 = no count trigger)");
    require(snapshotsKept >= 1, "snapshot.keep must be >= 1");
    require(connectTimeout.toMillis() >= 1, "connect.timeout.ms must be >= 1");
    require(inputPartitions >= 1, "topics.partitions must be >= 1, got " + inputPartitions);
    require(userCacheBytes == 0 || userCacheBytes >= 1 << 16,
        "users.cache.bytes must be 0 (write-through) or >= 65536");
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException("stream-processor config: " + message);
    }
  }

  /** Snapshots are on when a trigger is set; without them no interaction log is kept. */
  public boolean snapshotsEnabled() {
    return !snapshotInterval.isZero() || snapshotEveryInteractions > 0;
  }

  public StreamConfig withInputPartitions(int n) {
    return new StreamConfig(applicationId, bootstrapServers, schemaRegistryUrl, stateDir, modalities, historyCap,
        dedupWindow, dedupMaxPerUser, unknownItemHold, holdCheckInterval, profileEmitInterval, itemDegreeFlushInterval, commitInterval,
        standbyReplicas, streamThreads, transactionTimeout, registryRetry, snapshotDir, snapshotInterval,
        snapshotEveryInteractions, snapshotsKept, metricsPort, userCacheBytes, journalCheckpoint, connectTimeout, n, kafka);
  }

  /** The serde configuration of the Avro serdes. */
  public Map<String, Object> serdeConfig() {
    return Map.of("schema.registry.url", schemaRegistryUrl, "specific.avro.reader", true);
  }

  /** A readable dump for the start-up log. */
  public String describe() {
    Map<String, Object> m = new TreeMap<>();
    m.put("application.id", applicationId);
    m.put("bootstrap.servers", bootstrapServers);
    m.put("schema.registry.url", schemaRegistryUrl);
    m.put("modalities", modalities);
    m.put("history.cap", historyCap);
    m.put("dedup.window", dedupWindow);
    m.put("dedup.max.per.user", dedupMaxPerUser);
    m.put("unknown-item.hold", unknownItemHold);
    m.put("profiles.emit.interval", profileEmitInterval);
    m.put("commit.interval", commitInterval);
    m.put("standby.replicas", standbyReplicas);
    m.put("snapshot.dir", snapshotDir);
    m.put("snapshot.interval", snapshotInterval);
    m.put("snapshot.every.interactions", snapshotEveryInteractions);
    m.put("metrics.port", metricsPort);
    m.put("users.cache.bytes", userCacheBytes);
    m.put("journal.checkpoint", journalCheckpoint);
    m.put("connect.timeout", connectTimeout);
    m.put("input partitions", inputPartitions);
    m.put("kafka overrides", kafka);
    return m.toString();
  }

  /** Properties view used by tests and the app for Kafka Streams settings. */
  public Properties kafkaOverrides() {
    Properties p = new Properties();
    p.putAll(kafka);
    return p;
  }
}
