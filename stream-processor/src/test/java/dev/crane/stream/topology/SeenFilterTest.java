package dev.crane.stream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crane.schemas.avro.Split;
import dev.crane.stream.codec.ProfileCodec;
import dev.crane.stream.config.ConfigLoader;
import dev.crane.stream.config.Names;
import dev.crane.stream.config.StreamConfig;
import dev.crane.stream.testing.Records;
import dev.crane.stream.testing.SharedRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Bloom filters in front of the dedup store: built from what the store holds, never short of it. */
class SeenFilterTest {
  @TempDir Path dir;

  private WindowStore<String, byte[]> store;

  @BeforeEach
  void openStore() throws java.io.IOException {
    store = rocksWindowStore(java.nio.file.Files.createDirectories(dir.resolve("filter")));
  }

  @AfterEach
  void closeStore() {
    store.close();
  }

  /** In a directory of its own: the restart test's harness has a dedup store in {@code dir}. */
  private static WindowStore<String, byte[]> rocksWindowStore(Path stateDir) {
    MockProcessorContext<Object, Object> context = new MockProcessorContext<>(new java.util.Properties(),
        new org.apache.kafka.streams.processor.TaskId(0, 0), stateDir.toFile());
    WindowStore<String, byte[]> store = Stores.windowStoreBuilder(
            Stores.persistentWindowStore("dedup", Duration.ofDays(1), Duration.ofMillis(1), false),
            Serdes.String(), Serdes.ByteArray())
        .withLoggingDisabled().build();
    store.init(context.getStateStoreContext(), store);
    return store;
  }

  private static final Duration DAY = Duration.ofDays(1);

  @Test
  void idsAlreadyInTheStoreAreMaybeSeenAndNewOnesMostlyNot() {
    IntStream.range(0, 500).forEach(i -> store.put("old" + i, new byte[0], 1_000 + i));
    SeenFilter filter = new SeenFilter(store, DAY);
    assertThat(IntStream.range(0, 500).allMatch(i -> filter.mayHaveSeen("old" + i, 2_000))).isTrue();
    long falsePositives = IntStream.range(0, 10_000).filter(i -> filter.mayHaveSeen("new" + i, 2_000)).count();
    assertThat(falsePositives).as("about 1 %% of 10,000 unseen ids").isLessThan(300);
    assertThat(filter.mayHaveSeen("new7", 2_000)).as("added by the question").isTrue();
  }

  @Test
  void aFullGenerationStartsAnotherAndEveryIdStaysMaybeSeen() {
    SeenFilter filter = new SeenFilter(store, DAY, 100);
    IntStream.range(0, 350).forEach(i -> filter.mayHaveSeen("e" + i, 1_000 + i));
    assertThat(filter.generations()).as("100, then 100 (the live ids), then 200").isEqualTo(3);
    assertThat(IntStream.range(0, 350).allMatch(i -> filter.mayHaveSeen("e" + i, 2_000))).isTrue();
  }

  @Test
  void aGenerationOlderThanTheWindowIsDroppedAndEventsThatReachBackThatFarAskTheStore() {
    SeenFilter filter = new SeenFilter(store, Duration.ofSeconds(1), 100);
    IntStream.range(0, 100).forEach(i -> filter.mayHaveSeen("a" + i, i)); // full, newest id at 99 ms
    IntStream.range(0, 50).forEach(i -> filter.mayHaveSeen("b" + i, 5_000 + i));
    assertThat(filter.generations()).as("the first generation's ids are all older than 4 s").isEqualTo(1);
    assertThat(filter.mayHaveSeen("a5", 50)).as("a late duplicate of a dropped id goes to the store").isTrue();
    assertThat(filter.mayHaveSeen("late-new", 1_099)).as("its window reaches a dropped id's time").isTrue();
    long falsePositives = IntStream.range(0, 100).filter(i -> filter.mayHaveSeen("c" + i, 5_100)).count();
    assertThat(falsePositives).as("events of now still use the filter").isLessThan(20);
  }

  @Test
  void anIdStampedFarAheadDoesNotKeepTheLaterGenerationsAlive() {
    SeenFilter filter = new SeenFilter(store, Duration.ofSeconds(1), 100);
    filter.mayHaveSeen("future", 10_000_000);
    IntStream.range(0, 2_000).forEach(i -> filter.mayHaveSeen("e" + i, i));
    assertThat(filter.generations()).as("only the future id's generation and the newest").isLessThanOrEqualTo(2);
    assertThat(filter.mayHaveSeen("e1999", 1_999)).isTrue();
    assertThat(filter.mayHaveSeen("future", 10_000_000)).isTrue();
  }

  /** A restarted task's filter is built from the restored store: a duplicate of an event before the restart is dropped. */
  @Test
  void aDuplicateAfterARestartIsStillDropped() {
    Records records = new Records(SharedRegistry.url());
    StreamConfig config = ConfigLoader.fromMap(Map.of("application.id", "dedup-restart",
        "schema.registry.url", SharedRegistry.url(), "state.dir", dir.resolve("state").toString(),
        "snapshot.dir", dir.resolve("snapshots").toString(), "modalities", "image:4,audio:3",
        "profiles.emit.interval.ms", "0", "snapshot.interval.ms", "0", "users.cache.bytes", "0"))
        .withInputPartitions(1);
    try (ProcessorHarness h = new ProcessorHarness(dir, config, records)) {
      h.item("i1");
      h.start();
      h.send(Records.interaction("e1", "u1", "i1", 1000, Split.TRAIN));
      h.crashAndWipeLocalStores();
      h.start();
      h.send(Records.interaction("e1", "u1", "i1", 1000, Split.TRAIN));
      h.send(Records.interaction("e2", "u1", "i1", 2000, Split.TRAIN));
      byte[] profile = h.<String>store(Names.PROFILES_STORE).get("u1");
      assertThat(new ProfileCodec(config.modalities()).degree(profile)).isEqualTo(2);
      assertThat(h.metrics.duplicateCount()).isEqualTo(1);
    }
  }
}
