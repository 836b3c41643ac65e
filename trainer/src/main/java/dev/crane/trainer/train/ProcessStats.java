package dev.crane.trainer.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Resident set sizes of this process from Linux's /proc/self/status, native memory included; -1 elsewhere. */
public final class ProcessStats {
  private ProcessStats() {}

  /** Peak resident set size (VmHWM). */
  public static long peakRssBytes() {
    return statusBytes("VmHWM:");
  }

  /** Current resident set size (VmRSS). */
  public static long rssBytes() {
    return statusBytes("VmRSS:");
  }

  private static long statusBytes(String field) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith(field)) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
    return -1;
  }
}
