package dev.crane.trainer.service;

import dev.crane.trainer.train.Retraining;
import java.util.Locale;

/**
 * The validation gate: a candidate is published only if its holdout Recall@20 is at least the
 * serving model's on the same holdout minus a tolerance. Both are scored on the new snapshot's
 * holdout, the serving model as carried over to it untrained ({@link Retraining}).
 */
public final class Gate {
  /** @param publish whether the candidate goes out; {@code reason} says why, for the log and the manifest */
  public record Decision(boolean publish, String reason) {}

  private Gate() {}

  static Decision decide(Retraining.Outcome c, boolean serving, boolean enabled, double tolerance) {
    if (c.parameters().isEmpty() || Double.isNaN(c.validRecall20())) {
      return new Decision(false, "training produced no usable model (stop reason " + c.result().stopReason() + ")");
    }
    if (!enabled) {
      return new Decision(true, "gate off (forced)");
    }
    if (!serving) {
      return new Decision(true, "first version");
    }
    if (c.baseline().isEmpty()) {
      return new Decision(false, "the serving model cannot be scored on this snapshot (" + c.why()
          + "); publish deliberately with trainer retrain --snapshot DIR --publish --force");
    }
    double floor = c.baselineRecall20() - tolerance;
    String cmp = String.format(Locale.ROOT, "holdout R@20 %.4f %s serving %.4f - %.4f", c.validRecall20(),
        c.validRecall20() >= floor ? ">=" : "<", c.baselineRecall20(), tolerance);
    return new Decision(c.validRecall20() >= floor, cmp);
  }
}
