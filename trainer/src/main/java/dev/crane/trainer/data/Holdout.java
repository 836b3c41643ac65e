package dev.crane.trainer.data;

import dev.crane.ingest.dataset.InteractionTable;
import dev.crane.schemas.Split;
import java.util.HashSet;
import java.util.Set;

/**
 * The split of rows without a label (live traffic in a snapshot), fixed for every version so that
 * successive versions are validated the same way:
 *
 * <ul>
 *   <li>labelled rows keep their label;
 *   <li>for each user, the most recent unlabelled row by event time (the later row on a tie) whose
 *       item the user has in no other train or unlabelled row is held out for validation, provided
 *       the user keeps at least one training row; a user's repeated item would be masked as a
 *       training item at evaluation, so it cannot be a target;
 *   <li>every other unlabelled row is training.
 * </ul>
 *
 * Live traffic has no test split: test figures exist only where the data carries test labels.
 */
public final class Holdout {
  private Holdout() {}

  /** The split of every row, with no {@link Split#UNLABELLED} left. */
  public static Split[] assign(InteractionTable t) {
    int n = t.size();
    Split[] out = t.splits().clone();
    int maxUser = t.maxUser();
    int[] chosen = new int[maxUser + 1];
    java.util.Arrays.fill(chosen, -1);
    int[] trainingRows = new int[maxUser + 1];
    // items per user over train and unlabelled rows, with their multiplicity: a held-out item must occur once
    java.util.Map<Long, Integer> occurrences = new java.util.HashMap<>();
    for (int r = 0; r < n; r++) {
      Split s = out[r];
      if (s == Split.TRAIN || s == Split.UNLABELLED) {
        trainingRows[t.users()[r]]++;
        occurrences.merge(key(t, r), 1, Integer::sum);
      }
    }
    for (int r = 0; r < n; r++) {
      if (out[r] != Split.UNLABELLED) {
        continue;
      }
      int u = t.users()[r];
      if (trainingRows[u] < 2 || occurrences.get(key(t, r)) > 1) {
        continue; // the user would have no training row left, or the item is one of its training items
      }
      int c = chosen[u];
      if (c < 0 || !earlier(t, r, c)) {
        chosen[u] = r;
      }
    }
    Set<Integer> heldOut = new HashSet<>();
    for (int c : chosen) {
      if (c >= 0) {
        heldOut.add(c);
      }
    }
    for (int r = 0; r < n; r++) {
      if (out[r] == Split.UNLABELLED) {
        out[r] = heldOut.contains(r) ? Split.VALID : Split.TRAIN;
      }
    }
    return out;
  }

  private static long key(InteractionTable t, int r) {
    return ((long) t.users()[r] << 32) | (t.items()[r] & 0xffffffffL);
  }

  /** Row a happened before row b (event time, then row order). */
  private static boolean earlier(InteractionTable t, int a, int b) {
    if (t.hasTimestamps() && t.timestamps()[a] != t.timestamps()[b]) {
      return t.timestamps()[a] < t.timestamps()[b];
    }
    return a < b;
  }
}
