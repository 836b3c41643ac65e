package dev.crane.stream.codec;

import dev.crane.schemas.avro.Split;

/** Index of a split label in the per-split counters: TRAIN, VALID, TEST, then "no label". */
public final class SplitCounts {
  public static final int SLOTS = 4;
  public static final int NONE = 3;

  private SplitCounts() {}

  public static int slot(Split split) {
    return split == null ? NONE : split.ordinal();
  }

  /** design.md: profiles sum training interactions only when a split is present. */
  public static boolean countsIntoProfile(Split split) {
    return split == null || split == Split.TRAIN;
  }

  /** MMRec's x_label (0/1/2), or -1 for an interaction without a label. */
  public static int xLabel(Split split) {
    return split == null ? -1 : split.ordinal();
  }
}
