package dev.crane.stream.codec;

import dev.crane.stream.deadletter.DeadLetters.Source;
import java.nio.charset.StandardCharsets;

/**
 * A record held because its item's features have not arrived: the original bytes, where it came
 * from, and when it arrived (wall clock, for the hold time). Store key: {@code itemId \0 partition
 * offset}, so that the held records of one item sit together and in source order.
 *
 * <p>Value: {@link #FORMAT}, partition (int LE), offset, timestamp, arrival (longs LE), then topic,
 * key and value, each after its length (int LE; -1 = null). The layout before the format byte (the
 * same without it) still reads: a value is taken in the layout whose lengths add up to its size.
 */
public final class PendingCodec {
  public static final byte FORMAT = 1;
  /** Bytes of the fixed fields: partition, offset, timestamp, arrival and the three lengths. */
  private static final int FIXED = 4 + 8 + 8 + 8 + 4 + 4 + 4;

  private PendingCodec() {}

  public record Held(Source source, long arrivedAtMs, byte[] key, byte[] value) {}

  public static String storeKey(String itemId, int partition, long offset) {
    return itemId + '\0' + String.format("%05d%019d", partition, offset);
  }

  public static String itemOf(String storeKey) {
    return storeKey.substring(0, storeKey.lastIndexOf('\0'));
  }

  public static byte[] encode(Held h) {
    byte[] topic = h.source().topic().getBytes(StandardCharsets.UTF_8);
    int kl = h.key() == null ? -1 : h.key().length;
    int vl = h.value() == null ? -1 : h.value().length;
    byte[] b = new byte[1 + FIXED + topic.length + Math.max(kl, 0) + Math.max(vl, 0)];
    b[0] = FORMAT;
    int p = 1;
    LE.putInt(b, p, h.source().partition());
    LE.putLong(b, p += 4, h.source().offset());
    LE.putLong(b, p += 8, h.source().timestamp());
    LE.putLong(b, p += 8, h.arrivedAtMs());
    LE.putInt(b, p += 8, topic.length);
    System.arraycopy(topic, 0, b, p += 4, topic.length);
    p += topic.length;
    LE.putInt(b, p, kl);
    p += 4;
    if (kl > 0) {
      System.arraycopy(h.key(), 0, b, p, kl);
      p += kl;
    }
    LE.putInt(b, p, vl);
    p += 4;
    if (vl > 0) {
      System.arraycopy(h.value(), 0, b, p, vl);
    }
    return b;
  }

  public static Held decode(byte[] b) {
    int p;
    if (b.length > 0 && b[0] == FORMAT && consistent(b, 1)) {
      p = 1;
    } else if (consistent(b, 0)) {
      p = 0; // before the format byte
    } else {
      throw Layout.unknown("held record", b);
    }
    int partition = LE.getInt(b, p);
    long offset = LE.getLong(b, p += 4);
    long ts = LE.getLong(b, p += 8);
    long arrived = LE.getLong(b, p += 8);
    int tl = LE.getInt(b, p += 8);
    String topic = new String(b, p += 4, tl, StandardCharsets.UTF_8);
    p += tl;
    int kl = LE.getInt(b, p);
    p += 4;
    byte[] key = kl < 0 ? null : java.util.Arrays.copyOfRange(b, p, p + kl);
    p += Math.max(kl, 0);
    int vl = LE.getInt(b, p);
    p += 4;
    byte[] value = vl < 0 ? null : java.util.Arrays.copyOfRange(b, p, p + vl);
    return new Held(new Source(topic, partition, offset, ts), arrived, key, value);
  }

  /** True when the fields starting at {@code o} end exactly at the value's end. */
  private static boolean consistent(byte[] b, int o) {
    long end = o + 28L; // the topic length
    for (int field = 0; field < 3; field++) { // topic, key, value
      if (end + 4 > b.length) {
        return false;
      }
      int len = LE.getInt(b, (int) end);
      if (len < -1 || (field == 0 && len < 0)) {
        return false;
      }
      end += 4 + Math.max(len, 0);
    }
    return end == b.length;
  }
}
