package dev.crane.stream.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** A user's remembered event ids: the window, the cap, the index, the stored layout. */
class SeenIdsTest {
  @Test
  void anIdIsSeenWithinTheWindowOfItsTimestampOnly() {
    SeenIds ids = new SeenIds(60_000, 100);
    SeenIds.Set s = ids.add(null, 1, 1_000_000);
    assertThat(ids.contains(s, 1, 1_000_000)).isTrue();
    assertThat(ids.contains(s, 1, 1_059_999)).isTrue();
    assertThat(ids.contains(s, 1, 940_000)).as("a record stamped earlier, within the window").isTrue();
    assertThat(ids.contains(s, 1, 1_060_001)).isFalse();
    assertThat(ids.contains(s, 2, 1_000_000)).isFalse();
    assertThat(ids.contains(null, 1, 0)).isFalse();
    // an id out of the window of the user's newest is forgotten before the set drops it
    s = ids.add(s, 2, 2_000_000);
    assertThat(s.size()).as("not dropped yet").isEqualTo(2);
    assertThat(ids.contains(s, 1, 1_000_000)).isFalse();
  }

  @Test
  void aFullSetDropsWhatIsOutOfTheWindowThenTheOldestDownToThreeQuartersOfTheCap() {
    SeenIds ids = new SeenIds(60_000, 8);
    SeenIds.Set s = null;
    for (int i = 0; i < 8; i++) {
      s = ids.add(s, i, 1_000 + i);
    }
    assertThat(s.size()).isEqualTo(8);
    s = ids.add(s, 8, 1_008); // full: keeps the newest 6, then adds
    assertThat(s.size()).isEqualTo(7);
    for (int i = 0; i <= 8; i++) {
      assertThat(ids.contains(s, i, 1_000 + i)).as("id %d", i).isEqualTo(i >= 2);
    }
    s = ids.add(s, 9, 1_009);
    s = ids.add(s, 100, 10_000_000); // full, and every other id out of the window
    assertThat(s.size()).isEqualTo(1);
    assertThat(ids.contains(s, 100, 10_000_000)).isTrue();
  }

  /** The index answers as a scan of the entries would, through growth, drops and reloads. */
  @Test
  void theIndexAgreesWithAScan() {
    long window = 1_000;
    int cap = 50;
    SeenIds ids = new SeenIds(window, cap);
    SplittableRandom rng = new SplittableRandom(7);
    List<long[]> all = new ArrayList<>(); // every id added: {hash, timestamp}
    SeenIds.Set s = null;
    long t = 0;
    for (int step = 0; step < 5_000; step++) {
      t += rng.nextInt(40);
      long hash = rng.nextInt(300); // collisions and repeats on purpose
      long ts = t - rng.nextInt(100);
      boolean seen = ids.contains(s, hash, ts);
      assertThat(seen).as("step %d", step).isEqualTo(scan(s, hash, ts, window));
      s = ids.add(s, hash, ts);
      all.add(new long[] {hash, ts});
      if (step % 700 == 0) {
        s = SeenIds.Set.of(s.stored()); // a reload from the store answers the same
      }
      assertThat(s.size()).isLessThanOrEqualTo(cap);
    }
    // the newest ids within the window are always remembered
    long[] last = all.get(all.size() - 1);
    assertThat(ids.contains(s, last[0], last[1])).isTrue();
  }

  /** What the stored entries say, read without the index. */
  private static boolean scan(SeenIds.Set s, long hash, long ts, long window) {
    if (s == null) {
      return false;
    }
    byte[] b = s.stored();
    long oldest = LE.getLong(b, 8) - window;
    for (int i = 0, at = 16; i < SeenIds.count(b); i++, at += 16) {
      long t = LE.getLong(b, at + 8);
      if (LE.getLong(b, at) == hash && t >= oldest && Math.abs(ts - t) <= window) {
        return true;
      }
    }
    return false;
  }

  /** The user cache measures an entry around an update: a lookup that builds the index must not change it. */
  @Test
  void theSizeDoesNotMoveWhenALookupBuildsTheIndex() {
    SeenIds ids = new SeenIds(60_000, 100);
    SeenIds.Set s = SeenIds.Set.of(ids.add(ids.add(null, 1, 1), 2, 2).stored());
    long before = s.bytes();
    assertThat(ids.contains(s, 1, 1)).isTrue();
    assertThat(s.bytes()).isEqualTo(before);
  }

  @Test
  void theStoredLayoutRoundTripsAndAnUnknownOneIsRefused() {
    SeenIds ids = new SeenIds(60_000, 10);
    SeenIds.Set s = ids.add(ids.add(null, 5, 100), 6, 200);
    byte[] stored = s.stored();
    assertThat(stored).hasSize(16 + 2 * 16);
    assertThat(stored[0]).isEqualTo(SeenIds.FORMAT);
    assertThat(LE.getLong(stored, 8)).as("newest").isEqualTo(200);
    assertThat(SeenIds.Set.of(stored).stored()).isEqualTo(stored);
    assertThat(ids.contains(SeenIds.Set.of(stored), 6, 200)).isTrue();
    assertThat(SeenIds.Set.of(null)).isNull();

    byte[] newer = stored.clone();
    newer[0] = 9;
    assertThatThrownBy(() -> SeenIds.Set.of(newer)).hasMessageContaining("seen event ids");
    assertThatThrownBy(() -> SeenIds.Set.of(java.util.Arrays.copyOf(stored, 40))).hasMessageContaining("seen event ids");
  }

  @Test
  void theHashIsStable() {
    // stored in journal entries and checkpoints: a change would forget every remembered id
    assertThat(SeenIds.hash("e1")).isEqualTo(SeenIds.hash(new StringBuilder("e1")));
    assertThat(SeenIds.hash("e1")).as("FNV-1a 64 then the Murmur3 finaliser, computed independently")
        .isEqualTo(0x50295bda7c69a087L);
  }
}
