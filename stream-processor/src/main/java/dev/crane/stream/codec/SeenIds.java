package dev.crane.stream.codec;

import java.util.Arrays;

/**
 * The event ids of a user's recent accepted interactions, for the dedup rule: a 64-bit hash of each
 * id with its record timestamp, in arrival order. Duplicates are the same user's (records are keyed
 * by user), so the user's own ids suffice, and they live with the user's profile: no store write
 * per event.
 *
 * <p>An id is remembered while its timestamp is within the dedup window of the user's newest and
 * until it is among the oldest when the set reaches the per-user cap: the set then drops what is
 * out of the window and, if still over three quarters of the cap, the oldest down to that. (Dropping
 * a quarter at a time keeps the hash index's rebuild off the per-event path; dropping only when the
 * cap is reached makes the set a function of the ids added, so a rebuilt set answers as the one it
 * replaces.)
 *
 * <p>Stored layout: {@link #FORMAT}, three zero bytes, the entry count (int LE), the newest
 * timestamp (long LE), then per entry the hash and the timestamp (long LE each).
 */
public final class SeenIds {
  public static final byte FORMAT = 1;
  private static final int HEADER = 16;
  private static final int ENTRY = 16;

  private final long window;
  private final int cap;

  /**
   * @param window an id is remembered while its timestamp is within this many ms of the user's newest
   * @param cap most ids remembered per user
   */
  public SeenIds(long window, int cap) {
    this.window = window;
    this.cap = cap;
  }

  /** One user's ids in memory, with a hash index over them (built on first use, not stored). */
  public static final class Set {
    private long[] hashes;
    private long[] times;
    private int n;
    private long newest = Long.MIN_VALUE;
    /** Open addressing, linear probing: an entry's position + 1, 0 = free; at most half full. */
    private int[] index;

    private Set(int capacity) {
      hashes = new long[capacity];
      times = new long[capacity];
    }

    /** The set a stored value holds; null for none. */
    public static Set of(byte[] stored) {
      if (stored == null) {
        return null;
      }
      int n = count(stored);
      Set s = new Set(Math.max(4, n));
      for (int i = 0, at = HEADER; i < n; i++, at += ENTRY) {
        s.hashes[i] = LE.getLong(stored, at);
        s.times[i] = LE.getLong(stored, at + 8);
      }
      s.n = n;
      s.newest = LE.getLong(stored, 8);
      return s;
    }

    /** The stored value. */
    public byte[] stored() {
      byte[] b = new byte[HEADER + n * ENTRY];
      b[0] = FORMAT;
      LE.putInt(b, 4, n);
      LE.putLong(b, 8, newest);
      for (int i = 0, at = HEADER; i < n; i++, at += ENTRY) {
        LE.putLong(b, at, hashes[i]);
        LE.putLong(b, at + 8, times[i]);
      }
      return b;
    }

    public int size() {
      return n;
    }

    /**
     * Bytes held in memory, roughly, the index counted whether built or not: a size that moved
     * when a lookup built it would throw off the user cache's accounting, which measures the
     * entry's size around an update only.
     */
    public long bytes() {
      return 48 + 16L * hashes.length + 4L * indexSlots(hashes.length);
    }

    private static int indexSlots(int capacity) {
      return Integer.highestOneBit(Math.max(4, capacity) * 2 - 1) << 1;
    }

    private int slot(long hash) {
      return (int) (hash ^ (hash >>> 32)) & (index.length - 1);
    }

    private void indexAll() {
      index = new int[indexSlots(hashes.length)];
      for (int p = 0; p < n; p++) {
        put(p);
      }
    }

    private void put(int p) {
      int i = slot(hashes[p]);
      while (index[i] != 0) {
        i = (i + 1) & (index.length - 1);
      }
      index[i] = p + 1;
    }
  }

  /**
   * True when the set remembers the hash with a timestamp within the window of {@code timestamp}.
   * Ids out of the window of the newest are not remembered even before the set drops them.
   */
  public boolean contains(Set s, long hash, long timestamp) {
    if (s == null || s.n == 0) {
      return false;
    }
    if (s.index == null) {
      s.indexAll();
    }
    long oldest = s.newest - window;
    for (int i = s.slot(hash); s.index[i] != 0; i = (i + 1) & (s.index.length - 1)) {
      int p = s.index[i] - 1;
      long t = s.times[p];
      if (s.hashes[p] == hash && t >= oldest && Math.abs(timestamp - t) <= window) {
        return true;
      }
    }
    return false;
  }

  /** Adds the id; returns the set that holds it (a new one for null). */
  public Set add(Set s, long hash, long timestamp) {
    if (s == null) {
      s = new Set(4);
    }
    s.newest = Math.max(s.newest, timestamp);
    if (s.n >= cap) {
      drop(s);
    }
    if (s.n == s.hashes.length) {
      int capacity = Math.min(cap, 2 * s.hashes.length);
      s.hashes = Arrays.copyOf(s.hashes, capacity);
      s.times = Arrays.copyOf(s.times, capacity);
      s.index = null; // rebuilt at the next lookup, for the new capacity
    }
    s.hashes[s.n] = hash;
    s.times[s.n] = timestamp;
    s.n++;
    if (s.index != null) {
      s.put(s.n - 1);
    }
    return s;
  }

  /** The set is full: drops the ids out of the window, then the oldest down to three quarters of the cap. */
  private void drop(Set s) {
    long oldest = s.newest - window;
    int kept = 0;
    for (int i = 0; i < s.n; i++) {
      if (s.times[i] >= oldest) {
        s.hashes[kept] = s.hashes[i];
        s.times[kept] = s.times[i];
        kept++;
      }
    }
    int keep = cap - Math.max(1, cap / 4);
    int from = Math.max(0, kept - keep);
    System.arraycopy(s.hashes, from, s.hashes, 0, kept - from);
    System.arraycopy(s.times, from, s.times, 0, kept - from);
    s.n = kept - from;
    s.index = null;
  }

  public static int count(byte[] stored) {
    if (stored.length < HEADER || stored[0] != FORMAT || LE.getInt(stored, 4) < 0
        || HEADER + (long) LE.getInt(stored, 4) * ENTRY != stored.length) {
      throw Layout.unknown("seen event ids", stored);
    }
    return LE.getInt(stored, 4);
  }

  /**
   * 64 bits of the id's chars (FNV-1a, then MurmurHash3's finaliser to spread them). Stored in the
   * journal and in checkpoints: it must not change between releases.
   */
  public static long hash(CharSequence s) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < s.length(); i++) {
      h = (h ^ s.charAt(i)) * 0x100000001b3L;
    }
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    return h ^ (h >>> 33);
  }
}
