package dev.crane.ingest.dataset;

import java.util.Map;

/**
 * The columns of an interactions file and how its ids read. MMRec's {@code .inter}: dense integer
 * ids, labels 0/1/2. A snapshot's {@code interactions.tsv}: string ids, each of which must be listed
 * in the snapshot's users.tsv / items.tsv (whose row order gives the dense index), and -1 for rows
 * without a label.
 *
 * @param rating the rating column's name, or null when ratings are not read
 * @param userRows string id to dense index, or null when ids are the integers themselves
 * @param itemRows likewise for items
 */
record InterLayout(String user, String item, String label, String rating, String timestamp,
    Map<String, Integer> userRows, Map<String, Integer> itemRows, boolean unlabelledAllowed) {

  static final InterLayout MMREC = new InterLayout("userID", "itemID", "x_label", "rating", "timestamp", null, null, false);

  static InterLayout snapshot(Map<String, Integer> userRows, Map<String, Integer> itemRows) {
    // the weight column is optional per row and unused by training: not read
    return new InterLayout("user_id", "item_id", "x_label", null, "timestamp", userRows, itemRows, true);
  }

  String requiredColumns() {
    return user + ", " + item + ", " + label + "; optional: " + (rating == null ? "" : rating + ", ") + timestamp;
  }
}
