package dev.crane.stream.codec;

/**
 * Per input partition bookkeeping, stored in the task's meta store so it commits with the state:
 * the next input offset to read (everything below it is counted, held, dead-lettered or dropped as
 * a duplicate), the next sequence number of an accepted interaction, the last snapshot cut, and
 * the journal's bounds (item-degree watermark, profile checkpoint, first entry kept).
 */
public final class PartitionMeta {
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
    byte[] b = new byte[57];
    LE.putLong(b, 0, position);
    LE.putLong(b, 8, nextSeq);
    LE.putLong(b, 16, lastCutSeq);
    LE.putLong(b, 24, lastCutVersion);
    b[32] = (byte) (cutRequested ? 1 : 0);
    LE.putLong(b, 33, deltaSeq);
    LE.putLong(b, 41, checkpointSeq);
    LE.putLong(b, 49, journalFrom);
    return b;
  }

  public static PartitionMeta decode(byte[] b) {
    PartitionMeta m = new PartitionMeta();
    if (b != null) {
      m.position = LE.getLong(b, 0);
      m.nextSeq = LE.getLong(b, 8);
      m.lastCutSeq = LE.getLong(b, 16);
      m.lastCutVersion = LE.getLong(b, 24);
      m.cutRequested = b[32] != 0;
      m.deltaSeq = b.length >= 41 ? LE.getLong(b, 33) : 0;
      if (b.length >= 57) { // older metas: no checkpoint yet, whole journal kept
        m.checkpointSeq = LE.getLong(b, 41);
        m.journalFrom = LE.getLong(b, 49);
      }
    }
    return m;
  }
}
