package dev.crane.stream.topology;

import dev.crane.schemas.Topics;
import dev.crane.schemas.avro.SnapshotManifest;
import dev.crane.schemas.avro.UserProfile;
import dev.crane.schemas.serde.AvroSerializer;
import dev.crane.stream.config.AppTopics;
import dev.crane.stream.config.Names;
import dev.crane.stream.config.StreamConfig;
import dev.crane.stream.config.StreamsProperties;
import dev.crane.stream.journal.JournalStoreBuilder;
import dev.crane.stream.metrics.StreamMetrics;
import dev.crane.stream.snapshot.SnapshotCoordinator;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyConfig;
import org.apache.kafka.streams.processor.StreamPartitioner;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The processor topology:
 *
 * <pre>
 * items ──────────────► [global store items] (raw records)
 * interactions ────────┐
 * &lt;app&gt;-snapshot-requests ┴► user-processor ─► user-profiles, dead-letters,
 *                          (profiles, history,      &lt;app&gt;-item-deltas, &lt;app&gt;-snapshot-parts
 *                           dedup, pending, ...)
 * &lt;app&gt;-item-deltas ──► item-stats-processor (item-stats)
 * &lt;app&gt;-snapshot-parts ─► snapshot-coordinator ─► &lt;app&gt;-snapshot-requests, snapshots
 * </pre>
 */
public final class CraneTopology {
  private CraneTopology() {}

  public static Topology build(StreamConfig config, StreamMetrics metrics, Executor snapshotExecutor) {
    String app = config.applicationId();
    // the application's own settings, not Topology()'s defaults (which log a warning about one of them)
    Topology t = new Topology(new TopologyConfig(new StreamsConfig(StreamsProperties.of(config))));
    Map<String, Object> serde = config.serdeConfig();
    // Decoded items are float32 features: hold at most ~256 MB of them (7,000 Baby-sized 4480-d items).
    long bytesPerItem = 4L * config.modalities().stream().mapToInt(m -> m.dim()).sum() + 200;
    ItemCache itemCache = new ItemCache((int) Math.max(1_000, (256L << 20) / bytesPerItem));

    t.addGlobalStore(
        Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(Names.ITEMS_STORE), Serdes.String(),
            Serdes.ByteArray()).withLoggingDisabled(),
        "items-source", new StringDeserializer(), new ByteArrayDeserializer(), Topics.ITEMS, "items-updater",
        () -> new ItemStoreUpdater(itemCache));

    t.addSource(Names.INTERACTIONS_SOURCE, new ByteArrayDeserializer(), new ByteArrayDeserializer(),
        Topics.INTERACTIONS);
    t.addSource(Names.REQUESTS_SOURCE, new ByteArrayDeserializer(), new ByteArrayDeserializer(),
        AppTopics.requestsTopic(app));
    t.addProcessor(Names.USER_PROCESSOR, () -> new UserProcessor(config, metrics, itemCache), Names.INTERACTIONS_SOURCE,
        Names.REQUESTS_SOURCE);
    userProcessorStores(config).forEach(b -> t.addStateStore(b, Names.USER_PROCESSOR));
    t.addSink(Names.DLQ_SINK, Topics.DEAD_LETTERS, new ByteArraySerializer(), new ByteArraySerializer(),
        Names.USER_PROCESSOR);
    t.addSink(Names.PROFILES_SINK, Topics.USER_PROFILES, new StringSerializer(),
        configured(new AvroSerializer<UserProfile>(), serde), Names.USER_PROCESSOR);
    t.addSink(Names.ITEM_DELTA_SINK, AppTopics.itemDeltaTopic(app), new StringSerializer(), new ByteArraySerializer(),
        Names.USER_PROCESSOR);
    t.addSink(Names.PARTS_SINK, AppTopics.partsTopic(app), new StringSerializer(), new StringSerializer(),
        Names.USER_PROCESSOR);

    t.addSource(Names.ITEM_DELTA_SOURCE, new StringDeserializer(), new ByteArrayDeserializer(),
        AppTopics.itemDeltaTopic(app));
    t.addProcessor(Names.ITEM_STATS_PROCESSOR, ItemStatsProcessor::new, Names.ITEM_DELTA_SOURCE);
    t.addStateStore(cachedKv(Names.ITEM_STATS_STORE), Names.ITEM_STATS_PROCESSOR);

    t.addSource(Names.PARTS_SOURCE, new StringDeserializer(), new StringDeserializer(), AppTopics.partsTopic(app));
    t.addProcessor(Names.COORDINATOR, () -> new SnapshotCoordinator(config, metrics, snapshotExecutor),
        Names.PARTS_SOURCE);
    t.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(Names.COORDINATOR_STORE),
        Serdes.String(), Serdes.String()), Names.COORDINATOR);
    t.addSink(Names.REQUESTS_SINK, AppTopics.requestsTopic(app), new StringSerializer(), new StringSerializer(),
        new ToPartitionInKey(), Names.COORDINATOR);
    t.addSink(Names.MANIFEST_SINK, Topics.SNAPSHOTS, new StringSerializer(),
        configured(new AvroSerializer<SnapshotManifest>(), serde), Names.COORDINATOR);
    return t;
  }

  /** The stores of the user processor (tests build them around a processor of their own). */
  public static List<StoreBuilder<?>> userProcessorStores(StreamConfig config) {
    List<StoreBuilder<?>> stores = new ArrayList<>();
    // Profiles and histories are not changelogged: a 4480-d profile is 36 KB per write, while the
    // journal entry that produces it is ~50 bytes. They are rebuilt from the profile checkpoint and the
    // journal above it when the local copy is missing or not at the journal's position
    // (LocalStateRecovery).
    // Not cached by Kafka Streams either: UserStateCache is their write-back cache.
    stores.add(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(Names.PROFILES_STORE), Serdes.String(),
        Serdes.ByteArray()).withLoggingDisabled());
    stores.add(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(Names.HISTORY_STORE), Serdes.String(),
        Serdes.ByteArray()).withLoggingDisabled());
    // Each user's recent event ids (the dedup rule), kept and rebuilt like the profiles: the journal
    // entries name their ids, so no store write per event (a window store of ids cost a third of (a)).
    stores.add(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(Names.SEEN_STORE), Serdes.String(),
        Serdes.ByteArray()).withLoggingDisabled());
    // One block of entries per commit (JournalStore), not one record per interaction.
    stores.add(new JournalStoreBuilder(Names.JOURNAL_STORE));
    // Changelogged, but written once per changed user per snapshot cut, not per event (ProfileCheckpoints).
    stores.add(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(Names.CHECKPOINT_STORE),
        Serdes.String(), Serdes.ByteArray()));
    stores.add(cachedKv(Names.PENDING_STORE));
    stores.add(cachedKv(Names.DIRTY_STORE));
    stores.add(cachedKv(Names.META_STORE));
    return stores;
  }

  private static StoreBuilder<KeyValueStore<String, byte[]>> cachedKv(String name) {
    return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), Serdes.String(), Serdes.ByteArray())
        .withCachingEnabled();
  }

  private static <T extends AvroSerializer<?>> T configured(T s, Map<String, Object> config) {
    s.configure(config, false);
    return s;
  }

  /** Snapshot requests go to the partition named by their key: one per input partition. */
  static final class ToPartitionInKey implements StreamPartitioner<String, String> {
    @Override
    public Optional<Set<Integer>> partitions(String topic, String key, String value, int numPartitions) {
      return Optional.of(Set.of(Integer.parseInt(key)));
    }
  }
}
