package dev.crane.trainer.model.core;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A lap timer for one training step: each {@link #lap} books the wall time since the previous lap (or
 * {@link #start}) to the named component, adding up when a component's work comes in several pieces.
 * Forward components can be timed this way because the CPU engine's native operators return only when
 * their result is computed. Laps outside start..stop are ignored (evaluation runs the same forward code).
 * Models hold it as null by default; {@link #lap(StepProfiler, String)} is the null-safe call they use.
 */
public final class StepProfiler {
  private final Map<String, Long> nanos = new LinkedHashMap<>();
  private long last;
  private boolean running;

  /** Starts a step's clock (the laps of earlier steps keep adding up). */
  public void start() {
    running = true;
    last = System.nanoTime();
  }

  /** Books the time since the previous lap to {@code component}. */
  public void lap(String component) {
    if (!running) {
      return;
    }
    long now = System.nanoTime();
    nanos.merge(component, now - last, Long::sum);
    last = now;
  }

  /** Books the rest to {@code component} and stops the clock. */
  public void stop(String component) {
    lap(component);
    running = false;
  }

  /** Nanoseconds per component over every step since the last {@link #clear}, in first-lap order. */
  public Map<String, Long> nanos() {
    return Collections.unmodifiableMap(nanos);
  }

  public void clear() {
    nanos.clear();
    running = false;
  }

  /** {@code profiler.lap(component)} when there is a profiler. */
  public static void lap(StepProfiler profiler, String component) {
    if (profiler != null) {
      profiler.lap(component);
    }
  }
}
