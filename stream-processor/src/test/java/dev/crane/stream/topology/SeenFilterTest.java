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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Bloom filter in front of the dedup store: built from what the store holds, never short of it. */
class SeenFilterTest {
  @TempDir Path dir;

  private WindowStore<String, byte[]> rocksWindowStore() {
    MockProcessorContext<Object, Object> context = new MockProcessorContext<>(new java.util.Properties(),
        new org.apache.kafka.streams.processor.TaskId(0, 0), dir.toFile());
    WindowStore<String, byte[]> store = Stores.windowStoreBuilder(
            Stores.persistentWindowStore("dedup", Duration.ofDays(1), Duration.ofMillis(1), false),
            Serdes.String(), Serdes.ByteArray())
        .withLoggingDisabled().build();
    store.init(context.getStateStoreContext(), store);
    return store;
  }

  @Test
  void idsAlreadyInTheStoreAreMaybeSeenAndNewOnesMostlyNot() {
    WindowStore<String, byte[]> store = rocksWindowStore();
    try {
      IntStream.range(0, 500).forEach(i -> store.put("old" + i, new byte[0], 1_000 + i));
      SeenFilter filter = new SeenFilter(store);
      assertThat(IntStream.range(0, 500).allMatch(i -> filter.mayHaveSeen("old" + i))).isTrue();
      long falsePositives = IntStream.range(0, 10_000).filter(i -> filter.mayHaveSeen("new" + i)).count();
      assertThat(falsePositives).as("about 1 %% of 10,000 unseen ids").isLessThan(300);
      assertThat(filter.mayHaveSeen("new7")).as("added by the question").isTrue();
    } finally {
      store.close();
    }
  }

  @Test
  void beyondItsCapacityItIsRebuiltFromTheStoreAndStillHoldsEveryStoredId() {
    WindowStore<String, byte[]> store = rocksWindowStore();
    try {
      SeenFilter filter = new SeenFilter(store, 100);
      assertThat(filter.capacity()).isEqualTo(100);
      for (int i = 0; i < 250; i++) {
        filter.mayHaveSeen("e" + i);
        store.put("e" + i, new byte[0], 1_000 + i);
        filter.stored();
      }
      assertThat(filter.capacity()).as("rebuilt at 101 ids stored (sized 202), then at 203 (sized 406)").isEqualTo(406);
      assertThat(IntStream.range(0, 250).allMatch(i -> filter.mayHaveSeen("e" + i))).isTrue();
    } finally {
      store.close();
    }
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
