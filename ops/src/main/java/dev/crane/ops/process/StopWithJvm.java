package dev.crane.ops.process;

import java.io.IOException;
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
  private final Duration grace;
  /** Set once started; the hook reads it under the same lock, so it waits for a start in progress. */
  private Process child;

  private StopWithJvm(Duration grace) {
    this.grace = grace;
    this.hook = new Thread(this::stopChild, "stop-child");
  }

  private void stopChild() {
    Process c;
    synchronized (this) {
      c = child;
    }
    if (c == null) {
      return;
    }
    c.destroy();
    try {
      c.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Registers the shutdown hook for {@code child}, which is already running. */
  public static StopWithJvm register(Process child, Duration grace) {
    StopWithJvm s = new StopWithJvm(grace);
    s.child = child;
    Runtime.getRuntime().addShutdownHook(s.hook);
    return s;
  }

  /**
   * Registers the hook, then starts {@code pb}: a SIGTERM that arrives while the child starts still
   * reaches it (with {@link #register} after the start, one arriving in between left the child
   * running alone).
   *
   * @throws IllegalStateException when this JVM is already shutting down (nothing is started)
   */
  public static StopWithJvm start(ProcessBuilder pb, Duration grace) throws IOException {
    StopWithJvm s = new StopWithJvm(grace);
    Runtime.getRuntime().addShutdownHook(s.hook);
    synchronized (s) {
      try {
        s.child = pb.start();
      } catch (IOException | RuntimeException e) {
        s.close();
        throw e;
      }
    }
    return s;
  }

  /** The child. */
  public synchronized Process process() {
    return child;
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
