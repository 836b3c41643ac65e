package dev.crane.stream.codec;

/**
 * Per input partition bookkeeping, stored in the task's meta store so it commits with the state:
 * the next input offset to read (everything below it is counted, held, dead-lettered or dropped as
 * a duplicate), the next sequence number of an accepted interaction, the last snapshot cut, and
 * the journal's bounds (item-degree watermark, profile checkpoint, first entry kept).
 *
 * <p>Layout: {@link #FORMAT}, then the fields as little-endian longs (the flag as one byte). The
 * layouts before the format byte (33, 41 and 57 bytes: fields added at the end) still read.
 */
public final class PartitionMeta {
  public static final byte FORMAT = 1;
  private static final int FIELDS = 57;

  public long position;
  public long nextSeq;
  public long lastCutSeq;
  public long lastCutVersion;
  public boolean cutRequested;
  /** Journal entries below this sequence number have been sent as item-degree increments. */
  public long deltaSeq;
  /** The profile-checkpoint store holds every user's state after the journal entries below this. */
  public long checkpointSeq;
  /** Journal entries below this have been deleted (all of them are below every bound above). */
  public long journalFrom;

  public static byte[] longBytes(long v) {
    byte[] b = new byte[8];
    LE.putLong(b, 0, v);
    return b;
  }

  public static long longFrom(byte[] b) {
    return LE.getLong(b, 0);
  }

  public byte[] encode() {
    byte[] b = new byte[1 + FIELDS];
    b[0] = FORMAT;
    LE.putLong(b, 1, position);
    LE.putLong(b, 9, nextSeq);
    LE.putLong(b, 17, lastCutSeq);
    LE.putLong(b, 25, lastCutVersion);
    b[33] = (byte) (cutRequested ? 1 : 0);
    LE.putLong(b, 34, deltaSeq);
    LE.putLong(b, 42, checkpointSeq);
    LE.putLong(b, 50, journalFrom);
    return b;
  }

  public static PartitionMeta decode(byte[] b) {
    PartitionMeta m = new PartitionMeta();
    if (b == null) {
      return m;
    }
    int o; // where the fields start
    int fields; // how many bytes of them this layout has
    if (b.length == 33 || b.length == 41 || b.length == FIELDS) {
      o = 0; // before the format byte
      fields = b.length;
    } else if (b.length == 1 + FIELDS && b[0] == FORMAT) {
      o = 1;
      fields = FIELDS;
    } else {
      throw Layout.unknown("partition meta", b);
    }
    m.position = LE.getLong(b, o);
    m.nextSeq = LE.getLong(b, o + 8);
    m.lastCutSeq = LE.getLong(b, o + 16);
    m.lastCutVersion = LE.getLong(b, o + 24);
    m.cutRequested = b[o + 32] != 0;
    m.deltaSeq = fields >= 41 ? LE.getLong(b, o + 33) : 0;
    if (fields >= 57) { // older metas: no checkpoint yet, whole journal kept
      m.checkpointSeq = LE.getLong(b, o + 41);
      m.journalFrom = LE.getLong(b, o + 49);
    }
    return m;
  }
}
