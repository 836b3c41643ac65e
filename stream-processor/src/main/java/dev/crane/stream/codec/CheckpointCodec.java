package dev.crane.stream.codec;

/**
 * A user's checkpointed state in one value: {@link #FORMAT}, the profile length (int LE), the
 * profile bytes ({@link ProfileCodec}), then the history bytes ({@link HistoryCodec}; none for no
 * history). The layout before the format byte (no such byte) still reads: there, bytes 1-4 are the
 * length's upper three bytes and the profile's own nonzero format byte, so as an int they exceed
 * any value's length, and the two layouts cannot be mistaken for each other.
 */
public final class CheckpointCodec {
  public static final byte FORMAT = 1;

  private CheckpointCodec() {}

  public record UserState(byte[] profile, byte[] history) {}

  public static byte[] encode(byte[] profile, byte[] history) {
    int h = history == null ? 0 : history.length;
    byte[] b = new byte[5 + profile.length + h];
    b[0] = FORMAT;
    LE.putInt(b, 1, profile.length);
    System.arraycopy(profile, 0, b, 5, profile.length);
    if (h > 0) {
      System.arraycopy(history, 0, b, 5 + profile.length, h);
    }
    return b;
  }

  public static UserState decode(byte[] b) {
    int o; // where the profile length is
    if (b.length >= 5 && b[0] == FORMAT && fits(b, 1)) {
      o = 1;
    } else if (b.length >= 4 && fits(b, 0)) {
      o = 0; // before the format byte
    } else {
      throw Layout.unknown("profile checkpoint", b);
    }
    int p = LE.getInt(b, o);
    int from = o + 4;
    byte[] profile = java.util.Arrays.copyOfRange(b, from, from + p);
    byte[] history = b.length == from + p ? null : java.util.Arrays.copyOfRange(b, from + p, b.length);
    return new UserState(profile, history);
  }

  /** True when the length at {@code o} leaves a nonempty profile inside the value. */
  private static boolean fits(byte[] b, int o) {
    int p = LE.getInt(b, o);
    return p > 0 && p <= b.length - o - 4;
  }
}
