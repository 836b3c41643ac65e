package dev.crane.stream.codec;

import dev.crane.schemas.avro.Split;
import java.nio.charset.StandardCharsets;

/**
 * One journal entry: an accepted interaction as the tab-separated line a snapshot's
 * {@code interactions.tsv} carries (user, item, event time, x_label, weight), so that a cut copies
 * entries without re-encoding them, behind the input position the entry was written at and the
 * interaction's event id (its {@link SeenIds#hash}) and record timestamp.
 *
 * <p>Layout: NUL, {@link #FORMAT}, the input position (long LE: every input record below it is
 * accounted for), the event id's hash and the record timestamp (long LE each), then the line. The
 * position lets a restarted task take its place in the input from its last entry, so the partition
 * meta need not be written with every interaction; the id and timestamp let a replay rebuild the
 * user's {@link SeenIds}. Entries of format 1 (stored one per value before blocks) lack the id and
 * timestamp ({@link #NO_ID}); entries before format 1 are the bare line, with the position unknown
 * too. Both still read (no line starts
 * with NUL: an interaction whose user id has one is rejected).
 */
public record JournalLine(String user, String item, long eventTime, Split split, long eventHash, long timestamp) {
  /** 3: the journal store's value layouts share one numbering, and 2 is a {@link JournalBlock}. */
  public static final byte FORMAT = 3;
  /** The timestamp of an entry written without its event id. */
  public static final long NO_ID = Long.MIN_VALUE;
  private static final byte FORMAT_1 = 1;
  private static final int PREFIX_1 = 10;
  private static final int PREFIX = 26;
  private static final byte[] EMPTY = new byte[0];

  /** An entry that does not name its event id. */
  public JournalLine(String user, String item, long eventTime, Split split) {
    this(user, item, eventTime, split, 0, NO_ID);
  }

  public static byte[] encode(String user, String item, long eventTime, Split split, Float weight, long position,
      long eventHash, long timestamp) {
    // Written field by field: the whole line's String and its copies were a few % of the stream thread.
    byte[][] fields = {user.getBytes(StandardCharsets.UTF_8), item.getBytes(StandardCharsets.UTF_8),
        ascii(Long.toString(eventTime)), ascii(Integer.toString(SplitCounts.xLabel(split))),
        weight == null ? EMPTY : ascii(Float.toString(weight))};
    int size = PREFIX + fields.length - 1;
    for (byte[] f : fields) {
      size += f.length;
    }
    byte[] b = new byte[size];
    b[1] = FORMAT;
    LE.putLong(b, 2, position);
    LE.putLong(b, 10, eventHash);
    LE.putLong(b, 18, timestamp);
    int at = PREFIX;
    for (int k = 0; k < fields.length; k++) {
      if (k > 0) {
        b[at++] = '\t';
      }
      System.arraycopy(fields[k], 0, b, at, fields[k].length);
      at += fields[k].length;
    }
    return b;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  public static JournalLine parse(byte[] entry) {
    int from = lineStart(entry);
    String[] f = new String(entry, from, entry.length - from, StandardCharsets.UTF_8).split("\t", -1);
    int label = Integer.parseInt(f[3]);
    Split split = label < 0 ? null : Split.values()[label];
    long eventTime = Long.parseLong(f[2]);
    return from == PREFIX ? new JournalLine(f[0], f[1], eventTime, split, LE.getLong(entry, 10), LE.getLong(entry, 18))
        : new JournalLine(f[0], f[1], eventTime, split);
  }

  /** Where the tab-separated line starts in an entry (a snapshot copies from there). */
  public static int lineStart(byte[] entry) {
    if (entry.length == 0 || entry[0] != 0) {
      return 0; // the bare line of the first layout
    }
    if (entry.length >= PREFIX && entry[1] == FORMAT) {
      return PREFIX;
    }
    if (entry.length >= PREFIX_1 && entry[1] == FORMAT_1) {
      return PREFIX_1;
    }
    throw new IllegalStateException("journal entry of " + entry.length + " bytes with format byte "
        + (entry.length > 1 ? entry[1] : "(none)") + ": no known layout (written by a newer release?)");
  }

  /** The input position the entry was written at, or -1 for an entry of the first layout. */
  public static long position(byte[] entry) {
    return lineStart(entry) == 0 ? -1 : LE.getLong(entry, 2);
  }

  public int slot() {
    return SplitCounts.slot(split);
  }

  /** Whether the entry names its event id. */
  public boolean hasId() {
    return timestamp != NO_ID;
  }
}
