package dev.crane.standalone;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Polling until something holds, with a bound and a message that says what was awaited. */
public final class Await {
  private Await() {}

  /** The first non-null value {@code poll} gives, asked every 250 ms. @throws IllegalStateException after {@code timeout} */
  public static <T> T value(String what, Duration timeout, Supplier<T> poll) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      T v = poll.get();
      if (v != null) {
        return v;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("gave up waiting for " + what + " after " + timeout.toSeconds() + " s");
      }
      Thread.sleep(250);
    }
  }

  public static void until(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
    value(what, timeout, () -> condition.getAsBoolean() ? Boolean.TRUE : null);
  }
}
