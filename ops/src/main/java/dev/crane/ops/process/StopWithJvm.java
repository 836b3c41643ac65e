package dev.crane.ops.process;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Ties a child process to this JVM's shutdown: on SIGTERM or Ctrl+C the child is asked to stop
 * (SIGTERM) and this JVM waits for it up to a grace period, so that a stopped launcher or
 * benchmark does not leave a child running on the cores. {@link #close} unties it once the child
 * has ended normally.
 */
public final class StopWithJvm implements AutoCloseable {
  private final Thread hook;

  private StopWithJvm(Process child, Duration grace) {
    this.hook = new Thread(() -> {
      child.destroy();
      try {
        child.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "stop-child-" + child.pid());
  }

  /** Registers the shutdown hook for {@code child}. */
  public static StopWithJvm register(Process child, Duration grace) {
    StopWithJvm s = new StopWithJvm(child, grace);
    Runtime.getRuntime().addShutdownHook(s.hook);
    return s;
  }

  /** Removes the hook (no-op while the JVM is already shutting down: then the hook is running). */
  @Override
  public void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the hook is already running or has run
    }
  }
}
