package dev.crane.stream.codec;

import dev.crane.schemas.avro.Split;
import java.nio.charset.StandardCharsets;

/**
 * One journal entry: an accepted interaction as the tab-separated line a snapshot's
 * {@code interactions.tsv} carries (user, item, event time, x_label, weight), so that a cut copies
 * entries without re-encoding them, behind the input position the entry was written at.
 *
 * <p>Layout: NUL, {@link #FORMAT}, the input position (long LE: every input record below it is
 * accounted for), then the line. The position lets a restarted task take its place in the input
 * from its last entry, so the partition meta need not be written with every interaction. Entries
 * written before it are the bare line; they still read (no line starts with NUL: an interaction
 * whose user id has one is rejected), with the position unknown.
 */
public record JournalLine(String user, String item, long eventTime, Split split) {
  public static final byte FORMAT = 1;
  private static final int PREFIX = 10;

  public static byte[] encode(String user, String item, long eventTime, Split split, Float weight, long position) {
    String w = weight == null ? "" : Float.toString(weight);
    byte[] line = (user + '\t' + item + '\t' + eventTime + '\t' + SplitCounts.xLabel(split) + '\t' + w)
        .getBytes(StandardCharsets.UTF_8);
    byte[] b = new byte[PREFIX + line.length];
    b[1] = FORMAT;
    LE.putLong(b, 2, position);
    System.arraycopy(line, 0, b, PREFIX, line.length);
    return b;
  }

  public static JournalLine parse(byte[] entry) {
    int from = lineStart(entry);
    String[] f = new String(entry, from, entry.length - from, StandardCharsets.UTF_8).split("\t", -1);
    int label = Integer.parseInt(f[3]);
    return new JournalLine(f[0], f[1], Long.parseLong(f[2]), label < 0 ? null : Split.values()[label]);
  }

  /** Where the tab-separated line starts in an entry (a snapshot copies from there). */
  public static int lineStart(byte[] entry) {
    if (entry.length == 0 || entry[0] != 0) {
      return 0; // the bare line of the first layout
    }
    if (entry.length < PREFIX || entry[1] != FORMAT) {
      throw new IllegalStateException("journal entry of " + entry.length + " bytes with format byte "
          + (entry.length > 1 ? entry[1] : "(none)") + ": no known layout (written by a newer release?)");
    }
    return PREFIX;
  }

  /** The input position the entry was written at, or -1 for an entry of the first layout. */
  public static long position(byte[] entry) {
    return lineStart(entry) == 0 ? -1 : LE.getLong(entry, 2);
  }

  public int slot() {
    return SplitCounts.slot(split);
  }
}
