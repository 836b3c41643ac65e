package dev.crane.stream.codec;

/** Per-split counters (TRAIN, VALID, TEST, no label) as 4 little-endian longs. */
public final class CountsCodec {
  public static final int SIZE = 8 * SplitCounts.SLOTS;

  private CountsCodec() {}

  public static byte[] add(byte[] old, int slot, long n) {
    byte[] b = old == null ? new byte[SIZE] : old.clone();
    LE.putLong(b, 8 * slot, LE.getLong(b, 8 * slot) + n);
    return b;
  }

  /** Element-wise sum of two counter arrays (null = zeros). */
  public static byte[] merge(byte[] old, byte[] delta) {
    byte[] b = old == null ? new byte[SIZE] : old.clone();
    for (int s = 0; s < SplitCounts.SLOTS; s++) {
      LE.putLong(b, 8 * s, LE.getLong(b, 8 * s) + LE.getLong(delta, 8 * s));
    }
    return b;
  }

  public static long get(byte[] b, int slot) {
    return b == null ? 0 : LE.getLong(b, 8 * slot);
  }

  public static long total(byte[] b) {
    long t = 0;
    for (int s = 0; s < SplitCounts.SLOTS; s++) {
      t += get(b, s);
    }
    return t;
  }
}
