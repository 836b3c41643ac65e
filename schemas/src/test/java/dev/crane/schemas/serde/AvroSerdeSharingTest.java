package dev.crane.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crane.schemas.avro.Interaction;
import dev.crane.schemas.avro.Split;
import dev.crane.schemas.testing.ScriptedHttpServer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The stream processor's throughput needs the registry to be asked once per schema, never per record,
 * and one serde shared safely by the stream threads. (The rate itself is measured by the stream and
 * ingest benchmarks, docs/benchmarks.md, not by a timed test.)
 */
class AvroSerdeSharingTest {
  private final ScriptedHttpServer registry = ScriptedHttpServer.start();

  @AfterEach
  void stop() {
    registry.close();
  }

  private AvroSerde<Interaction> serde() {
    registry.on("POST", "/subjects/interactions-value/versions", 200, "{\"id\":3}");
    return AvroSerdes.specific(Interaction.class, Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL, registry.url()), false);
  }

  private static Interaction interaction(int i) {
    return new Interaction("e" + i, "user-" + (i % 1000), "item-" + (i % 5000),
        Instant.ofEpochMilli(1_700_000_000_000L + i), i % 3 == 0 ? null : 1f, i % 2 == 0 ? "click" : null,
        Split.values()[i % 3]);
  }

  @Test
  void oneRegistryCallForManyRecords() {
    AvroSerde<Interaction> serde = serde();
    int n = 200_000;
    Interaction[] records = new Interaction[n];
    for (int i = 0; i < n; i++) {
      records[i] = interaction(i);
    }
    assertThat(roundTrip(serde, records, n)).isGreaterThan(n * 10L);
    // The serde's serializer and deserializer share a client: the registered id is not even fetched.
    assertThat(registry.requests()).hasSize(1);
  }

  private static long roundTrip(AvroSerde<Interaction> serde, Interaction[] records, int n) {
    long bytes = 0;
    for (int i = 0; i < n; i++) {
      byte[] b = serde.serializer().serialize("interactions", records[i]);
      bytes += b.length;
      Interaction back = serde.deserializer().deserialize("interactions", b);
      if (!back.getEventId().equals(records[i].getEventId())) {
        throw new AssertionError("record " + i + " came back as " + back);
      }
    }
    return bytes;
  }

  @Test
  void oneSerdeSharedByThreadsRoundTripsEveryRecord() throws Exception {
    AvroSerde<Interaction> serde = serde();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Integer>> results = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int offset = t * 1_000_000;
        results.add(pool.submit(() -> {
          int ok = 0;
          for (int i = 0; i < 20_000; i++) {
            Interaction in = interaction(offset + i);
            byte[] b = serde.serializer().serialize("interactions", in);
            if (serde.deserializer().deserialize("interactions", b).equals(in)) {
              ok++;
            }
          }
          return ok;
        }));
      }
      for (Future<Integer> f : results) {
        assertThat(f.get()).isEqualTo(20_000);
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
