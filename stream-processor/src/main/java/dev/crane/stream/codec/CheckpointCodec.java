package dev.crane.stream.codec;

import java.util.Arrays;

/**
 * A user's checkpointed state in one value: {@link #FORMAT}, the profile length and the history
 * length (int LE each), the profile bytes ({@link ProfileCodec}), the history bytes
 * ({@link HistoryCodec}; none for no history), then the seen event ids ({@link SeenIds}; none for
 * none).
 *
 * <p>Earlier layouts still read, without seen ids: format 1 is the format byte, the profile length
 * and the profile, then the history; before it there was no format byte. There, bytes 1-4 are the
 * length's upper three bytes and the profile's own nonzero format byte, so as an int they exceed
 * any value's length, and the layouts cannot be mistaken for each other.
 */
public final class CheckpointCodec {
  public static final byte FORMAT = 2;
  private static final byte FORMAT_1 = 1;

  private CheckpointCodec() {}

  public record UserState(byte[] profile, byte[] history, byte[] seen) {}

  public static byte[] encode(byte[] profile, byte[] history, byte[] seen) {
    int h = history == null ? 0 : history.length;
    int s = seen == null ? 0 : seen.length;
    byte[] b = new byte[9 + profile.length + h + s];
    b[0] = FORMAT;
    LE.putInt(b, 1, profile.length);
    LE.putInt(b, 5, h);
    System.arraycopy(profile, 0, b, 9, profile.length);
    if (h > 0) {
      System.arraycopy(history, 0, b, 9 + profile.length, h);
    }
    if (s > 0) {
      System.arraycopy(seen, 0, b, 9 + profile.length + h, s);
    }
    return b;
  }

  public static UserState decode(byte[] b) {
    if (b.length >= 9 && b[0] == FORMAT && fits(b, 1, 9) && LE.getInt(b, 5) >= 0
        && LE.getInt(b, 5) <= b.length - 9 - LE.getInt(b, 1)) {
      int p = LE.getInt(b, 1);
      int h = LE.getInt(b, 5);
      int seenFrom = 9 + p + h;
      return new UserState(Arrays.copyOfRange(b, 9, 9 + p), h == 0 ? null : Arrays.copyOfRange(b, 9 + p, seenFrom),
          seenFrom == b.length ? null : Arrays.copyOfRange(b, seenFrom, b.length));
    }
    int o; // where the profile length is
    if (b.length >= 5 && b[0] == FORMAT_1 && fits(b, 1, 5)) {
      o = 1;
    } else if (b.length >= 4 && fits(b, 0, 4)) {
      o = 0; // before the format byte
    } else {
      throw Layout.unknown("profile checkpoint", b);
    }
    int p = LE.getInt(b, o);
    int from = o + 4;
    byte[] profile = Arrays.copyOfRange(b, from, from + p);
    byte[] history = b.length == from + p ? null : Arrays.copyOfRange(b, from + p, b.length);
    return new UserState(profile, history, null);
  }

  /** True when the length at {@code o} leaves a nonempty profile inside the value after its header. */
  private static boolean fits(byte[] b, int o, int header) {
    int p = LE.getInt(b, o);
    return p > 0 && p <= b.length - header;
  }
}
