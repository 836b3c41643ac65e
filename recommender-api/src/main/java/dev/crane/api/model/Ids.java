package dev.crane.api.model;

import java.util.Arrays;

/**
 * A version's ids, row by row, with the reverse lookup: all characters in one array, one offset
 * and one hash per row, and an open-addressing table of rows. A loaded version is then a handful
 * of large arrays instead of a String, a HashMap node and a boxed row per id: the young-generation
 * collector copies live objects until they are old enough, and 73k ids held that way made every
 * pause after a version arrived about 10 ms longer (about 15 MB copied per pause, twice that while
 * the previous version stays for pinned requests). Immutable; ids are unique.
 */
public final class Ids {
  private final char[] chars;
  /** Row r's characters are [starts[r], starts[r + 1]). */
  private final int[] starts;
  private final int[] hashes;
  /** Row + 1 per slot, 0 for empty; a power of two at most half full. */
  private final int[] table;

  private Ids(char[] chars, int[] starts, int[] hashes) {
    this.chars = chars;
    this.starts = starts;
    this.hashes = hashes;
    int n = hashes.length;
    this.table = new int[Integer.highestOneBit(Math.max(2, n) * 2 - 1) * 2];
    int mask = table.length - 1;
    for (int r = 0; r < n; r++) {
      int slot = spread(hashes[r]) & mask;
      while (table[slot] != 0) {
        if (equalsRow(table[slot] - 1, r)) {
          throw new IllegalArgumentException("duplicate id " + id(r) + " at rows " + (table[slot] - 1) + " and " + r);
        }
        slot = (slot + 1) & mask;
      }
      table[slot] = r + 1;
    }
  }

  /** The ids of {@code ids}, in order; fails on a null or a repeated id. */
  public static Ids of(String... ids) {
    Builder b = new Builder(ids.length);
    for (String id : ids) {
      b.add(id);
    }
    return b.build();
  }

  public int size() {
    return hashes.length;
  }

  /** The id of {@code row} (a new String: replies hold a few, the version holds none). */
  public String id(int row) {
    return new String(chars, starts[row], starts[row + 1] - starts[row]);
  }

  /** The row of {@code id}, or -1. */
  public int row(String id) {
    int h = id.hashCode();
    int mask = table.length - 1;
    for (int slot = spread(h) & mask; table[slot] != 0; slot = (slot + 1) & mask) {
      int r = table[slot] - 1;
      if (hashes[r] == h && equalsId(r, id)) {
        return r;
      }
    }
    return -1;
  }

  /** All ids as Strings (tests and tools; allocates one String per row). */
  public String[] toArray() {
    String[] out = new String[size()];
    Arrays.setAll(out, this::id);
    return out;
  }

  private boolean equalsId(int row, String id) {
    int from = starts[row];
    int len = starts[row + 1] - from;
    if (len != id.length()) {
      return false;
    }
    for (int i = 0; i < len; i++) {
      if (chars[from + i] != id.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private boolean equalsRow(int a, int b) {
    return hashes[a] == hashes[b] && Arrays.equals(chars, starts[a], starts[a + 1], chars, starts[b], starts[b + 1]);
  }

  /** String hashes of similar ids differ in the low bits mostly; mix the high ones in (as HashMap does). */
  private static int spread(int h) {
    return h ^ (h >>> 16);
  }

  /** Appends ids row by row. */
  public static final class Builder {
    private char[] chars;
    private int[] starts;
    private int[] hashes;
    private int n;
    private int used;

    /** @param expected rows expected (grows beyond) */
    public Builder(int expected) {
      int cap = Math.max(1, expected);
      chars = new char[cap * 8];
      starts = new int[cap + 1];
      hashes = new int[cap];
    }

    public Builder add(String id) {
      if (id == null) {
        throw new IllegalArgumentException("null id at row " + n);
      }
      if (n == hashes.length) {
        hashes = Arrays.copyOf(hashes, n * 2);
        starts = Arrays.copyOf(starts, n * 2 + 1);
      }
      if (used + id.length() > chars.length) {
        chars = Arrays.copyOf(chars, Math.max(chars.length * 2, used + id.length()));
      }
      id.getChars(0, id.length(), chars, used);
      used += id.length();
      hashes[n] = id.hashCode();
      starts[++n] = used;
      return this;
    }

    public int size() {
      return n;
    }

    public Ids build() {
      return new Ids(Arrays.copyOf(chars, used), Arrays.copyOf(starts, n + 1), Arrays.copyOf(hashes, n));
    }
  }
}
