package dev.crane.stream.codec;

import java.util.Arrays;

/**
 * The event ids of a user's recent accepted interactions, for the dedup rule: a 64-bit hash of each
 * id with its record timestamp, in arrival order. An id is forgotten once its timestamp is more than
 * the dedup window behind the user's newest, or when more than the per-user cap arrived after it.
 * Duplicates are the same user's (records are keyed by user), so the user's own ids suffice, and
 * they live with the user's profile: no store write per event.
 *
 * <p>Layout: {@link #FORMAT}, three zero bytes, the entry count (int LE), the newest timestamp
 * (long LE), then per entry the hash and the timestamp (long LE each). The array may have room for
 * more entries beyond the count ({@link #add} appends in place); {@link #trimmed} drops it.
 */
public final class SeenIds {
  public static final byte FORMAT = 1;
  private static final int HEADER = 16;
  private static final int ENTRY = 16;

  private final long window;
  private final int cap;

  /**
   * @param window an id is kept while its timestamp is within this many ms of the user's newest
   * @param cap most ids kept per user
   */
  public SeenIds(long window, int cap) {
    this.window = window;
    this.cap = cap;
  }

  /**
   * True when {@code seen} remembers the hash with a timestamp within the window of
   * {@code timestamp}. Ids out of the window of the newest are not remembered even before a
   * compaction drops them, so the answer does not depend on when compactions ran (a rebuilt value
   * answers as the one it replaces).
   */
  public boolean contains(byte[] seen, long hash, long timestamp) {
    if (seen == null) {
      return false;
    }
    int n = count(seen);
    long oldest = LE.getLong(seen, 8) - window;
    for (int i = 0, at = HEADER; i < n; i++, at += ENTRY) {
      if (LE.getLong(seen, at) == hash) {
        long t = LE.getLong(seen, at + 8);
        if (t >= oldest && Math.abs(timestamp - t) <= window) {
          return true;
        }
      }
    }
    return false;
  }

  /** Adds the id; returns the array that holds it ({@code seen} itself when it had room). */
  public byte[] add(byte[] seen, long hash, long timestamp) {
    if (seen == null) {
      seen = new byte[HEADER + 4 * ENTRY];
      seen[0] = FORMAT;
      LE.putLong(seen, 8, Long.MIN_VALUE);
    }
    check(seen);
    long newest = Math.max(LE.getLong(seen, 8), timestamp);
    LE.putLong(seen, 8, newest);
    int n = count(seen);
    if (n >= cap || HEADER + (n + 1) * ENTRY > seen.length) {
      n = compact(seen, n, newest);
      if (HEADER + (n + 1) * ENTRY > seen.length) {
        seen = Arrays.copyOf(seen, HEADER + Math.min(cap, Math.max(4, 2 * (n + 1))) * ENTRY);
      }
    }
    int at = HEADER + n * ENTRY;
    LE.putLong(seen, at, hash);
    LE.putLong(seen, at + 8, timestamp);
    LE.putInt(seen, 4, n + 1);
    return seen;
  }

  /** Drops the ids out of the window, then the oldest beyond cap - 1; returns the count left. */
  private int compact(byte[] seen, int n, long newest) {
    int kept = 0;
    for (int i = 0; i < n; i++) {
      int from = HEADER + i * ENTRY;
      if (LE.getLong(seen, from + 8) >= newest - window) {
        System.arraycopy(seen, from, seen, HEADER + kept * ENTRY, ENTRY);
        kept++;
      }
    }
    int drop = Math.max(0, kept - (cap - 1));
    if (drop > 0) {
      System.arraycopy(seen, HEADER + drop * ENTRY, seen, HEADER, (kept - drop) * ENTRY);
      kept -= drop;
    }
    LE.putInt(seen, 4, kept);
    return kept;
  }

  /** The value without room for more entries (what a store keeps). */
  public static byte[] trimmed(byte[] seen) {
    if (seen == null) {
      return null;
    }
    int size = HEADER + count(seen) * ENTRY;
    return seen.length == size ? seen : Arrays.copyOf(seen, size);
  }

  public static int count(byte[] seen) {
    check(seen);
    return LE.getInt(seen, 4);
  }

  private static void check(byte[] seen) {
    if (seen.length < HEADER || seen[0] != FORMAT || LE.getInt(seen, 4) < 0
        || HEADER + (long) LE.getInt(seen, 4) * ENTRY > seen.length) {
      throw Layout.unknown("seen event ids", seen);
    }
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
