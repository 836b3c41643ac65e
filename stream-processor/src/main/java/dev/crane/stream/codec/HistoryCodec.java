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
   * A history updated in place: its encoded bytes are {@code bytes[0, length)}, followed by room to
   * grow, so that an event costs writing its entry (and, once the history is full, moving the
   * others over the oldest) instead of copying the whole history into a new array.
   */
  public static final class Buffer {
    private byte[] bytes;
    private int length;

    /** A buffer over a stored history (used as it is until it must grow); null for none. */
    public static Buffer of(byte[] stored) {
      if (stored == null) {
        return null;
      }
      Buffer b = new Buffer();
      b.bytes = stored;
      b.length = stored.length;
      return b;
    }

    /** The encoded history without the room after it (what a store keeps). */
    public byte[] stored() {
      return bytes.length == length ? bytes : java.util.Arrays.copyOf(bytes, length);
    }

    /** Bytes held in memory. */
    public int capacity() {
      return bytes == null ? 0 : bytes.length;
    }
  }

  /**
   * Inserts an entry in event-time order; a late event lands in its place, and when the history
   * is full the oldest entry (which may be the new one) is dropped. Returns a new array.
   */
  public byte[] insert(byte[] old, String itemId, long eventTime, int splitSlot) {
    return insert(old, itemId, eventTime, splitSlot, false);
  }

  /** As {@link #insert(Buffer, String, long, int, boolean)}, on a copy: returns a new array. */
  public byte[] insert(byte[] old, String itemId, long eventTime, int splitSlot, boolean newest) {
    Buffer b = old == null ? new Buffer() : Buffer.of(old.clone());
    insert(b, itemId, eventTime, splitSlot, newest);
    return b.stored();
  }

  /**
   * Inserts an entry into {@code h} in place (growing it when needed); {@code newest}: the caller
   * knows that no entry is later than {@code eventTime} (it is the user's latest event time), so the
   * entry goes last without a walk over the entries (most events arrive in time order; a full
   * history is 200 entries).
   */
  public void insert(Buffer h, String itemId, long eventTime, int splitSlot, boolean newest) {
    byte[] id = itemId.getBytes(StandardCharsets.UTF_8);
    int entrySize = 13 + id.length;
    if (h.bytes == null) {
      h.bytes = new byte[Math.max(256, 4 + entrySize)];
      h.length = 4;
    }
    byte[] b = h.bytes;
    int n = LE.getInt(b, 0);
    // Position: after every entry with time <= eventTime (stable for equal times).
    int pos = 4;
    if (newest) {
      pos = h.length;
    } else {
      int p = 4;
      for (int i = 0; i < n; i++) {
        if (LE.getLong(b, p) > eventTime) {
          break;
        }
        p += entryLength(b, p);
        pos = p;
      }
    }
    boolean full = n >= cap;
    if (full && pos == 4) {
      return; // older than everything kept: counted, but not part of the recent history
    }
    if (full) { // drop the oldest
      int first = entryLength(b, 4);
      System.arraycopy(b, 4 + first, b, 4, h.length - 4 - first);
      h.length -= first;
      pos -= first;
    }
    if (h.length + entrySize > b.length) {
      b = h.bytes = java.util.Arrays.copyOf(b, Math.max(h.length + entrySize, b.length + (b.length >> 1)));
    }
    System.arraycopy(b, pos, b, pos + entrySize, h.length - pos);
    writeEntry(b, pos, id, eventTime, splitSlot);
    h.length += entrySize;
    LE.putInt(b, 0, full ? n : n + 1);
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
