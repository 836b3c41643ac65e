package dev.crane.trainer.train;

import dev.crane.trainer.data.TrainingData;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * One negative per positive (§5.2.4): uniform over the items that occur in training, redrawn while
 * it is in the user's training history. Valid/test items are not excluded, as in MMRec.
 */
public final class NegativeSampler {
  private final TrainingData data;
  private final int[] pool;

  public NegativeSampler(TrainingData data) {
    this.data = data;
    this.pool = data.negativePool();
  }

  public int sample(int user, SplittableRandom rng) {
    int[] seen = data.trainItems(user);
    if (seen.length >= pool.length) {
      throw new IllegalStateException("user " + user + " has interacted with every training item; no negative exists");
    }
    while (true) {
      int n = pool[rng.nextInt(pool.length)];
      if (Arrays.binarySearch(seen, n) < 0) {
        return n;
      }
    }
  }
}
