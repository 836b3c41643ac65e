package dev.crane.ingest.dataset;

/** MMRec's x_label: 0 = train, 1 = valid, 2 = test. */
public enum Split {
  TRAIN, VALID, TEST;

  public static Split ofLabel(int label) {
    return switch (label) {
      case 0 -> TRAIN;
      case 1 -> VALID;
      case 2 -> TEST;
      default -> throw new IllegalArgumentException("x_label must be 0, 1 or 2, got " + label);
    };
  }

  public int label() {
    return ordinal();
  }
}
