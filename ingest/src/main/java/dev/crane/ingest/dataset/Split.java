package dev.crane.ingest.dataset;

/**
 * MMRec's x_label: 0 = train, 1 = valid, 2 = test; and -1 = no label, which only a snapshot of live
 * traffic has (the trainer's holdout rule assigns those rows, see its documentation).
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
}
