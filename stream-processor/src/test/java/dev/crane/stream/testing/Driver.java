package dev.crane.stream.testing;

import dev.crane.schemas.Topics;
import dev.crane.schemas.avro.Interaction;
import dev.crane.schemas.avro.ItemFeatures;
import dev.crane.schemas.avro.SnapshotManifest;
import dev.crane.schemas.avro.UserProfile;
import dev.crane.schemas.serde.AvroDeserializer;
import dev.crane.stream.config.ConfigLoader;
import dev.crane.stream.config.Names;
import dev.crane.stream.config.StreamConfig;
import dev.crane.stream.config.StreamsProperties;
import dev.crane.stream.metrics.StreamMetrics;
import dev.crane.stream.topology.CraneTopology;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;

/** A TopologyTestDriver around the real topology, with typed helpers for the tests. */
public final class Driver implements AutoCloseable {
  public static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  public final StreamConfig config;
  public final StreamMetrics metrics = StreamMetrics.inMemory();
  public final TopologyTestDriver ttd;
  public final Records records;
  public final TestInputTopic<byte[], byte[]> interactions;
  public final TestInputTopic<String, byte[]> items;
  public final TestOutputTopic<byte[], byte[]> deadLetters;
  public final TestOutputTopic<String, UserProfile> profiles;
  public final TestOutputTopic<String, SnapshotManifest> manifests;
  private Instant wallClock = T0;

  /** @param settings config keys over the test defaults (small dims, 1 partition) */
  public Driver(Path dir, Map<String, String> settings) {
    this(dir, settings, SharedRegistry.url());
  }

  public Driver(Path dir, Map<String, String> settings, String registryUrlForTopology) {
    String registryUrl = SharedRegistry.url();
    Map<String, String> s = new HashMap<>();
    s.put("application.id", "ttd");
    s.put("schema.registry.url", registryUrlForTopology);
    s.put("state.dir", dir.resolve("state").toString());
    s.put("snapshot.dir", dir.resolve("snapshots").toString());
    s.put("modalities", "image:4,audio:3");
    s.put("profiles.emit.interval.ms", "0");
    s.put("snapshot.interval.ms", "0");
    // Write-through, so that the tests can read profiles from the store the processor owns.
    s.put("users.cache.bytes", "0");
    s.putAll(settings);
    config = ConfigLoader.fromMap(s).withInputPartitions(1);
    Properties props = StreamsProperties.of(config);
    ttd = new TopologyTestDriver(CraneTopology.build(config, metrics, Runnable::run), props, T0);
    records = new Records(registryUrl);
    interactions = ttd.createInputTopic(Topics.INTERACTIONS, new ByteArraySerializer(), new ByteArraySerializer());
    items = ttd.createInputTopic(Topics.ITEMS, new StringSerializer(), new ByteArraySerializer());
    deadLetters = ttd.createOutputTopic(Topics.DEAD_LETTERS, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    Map<String, Object> serde = Map.of("schema.registry.url", registryUrl);
    AvroDeserializer<UserProfile> pd = new AvroDeserializer<>(UserProfile.class);
    pd.configure(serde, false);
    profiles = ttd.createOutputTopic(Topics.USER_PROFILES, new StringDeserializer(), pd);
    AvroDeserializer<SnapshotManifest> md = new AvroDeserializer<>(SnapshotManifest.class);
    md.configure(serde, false);
    manifests = ttd.createOutputTopic(Topics.SNAPSHOTS, new StringDeserializer(), md);
  }

  public void item(String itemId) {
    item(Records.item(itemId, config.modalities()));
  }

  public void item(ItemFeatures f) {
    items.pipeInput(f.getItemId().toString(), records.bytes(Topics.ITEMS, f), wallClock);
  }

  /** Pipes an interaction keyed by its user, with record timestamp {@code ts}. */
  public void send(Interaction in, Instant ts) {
    interactions.pipeInput(Records.utf8(in.getUserId().toString()), records.bytes(Topics.INTERACTIONS, in), ts);
  }

  public void send(Interaction in) {
    send(in, wallClock);
  }

  public void sendRaw(byte[] key, byte[] value) {
    interactions.pipeInput(key, value, wallClock);
  }

  public void advance(Duration d) {
    wallClock = wallClock.plus(d);
    ttd.advanceWallClockTime(d);
  }

  public Instant now() {
    return wallClock;
  }

  /** Advances the wall clock until the coordinator publishes a manifest (at most 10 s), and reads it. */
  public SnapshotManifest awaitManifest() {
    for (int i = 0; i < 20 && manifests.isEmpty(); i++) {
      advance(Duration.ofMillis(500));
    }
    if (manifests.isEmpty()) {
      throw new AssertionError("no manifest was published");
    }
    return manifests.readValue();
  }

  public KeyValueStore<String, byte[]> store(String name) {
    return ttd.getKeyValueStore(name);
  }

  public byte[] profile(String user) {
    return store(Names.PROFILES_STORE).get(user);
  }

  public List<org.apache.kafka.streams.test.TestRecord<byte[], byte[]>> drainDeadLetters() {
    return deadLetters.readRecordsToList();
  }

  @Override
  public void close() {
    ttd.close();
  }
}
