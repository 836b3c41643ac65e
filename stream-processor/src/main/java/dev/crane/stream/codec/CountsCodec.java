package dev.crane.stream.codec;

/**
 * Per-split counters (TRAIN, VALID, TEST, no label): {@link #FORMAT}, then 4 little-endian longs.
 * The layout before the format byte (the 4 longs alone, 32 bytes) still reads; any write upgrades it.
 */
public final class CountsCodec {
  public static final byte FORMAT = 1;
  private static final int LONGS = 8 * SplitCounts.SLOTS;
  public static final int SIZE = 1 + LONGS;

  private CountsCodec() {}

  /** True for a value in one of the layouts this release reads. */
  public static boolean isCounts(byte[] b) {
    return b != null && (b.length == LONGS || (b.length == SIZE && b[0] == FORMAT));
  }

  public static byte[] add(byte[] old, int slot, long n) {
    byte[] b = copy(old);
    LE.putLong(b, 1 + 8 * slot, LE.getLong(b, 1 + 8 * slot) + n);
    return b;
  }

  /** Element-wise sum of two counter arrays (null = zeros). */
  public static byte[] merge(byte[] old, byte[] delta) {
    byte[] b = copy(old);
    for (int s = 0; s < SplitCounts.SLOTS; s++) {
      LE.putLong(b, 1 + 8 * s, LE.getLong(b, 1 + 8 * s) + get(delta, s));
    }
    return b;
  }

  public static long get(byte[] b, int slot) {
    return b == null ? 0 : LE.getLong(b, start(b) + 8 * slot);
  }

  public static long total(byte[] b) {
    long t = 0;
    for (int s = 0; s < SplitCounts.SLOTS; s++) {
      t += get(b, s);
    }
    return t;
  }

  /** A new value in the current layout with the counts of {@code old} (null = zeros). */
  private static byte[] copy(byte[] old) {
    byte[] b = new byte[SIZE];
    b[0] = FORMAT;
    if (old != null) {
      System.arraycopy(old, start(old), b, 1, LONGS);
    }
    return b;
  }

  /** Where the longs start: after the format byte, or at 0 in the layout before it. */
  private static int start(byte[] b) {
    if (!isCounts(b)) {
      throw Layout.unknown("item counts", b);
    }
    return b.length == LONGS ? 0 : 1;
  }
}
