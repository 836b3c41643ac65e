package dev.crane.ingest.dataset;

/**
 * Why one line of a {@code .inter} file or one row of a feature matrix was rejected. In skip mode
 * each rejected line or row is counted under exactly one reason (the first check it fails, in the
 * order listed here).
 */
public enum BadReason {
  /** The line does not have as many tab-separated fields as the header. */
  WRONG_FIELD_COUNT("wrong number of fields"),
  /** userID or itemID is not a non-negative integer below 2^31 - 1. */
  BAD_ID("bad userID/itemID"),
  /** x_label is not 0, 1 or 2. */
  BAD_LABEL("bad x_label"),
  /** rating is not a finite number. */
  BAD_RATING("bad rating"),
  /** timestamp is not an integer (a float with no fraction, e.g. 5.0, is accepted). */
  BAD_TIMESTAMP("bad timestamp"),
  /** itemID is at or beyond the feature matrices' row count. */
  ITEM_WITHOUT_FEATURES("item has no feature row"),
  /** The item's feature row in some modality held NaN or Inf and was rejected. */
  BAD_ITEM_FEATURES("bad item features"),
  /** A feature matrix row holds NaN or Inf (counted per modality row, not per .inter line). */
  NON_FINITE_FEATURE_ROW("NaN/Inf in feature row");

  private final String description;

  BadReason(String description) {
    this.description = description;
  }

  public String description() {
    return description;
  }

  /** True for reasons that count {@code .inter} lines (the others count feature rows). */
  public boolean isLineReason() {
    return this != NON_FINITE_FEATURE_ROW;
  }
}
