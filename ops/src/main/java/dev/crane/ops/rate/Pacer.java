package dev.crane.ops.rate;

/**
 * Spaces a sequence of sends evenly to reach a target rate without bursts: the n-th call of {@link
 * #await()} returns no earlier than n / rate seconds after construction. A rate of 0 never waits.
 */
public final class Pacer {
  private final double nanosPerRecord;
  private final long start = System.nanoTime();
  private long sent;

  public Pacer(double ratePerSecond) {
    if (!(ratePerSecond >= 0)) {
      throw new IllegalArgumentException("rate must be >= 0 (0 = unpaced), got " + ratePerSecond);
    }
    this.nanosPerRecord = ratePerSecond > 0 ? 1e9 / ratePerSecond : 0;
  }

  /** Counts one send and waits until it is due. @throws IllegalStateException when interrupted */
  public void await() {
    sent++;
    if (nanosPerRecord == 0) {
      return;
    }
    long due = start + (long) (sent * nanosPerRecord);
    long wait = due - System.nanoTime();
    if (wait > 0) {
      try {
        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while pacing", e);
      }
    }
  }
}
