package dev.crane.stream.codec;

import dev.crane.schemas.avro.Split;
import java.nio.charset.StandardCharsets;

/**
 * One journal entry: an accepted interaction as the tab-separated line a snapshot's
 * {@code interactions.tsv} carries (user, item, event time, x_label, weight), so that a cut copies
 * entries without re-encoding them.
 *
 * <p>Unlike the binary values beside it, an entry has no format byte: its layout is that line,
 * versioned with the snapshot format (SNAPSHOT-FORMAT.md). A later layout can be told apart by a
 * leading NUL, which no entry starts with (an interaction whose user id has one is rejected).
 */
public record JournalLine(String user, String item, long eventTime, Split split) {
  public static byte[] encode(String user, String item, long eventTime, Split split, Float weight) {
    String w = weight == null ? "" : Float.toString(weight);
    return (user + '\t' + item + '\t' + eventTime + '\t' + SplitCounts.xLabel(split) + '\t' + w)
        .getBytes(StandardCharsets.UTF_8);
  }

  public static JournalLine parse(byte[] entry) {
    String[] f = new String(entry, StandardCharsets.UTF_8).split("\t", -1);
    int label = Integer.parseInt(f[3]);
    return new JournalLine(f[0], f[1], Long.parseLong(f[2]), label < 0 ? null : Split.values()[label]);
  }

  public int slot() {
    return SplitCounts.slot(split);
  }
}
