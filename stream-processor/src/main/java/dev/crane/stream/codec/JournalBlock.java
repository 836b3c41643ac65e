package dev.crane.stream.codec;

import java.util.Arrays;

/**
 * Consecutive journal entries stored as one value under the first entry's sequence number, so that
 * a commit's accepted interactions cost one store write and one changelog record instead of one per
 * interaction.
 *
 * <p>Layout: NUL, {@link #FORMAT}, the entry count (int LE), then per entry its length (int LE) and
 * its bytes (a {@link JournalLine} entry). A stored value without this format byte is a single entry
 * of the layouts before blocks ({@link JournalLine}); it still reads as a block of one.
 */
public final class JournalBlock {
  public static final byte FORMAT = 2;
  private static final int HEADER = 6;

  private byte[] buf = new byte[1 << 12];
  private int size = HEADER;
  private int count;

  /** Appends one entry to the block being built. */
  public void add(byte[] entry) {
    int need = size + 4 + entry.length;
    if (need > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(need, buf.length * 2));
    }
    LE.putInt(buf, size, entry.length);
    System.arraycopy(entry, 0, buf, size + 4, entry.length);
    size = need;
    count++;
  }

  public int count() {
    return count;
  }

  /** Encoded bytes so far. */
  public int bytes() {
    return size;
  }

  /** The block's stored value; the builder is then empty again. */
  public byte[] take() {
    buf[0] = 0;
    buf[1] = FORMAT;
    LE.putInt(buf, 2, count);
    byte[] value = Arrays.copyOf(buf, size);
    clear();
    return value;
  }

  /** Drops the entries added so far. */
  public void clear() {
    size = HEADER;
    count = 0;
  }

  /** How many entries a stored value holds. */
  public static int count(byte[] value) {
    if (!isBlock(value)) {
      return 1;
    }
    int n = LE.getInt(value, 2);
    if (n < 0 || HEADER + 4L * n > value.length) {
      throw corrupt(value, n, 0);
    }
    return n;
  }

  /** The stored value's entries, in sequence order. */
  public static void forEach(byte[] value, java.util.function.Consumer<byte[]> action) {
    if (!isBlock(value)) {
      action.accept(value);
      return;
    }
    int n = count(value);
    int at = HEADER;
    for (int i = 0; i < n; i++) {
      int len = at + 4 <= value.length ? LE.getInt(value, at) : -1;
      if (len < 0 || len > value.length - at - 4) {
        throw corrupt(value, n, i);
      }
      action.accept(Arrays.copyOfRange(value, at + 4, at + 4 + len));
      at += 4 + len;
    }
    if (at != value.length) {
      throw corrupt(value, n, n);
    }
  }

  private static IllegalStateException corrupt(byte[] value, int n, int at) {
    return new IllegalStateException("journal block of " + value.length + " bytes holding " + n
        + " entries is corrupt at entry " + at);
  }

  /** The stored value's last entry. */
  public static byte[] last(byte[] value) {
    byte[][] last = new byte[1][];
    forEach(value, e -> last[0] = e);
    return last[0];
  }

  private static boolean isBlock(byte[] value) {
    return value.length >= HEADER && value[0] == 0 && value[1] == FORMAT;
  }
}
