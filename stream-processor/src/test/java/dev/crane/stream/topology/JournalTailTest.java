package dev.crane.stream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crane.schemas.avro.Split;
import dev.crane.stream.codec.JournalLine;
import dev.crane.stream.codec.PartitionMeta;
import dev.crane.stream.config.ConfigLoader;
import dev.crane.stream.config.Names;
import dev.crane.stream.config.StreamConfig;
import dev.crane.stream.testing.Records;
import dev.crane.stream.testing.SharedRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The journal's last entry, not a meta record written with every interaction, tells a restarted task
 * where its sequence and its input stand: a crash after any accepted interaction, or after a
 * punctuation that released held ones, loses no journal entry and reports the exact input position.
 */
class JournalTailTest {
  private static final Duration HOLD_CHECK = Duration.ofSeconds(1);
  @TempDir Path dir;
  private final Records records = new Records(SharedRegistry.url());

  private ProcessorHarness harness() {
    StreamConfig config = ConfigLoader.fromMap(Map.of(
        "application.id", "tail",
        "schema.registry.url", SharedRegistry.url(),
        "state.dir", dir.resolve("state").toString(),
        "snapshot.dir", dir.resolve("snapshots").toString(),
        "modalities", "image:8,audio:4",
        "profiles.emit.interval.ms", "0",
        "unknown-item.check.interval.ms", Long.toString(HOLD_CHECK.toMillis()),
        "item-degree.flush.interval.ms", "60000")).withInputPartitions(1);
    ProcessorHarness h = new ProcessorHarness(dir, config, records);
    h.item("known");
    h.start();
    return h;
  }

  private static List<String> journalItems(ProcessorHarness h) {
    List<String> items = new ArrayList<>();
    h.journal().forEach((seq, entry) -> items.add(JournalLine.parse(entry).item()));
    return items;
  }

  private static PartitionMeta meta(ProcessorHarness h) {
    KeyValueStore<String, byte[]> store = h.store(Names.META_STORE);
    return PartitionMeta.decode(store.get(MetaStore.KEY));
  }

  @Test
  void anInteractionReleasedByTheHoldPunctuationSurvivesACrashBeforeTheNextRecord() {
    try (ProcessorHarness h = harness()) {
      h.send(Records.interaction("e0", "u1", "late", 1_000L, Split.TRAIN)); // held: no features yet
      h.item("late");
      h.punctuate(HOLD_CHECK); // released into the journal; no record follows to save anything
      assertThat(journalItems(h)).containsExactly("late");

      h.crash();
      h.start();
      h.send(Records.interaction("e1", "u1", "known", 2_000L, Split.TRAIN));

      assertThat(journalItems(h)).containsExactly("late", "known");
    }
  }

  @Test
  void aRestartReadsTheSequenceAndTheInputPositionFromTheJournalsLastEntry() {
    try (ProcessorHarness h = harness()) {
      for (int i = 0; i < 5; i++) {
        h.send(Records.interaction("e" + i, "u" + i, "known", 1_000L + i, Split.TRAIN));
      }
      h.send(Records.interaction("e0", "u0", "known", 1_000L, Split.TRAIN)); // a duplicate (offset 5) saves the meta
      h.send(Records.interaction("e5", "u5", "known", 1_005L, Split.TRAIN)); // offset 6: only its entry says so
      h.crash();
      h.start();
      h.cut(1); // saves the meta as the restarted task sees it

      PartitionMeta m = meta(h);
      assertThat(m.nextSeq).isEqualTo(6);
      assertThat(m.position).isEqualTo(7); // offsets 0..6 accounted for, the duplicate included
      assertThat(journalItems(h)).hasSize(6);
    }
  }
}
