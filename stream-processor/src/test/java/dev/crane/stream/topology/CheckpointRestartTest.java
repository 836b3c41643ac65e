package dev.crane.stream.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.crane.schemas.avro.Split;
import dev.crane.stream.codec.ProfileCodec;
import dev.crane.stream.codec.SplitCounts;
import dev.crane.stream.config.ConfigLoader;
import dev.crane.stream.config.Names;
import dev.crane.stream.config.StreamConfig;
import dev.crane.stream.testing.Records;
import dev.crane.stream.testing.SharedRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Restarts of a task whose local profile store is gone: the rebuild loads the checkpoint and
 * replays only the journal above it, and gives the from-scratch sums bit for bit; the users changed
 * since the checkpoint are recomputed after a restart, so the next checkpoint misses none of them.
 */
class CheckpointRestartTest {
  private static final int USERS = 200;
  private static final int ITEMS = 300;
  @TempDir Path dir;
  private final Records records = new Records(SharedRegistry.url());
  /** Per user, the items counted into the profile, in processing order: the from-scratch answer. */
  private final Map<String, List<String>> summed = new LinkedHashMap<>();
  private int event;

  private StreamConfig config(Path d, boolean checkpoint) {
    Map<String, String> s = new HashMap<>();
    s.put("application.id", "restart");
    s.put("schema.registry.url", SharedRegistry.url());
    s.put("state.dir", d.resolve("state").toString());
    s.put("snapshot.dir", d.resolve("snapshots").toString());
    s.put("modalities", "image:128,audio:64");
    s.put("profiles.emit.interval.ms", "0");
    s.put("users.cache.bytes", "0");
    s.put("journal.checkpoint", Boolean.toString(checkpoint));
    return ConfigLoader.fromMap(s).withInputPartitions(1);
  }

  private ProcessorHarness harness(Path d, boolean checkpoint) {
    ProcessorHarness h = new ProcessorHarness(d, config(d, checkpoint), records);
    for (int i = 0; i < ITEMS; i++) {
      h.item("i" + i);
    }
    h.start();
    return h;
  }

  /** {@code n} interactions of the regular users (every tenth VALID, every tenth unlabelled), or of one user. */
  private void send(ProcessorHarness h, int n, String onlyUser) {
    for (int k = 0; k < n; k++, event++) {
      String user = onlyUser != null ? onlyUser : "u" + (event * 7919L % USERS);
      String item = "i" + (event * 104729L % ITEMS);
      Split split = event % 10 == 9 ? Split.VALID : event % 10 == 8 ? null : Split.TRAIN;
      h.send(Records.interaction("e" + event, user, item, 1000L + event, split));
      List<String> items = summed.computeIfAbsent(user, u -> new ArrayList<>());
      if (SplitCounts.countsIntoProfile(split)) {
        items.add(item);
      }
    }
  }

  /** Event {@code k} of the regular users again: a duplicate (its user already accepted its id). */
  private static void resend(ProcessorHarness h, int k) {
    Split split = k % 10 == 9 ? Split.VALID : k % 10 == 8 ? null : Split.TRAIN;
    h.send(Records.interaction("e" + k, "u" + (k * 7919L % USERS), "i" + (k * 104729L % ITEMS), 1000L + k, split));
  }

  /** Every profile bitwise equal to the float sums added in double in processing order. */
  private void assertFromScratch(ProcessorHarness h) {
    ProfileCodec codec = new ProfileCodec(h.config.modalities());
    var profiles = h.<String>store(Names.PROFILES_STORE);
    summed.forEach((user, items) -> {
      byte[] p = profiles.get(user);
      assertThat(p).as("profile of %s", user).isNotNull();
      assertThat(codec.degree(p)).isEqualTo(items.size());
      for (int m = 0; m < 2; m++) {
        int dim = h.config.modalities().get(m).dim();
        assertThat(codec.sums(p, m)).as("sums %d of %s", m, user)
            .containsExactly(ProfileTopologyTest.expectedSum(items, m, dim));
      }
    });
  }

  private static Map<String, byte[]> contents(ProcessorHarness h, String store) {
    Map<String, byte[]> out = new HashMap<>();
    try (var it = h.<String>store(store).all()) {
      it.forEachRemaining(kv -> {
        if (!kv.key.startsWith("\0")) {
          out.put(kv.key, kv.value);
        }
      });
    }
    return out;
  }

  /** Crash, wipe, restart; returns the journal entries the rebuild replayed. */
  private static long crashAndRestart(ProcessorHarness h, String label) {
    Map<String, byte[]> histories = contents(h, Names.HISTORY_STORE);
    Map<String, byte[]> seen = contents(h, Names.SEEN_STORE);
    double before = h.metrics.replayedCount();
    h.crashAndWipeLocalStores();
    long t0 = System.nanoTime();
    h.start();
    long ms = (System.nanoTime() - t0) / 1_000_000;
    long replayed = (long) (h.metrics.replayedCount() - before);
    System.out.printf("checkpoint restart test (%s): journal %d entries, replayed %d in %d ms%n", label,
        h.journalEntries(), replayed, ms);
    Map<String, byte[]> rebuilt = contents(h, Names.HISTORY_STORE);
    assertThat(rebuilt.keySet()).isEqualTo(histories.keySet());
    histories.forEach((u, b) -> assertThat(rebuilt.get(u)).as("history of %s", u).isEqualTo(b));
    Map<String, byte[]> rebuiltSeen = contents(h, Names.SEEN_STORE);
    assertThat(rebuiltSeen.keySet()).isEqualTo(seen.keySet()).hasSize(histories.size());
    seen.forEach((u, b) -> assertThat(rebuiltSeen.get(u)).as("seen ids of %s", u).isEqualTo(b));
    return replayed;
  }

  @Test
  void aRestartLoadsTheCheckpointAndReplaysOnlyTheJournalAboveIt() {
    try (ProcessorHarness h = harness(dir, true)) {
      send(h, 9_000, null);
      h.punctuate(); // item-degree increments sent: the watermark no longer holds the journal back
      h.cut(1);
      assertThat(h.journalEntries()).isZero();
      assertThat(h.count(Names.CHECKPOINT_STORE)).isEqualTo(USERS);
      send(h, 1_000, null);
      send(h, 5, "b-only"); // changed after the checkpoint, never again below

      assertThat(crashAndRestart(h, "checkpoint on")).isEqualTo(1_005);
      assertFromScratch(h);
      // the dedup rule remembers ids from the checkpoint and from the journal above it
      double duplicates = h.metrics.duplicateCount();
      for (int k : new int[] {0, 4_321, 8_999, 9_000, 9_999}) {
        resend(h, k);
      }
      assertThat(h.metrics.duplicateCount() - duplicates).isEqualTo(5);
      assertFromScratch(h);

      send(h, 500, null);
      h.closeProcessor(); // a clean restart: trusted, no replay; the changed users come from the journal
      h.start();
      assertThat(h.metrics.replayedCount()).isEqualTo(1_005);
      h.punctuate();
      h.cut(2); // must checkpoint b-only (changed before the crash) and the users of the 500
      assertThat(h.journalEntries()).isZero();
      send(h, 100, null);

      assertThat(crashAndRestart(h, "second restart")).isEqualTo(100);
      assertFromScratch(h);
    }
  }

  /**
   * A start whose rebuild fails part-way (here: the last entry's item cannot be decoded) leaves a
   * partial copy; Kafka Streams still closes the task, and that close must not mark the copy as at
   * the journal's end, or the next start would trust profiles that miss interactions.
   */
  @Test
  void aRebuildThatFailsPartWayIsNotTrustedOnTheNextStart() {
    try (ProcessorHarness h = harness(dir, true)) {
      send(h, 200, null);
      String lastItem = "i" + ((event - 1) * 104729L % ITEMS);
      h.crashAndWipeLocalStores();
      h.<String>store(Names.ITEMS_STORE).put(lastItem, new byte[] {9, 9, 9});
      assertThatThrownBy(h::start).isInstanceOf(RuntimeException.class);
      h.closeProcessor();
      h.item(lastItem);
      h.start();
      assertFromScratch(h);
    }
  }

  /**
   * An entry whose item's features are gone cannot be re-added to the profile by a rebuild, but its
   * event id is still remembered, as the live process remembered it.
   */
  @Test
  void aRebuildRemembersTheIdsOfEntriesItCannotReAdd() {
    try (ProcessorHarness h = harness(dir, true)) {
      send(h, 200, null); // one event per user: event 150 is its user's only one
      String item = "i" + (150 * 104729L % ITEMS); // event 150's item
      h.crashAndWipeLocalStores();
      h.<String>store(Names.ITEMS_STORE).delete(item);
      h.start();
      double duplicates = h.metrics.duplicateCount();
      h.item(item);
      resend(h, 150);
      assertThat(h.metrics.duplicateCount() - duplicates).isEqualTo(1);
    }
  }

  /** The behaviour before checkpoints, kept behind journal.checkpoint=false: the whole journal is replayed. */
  @Test
  void withoutCheckpointsTheWholeJournalIsReplayedWithTheSameResult() {
    try (ProcessorHarness h = harness(dir, false)) {
      send(h, 9_000, null);
      h.punctuate();
      h.cut(1);
      send(h, 1_000, null);
      send(h, 5, "b-only");
      assertThat(crashAndRestart(h, "checkpoint off")).isEqualTo(10_005);
      assertThat(h.journalEntries()).isEqualTo(10_005);
      assertFromScratch(h);
    }
  }
}
