package dev.crane.schemas;

/**
 * The split of an interaction, shared by every module (the Avro enum {@link
 * dev.crane.schemas.avro.Split} is its wire form, where null means no label). MMRec's x_label: 0 =
 * train, 1 = valid, 2 = test; and -1 = no label, which only a snapshot of live traffic has (the
 * trainer's holdout rule assigns those rows, see its documentation).
 */
public enum Split {
  TRAIN, VALID, TEST, UNLABELLED;

  public static Split ofLabel(int label) {
    return switch (label) {
      case 0 -> TRAIN;
      case 1 -> VALID;
      case 2 -> TEST;
      case -1 -> UNLABELLED;
      default -> throw new IllegalArgumentException("x_label must be 0, 1, 2 or -1 (no label), got " + label);
    };
  }

  public int label() {
    return this == UNLABELLED ? -1 : ordinal();
  }

  /** The wire form on {@code interactions}: the same symbol, or null (no label). */
  public dev.crane.schemas.avro.Split toAvro() {
    return this == UNLABELLED ? null : dev.crane.schemas.avro.Split.valueOf(name());
  }
}
