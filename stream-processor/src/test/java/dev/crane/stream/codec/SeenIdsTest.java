package dev.crane.stream.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** A user's remembered event ids: the window, the cap, in-place growth and the stored layout. */
class SeenIdsTest {
  @Test
  void anIdIsSeenWithinTheWindowOfItsTimestampOnly() {
    SeenIds ids = new SeenIds(60_000, 100);
    byte[] s = ids.add(null, 1, 1_000_000);
    assertThat(ids.contains(s, 1, 1_000_000)).isTrue();
    assertThat(ids.contains(s, 1, 1_059_999)).isTrue();
    assertThat(ids.contains(s, 1, 940_000)).as("a record stamped earlier, within the window").isTrue();
    assertThat(ids.contains(s, 1, 1_060_001)).isFalse();
    assertThat(ids.contains(s, 2, 1_000_000)).isFalse();
    assertThat(ids.contains(null, 1, 0)).isFalse();
    // an id out of the window of the user's newest is forgotten before any compaction drops it
    s = ids.add(s, 2, 2_000_000);
    assertThat(SeenIds.count(s)).as("not compacted yet").isEqualTo(2);
    assertThat(ids.contains(s, 1, 1_000_000)).isFalse();
  }

  @Test
  void theOldestIdsGoBeyondTheCapAndIdsOutOfTheWindowGoFirst() {
    SeenIds ids = new SeenIds(60_000, 8);
    byte[] s = null;
    for (int i = 0; i < 20; i++) {
      s = ids.add(s, i, 1_000 + i);
    }
    assertThat(SeenIds.count(s)).isEqualTo(8);
    for (int i = 0; i < 20; i++) {
      assertThat(ids.contains(s, i, 1_000 + i)).as("id %d", i).isEqualTo(i >= 12);
    }
    // a newest timestamp far ahead drops every id out of the window at the next compaction
    s = ids.add(s, 100, 10_000_000);
    s = ids.add(s, 101, 10_000_001);
    assertThat(SeenIds.count(s)).isEqualTo(2);
    assertThat(ids.contains(s, 100, 10_000_000)).isTrue();
  }

  @Test
  void idsAreAddedInPlaceWhileThereIsRoomAndStoredWithoutIt() {
    SeenIds ids = new SeenIds(60_000, 1000);
    byte[] s = ids.add(null, 1, 1);
    byte[] same = ids.add(s, 2, 2);
    assertThat(same).isSameAs(s);
    byte[] stored = SeenIds.trimmed(same);
    assertThat(stored).hasSize(16 + 2 * 16);
    assertThat(ids.contains(stored, 2, 2)).isTrue();
    byte[] grown = ids.add(stored, 3, 3);
    assertThat(grown).isNotSameAs(stored);
    assertThat(SeenIds.count(grown)).isEqualTo(3);
    assertThat(SeenIds.trimmed(null)).isNull();
  }

  @Test
  void aValueOfAnUnknownLayoutIsRefused() {
    byte[] s = SeenIds.trimmed(new SeenIds(1, 1).add(null, 1, 1));
    s[0] = 9;
    assertThatThrownBy(() -> SeenIds.count(s)).hasMessageContaining("seen event ids");
    byte[] cut = java.util.Arrays.copyOf(SeenIds.trimmed(new SeenIds(1, 1).add(null, 1, 1)), 20);
    assertThatThrownBy(() -> new SeenIds(1, 1).contains(cut, 1, 1)).hasMessageContaining("seen event ids");
  }

  @Test
  void theHashIsStable() {
    // stored in journal entries and checkpoints: a change would forget every remembered id
    assertThat(SeenIds.hash("e1")).isEqualTo(SeenIds.hash(new StringBuilder("e1")));
    assertThat(SeenIds.hash("e1")).as("FNV-1a 64 then the Murmur3 finaliser, computed independently")
        .isEqualTo(0x50295bda7c69a087L);
  }
}
