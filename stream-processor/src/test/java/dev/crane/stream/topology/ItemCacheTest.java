package dev.crane.stream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crane.stream.codec.ItemView;
import dev.crane.stream.deadletter.Reason;
import org.junit.jupiter.api.Test;

/** The shared item cache never answers with a view older than the item's last update. */
class ItemCacheTest {
  private final ItemCache cache = new ItemCache(100);
  private final ItemView view = ItemView.rejected(Reason.ITEM_MALFORMED, "any view will do");

  /** A stream thread's miss: the version and epoch before the store read, then the put. */
  private void readAndPut(String item, Runnable betweenReadAndPut) {
    long version = cache.version(item);
    long epoch = cache.epoch();
    betweenReadAndPut.run();
    cache.put(item, view, version, epoch);
  }

  @Test
  void aViewReadBeforeNoUpdateIsServed() {
    readAndPut("i1", () -> {});
    assertThat(cache.get("i1")).isSameAs(view);
    cache.invalidate("i2");
    assertThat(cache.get("i1")).as("another item's update").isSameAs(view);
  }

  @Test
  void anUpdateAfterThePutMakesTheViewStale() {
    cache.invalidate("i1"); // an item updated before: its counter exists already
    readAndPut("i1", () -> {});
    assertThat(cache.get("i1")).isSameAs(view);
    cache.invalidate("i1");
    assertThat(cache.get("i1")).isNull();
  }

  @Test
  void anUpdateRacingTheStoreReadLeavesAnEntryThatNeverMatches() {
    readAndPut("i1", () -> cache.invalidate("i1")); // first update of the item, during the read
    assertThat(cache.get("i1")).isNull();
    cache.invalidate("i2");
    readAndPut("i2", () -> cache.invalidate("i2")); // a later update, during the read
    assertThat(cache.get("i2")).isNull();
  }

  @Test
  void aReinitialisedGlobalStoreDropsEverything() {
    readAndPut("i1", () -> {});
    readAndPut("i2", cache::invalidateAll);
    assertThat(cache.get("i1")).isNull();
    assertThat(cache.get("i2")).isNull();
  }
}
