package dev.crane.api.config;

import java.util.Arrays;
import java.util.Locale;

/** The CPU priority of the thread that reads and indexes a new version ({@code load.cpu.priority}). */
public enum CpuPriority {
  /** As the queries. */
  NORMAL,
  /** {@code nice 19}: a small share of a busy core; on Linux 6.6+ (EEVDF) it may keep a core for a slice. */
  LOW,
  /** Linux {@code SCHED_IDLE}: only cores the queries leave idle, yielded as soon as a query thread wakes. */
  IDLE;

  /** The setting's value ({@code normal}, {@code low} or {@code idle}, any case). */
  public static CpuPriority parse(String value) {
    String v = value.strip().toUpperCase(Locale.ROOT);
    for (CpuPriority p : values()) {
      if (p.name().equals(v)) {
        return p;
      }
    }
    throw new IllegalArgumentException("recommender-api config: load.cpu.priority must be one of "
        + Arrays.stream(values()).map(p -> p.name().toLowerCase(Locale.ROOT)).toList() + ", got '" + value + "'");
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
