package dev.crane.stream.codec;

import java.nio.charset.StandardCharsets;

/**
 * A user's recent interactions, bounded: entries sorted by event time (ties: arrival order), the
 * oldest dropped beyond the cap. Entry: eventTime (long LE), split slot (byte), item id length
 * (int LE), item id UTF-8. The array starts with the entry count (int LE).
 */
public final class HistoryCodec {
  private final int cap;

  public HistoryCodec(int cap) {
    this.cap = cap;
  }

  public record Entry(String itemId, long eventTime, int splitSlot) {}

  /**
   * Inserts an entry in event-time order; a late event lands in its place, and when the history
   * is full the oldest entry (which may be the new one) is dropped.
   */
  public byte[] insert(byte[] old, String itemId, long eventTime, int splitSlot) {
    return insert(old, itemId, eventTime, splitSlot, false);
  }

  /**
   * As {@link #insert(byte[], String, long, int)}; {@code newest}: the caller knows that no entry is later
   * than {@code eventTime} (it is the user's latest event time), so the entry goes last without a walk
   * over the entries (most events arrive in time order; a full history is 200 entries).
   */
  public byte[] insert(byte[] old, String itemId, long eventTime, int splitSlot, boolean newest) {
    byte[] id = itemId.getBytes(StandardCharsets.UTF_8);
    int entrySize = 13 + id.length;
    if (old == null) {
      byte[] b = new byte[4 + entrySize];
      LE.putInt(b, 0, 1);
      writeEntry(b, 4, id, eventTime, splitSlot);
      return b;
    }
    int n = LE.getInt(old, 0);
    // Position: after every entry with time <= eventTime (stable for equal times).
    int pos = 4;
    int skipFirst = n >= cap ? entryLength(old, 4) : 0;
    if (newest) {
      pos = old.length;
    } else {
      int p = 4;
      for (int i = 0; i < n; i++) {
        if (LE.getLong(old, p) > eventTime) {
          break;
        }
        p += entryLength(old, p);
        pos = p;
      }
    }
    if (n >= cap && pos == 4) {
      return old; // older than everything kept: counted, but not part of the recent history
    }
    int newN = n >= cap ? n : n + 1;
    byte[] b = new byte[old.length + entrySize - skipFirst];
    LE.putInt(b, 0, newN);
    int w = 4;
    int from = 4 + skipFirst; // drop the oldest when full
    int before = pos - from;
    System.arraycopy(old, from, b, w, before);
    w += before;
    writeEntry(b, w, id, eventTime, splitSlot);
    w += entrySize;
    System.arraycopy(old, pos, b, w, old.length - pos);
    return b;
  }

  private static void writeEntry(byte[] b, int off, byte[] id, long t, int slot) {
    LE.putLong(b, off, t);
    b[off + 8] = (byte) slot;
    LE.putInt(b, off + 9, id.length);
    System.arraycopy(id, 0, b, off + 13, id.length);
  }

  private static int entryLength(byte[] b, int off) {
    return 13 + LE.getInt(b, off + 9);
  }

  public static java.util.List<Entry> decode(byte[] b) {
    java.util.List<Entry> out = new java.util.ArrayList<>();
    if (b == null) {
      return out;
    }
    int n = LE.getInt(b, 0);
    int p = 4;
    for (int i = 0; i < n; i++) {
      int len = LE.getInt(b, p + 9);
      out.add(new Entry(new String(b, p + 13, len, StandardCharsets.UTF_8), LE.getLong(b, p), b[p + 8]));
      p += 13 + len;
    }
    return out;
  }
}
