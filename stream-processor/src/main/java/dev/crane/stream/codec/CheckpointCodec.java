package dev.crane.stream.codec;

/**
 * A user's checkpointed state in one value: profile length (int LE), the profile bytes
 * ({@link ProfileCodec}), then the history bytes ({@link HistoryCodec}; none for no history).
 */
public final class CheckpointCodec {
  private CheckpointCodec() {}

  public record UserState(byte[] profile, byte[] history) {}

  public static byte[] encode(byte[] profile, byte[] history) {
    int h = history == null ? 0 : history.length;
    byte[] b = new byte[4 + profile.length + h];
    LE.putInt(b, 0, profile.length);
    System.arraycopy(profile, 0, b, 4, profile.length);
    if (h > 0) {
      System.arraycopy(history, 0, b, 4 + profile.length, h);
    }
    return b;
  }

  public static UserState decode(byte[] b) {
    int p = LE.getInt(b, 0);
    byte[] profile = java.util.Arrays.copyOfRange(b, 4, 4 + p);
    byte[] history = b.length == 4 + p ? null : java.util.Arrays.copyOfRange(b, 4 + p, b.length);
    return new UserState(profile, history);
  }
}
