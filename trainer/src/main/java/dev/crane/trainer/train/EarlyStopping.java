package dev.crane.trainer.train;

/**
 * MMRec's early stopping (§5.2.7): improvement means the 4-decimal valid Recall@20 is strictly
 * greater than the best so far (which starts at -1); stop once the number of consecutive
 * non-improving evaluations exceeds the patience.
 */
public final class EarlyStopping {
  private final int patience;
  private double best = -1;
  private int bad;

  public EarlyStopping(int patience) {
    this.patience = patience;
  }

  /** @return true when this value is a strict improvement */
  public boolean update(double value) {
    if (value > best) {
      best = value;
      bad = 0;
      return true;
    }
    bad++;
    return false;
  }

  public boolean shouldStop() {
    return bad > patience;
  }

  public double best() {
    return best;
  }
}
