package dev.crane.api.seen;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * Every user's interacted items with the offset of the first interaction with each, from topic
 * {@code interactions} (key = user id, so one user's interactions share a partition and their
 * offsets are ordered). The first offset tells, for any version, whether an item is among the
 * user's trained items (below the version's input offset) or was folded in (at or above it).
 *
 * <p>Histories are immutable maps replaced on update: a query reads one consistent history while
 * the feed adds to it.
 */
public final class SeenItems {
  /** One user's history. */
  public record History(int partition, Map<String, Long> firstOffsets) {
    public static final History EMPTY = new History(-1, Map.of());

    public boolean contains(String item) {
      return firstOffsets.containsKey(item);
    }

    public int size() {
      return firstOffsets.size();
    }
  }

  private final ConcurrentHashMap<String, History> users = new ConcurrentHashMap<>();

  /**
   * Records an interaction.
   *
   * @return true when this is the user's first interaction with the item
   */
  public boolean add(String user, String item, int partition, long offset) {
    boolean[] first = new boolean[1];
    users.compute(user, (u, h) -> {
      if (h != null && h.firstOffsets().containsKey(item)) {
        Long earlier = h.firstOffsets().get(item);
        if (earlier <= offset) {
          return h;
        }
      }
      first[0] = h == null || !h.firstOffsets().containsKey(item);
      Map<String, Long> m = h == null ? new HashMap<>() : new HashMap<>(h.firstOffsets());
      m.put(item, offset);
      return new History(partition, Collections.unmodifiableMap(m));
    });
    return first[0];
  }

  /** The user's history, or {@link History#EMPTY}. */
  public History history(String user) {
    History h = users.get(user);
    return h == null ? History.EMPTY : h;
  }

  public void forEach(BiConsumer<String, History> action) {
    users.forEach(action);
  }

  public int users() {
    return users.size();
  }
}
