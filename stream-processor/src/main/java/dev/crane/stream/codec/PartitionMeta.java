package dev.crane.stream.codec;

/**
 * Per input partition bookkeeping, stored in the task's meta store so it commits with the state:
 * the next input offset to read (everything below it is counted, held, dead-lettered or dropped as
 * a duplicate), the next sequence number of an accepted interaction, and the last snapshot cut.
 */
public final class PartitionMeta {
  public long position;
  public long nextSeq;
  public long lastCutSeq;
  public long lastCutVersion;
  public boolean cutRequested;
  /** Journal entries below this sequence number have been sent as item-degree increments. */
  public long deltaSeq;

  public static byte[] longBytes(long v) {
    byte[] b = new byte[8];
    LE.putLong(b, 0, v);
    return b;
  }

  public static long longFrom(byte[] b) {
    return LE.getLong(b, 0);
  }

  public byte[] encode() {
    byte[] b = new byte[41];
    LE.putLong(b, 0, position);
    LE.putLong(b, 8, nextSeq);
    LE.putLong(b, 16, lastCutSeq);
    LE.putLong(b, 24, lastCutVersion);
    b[32] = (byte) (cutRequested ? 1 : 0);
    LE.putLong(b, 33, deltaSeq);
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
    }
    return m;
  }
}
