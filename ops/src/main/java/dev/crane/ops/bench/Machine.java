package dev.crane.ops.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/** The machine a benchmark ran on, for its JSON: timings are only comparable on the same CPU under the same load. */
public final class Machine {
  private Machine() {}

  /** CPU count and model (widest SIMD), memory, and the load average now (call it when the run starts). */
  public static String describe() {
    var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    return String.format("%d cores%s, %.0f GB RAM, load average %.2f", os.getAvailableProcessors(),
        cpu(Path.of("/proc/cpuinfo")), os.getTotalMemorySize() / 1e9, os.getSystemLoadAverage());
  }

  /** The 1-minute load average, or -1 where the platform has none. */
  public static double loadAverage() {
    return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }

  /**
   * The 1-, 5- and 15-minute load averages ("0.52 1.10 1.87") from /proc/loadavg: a run shares the machine, and
   * the later two show what ran before it. Without that file, the 1-minute figure alone.
   */
  public static String loadAverages() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException | RuntimeException e) {
      return Double.toString(loadAverage());
    }
  }

  /**
   * " (model, widest SIMD)" from a Linux cpuinfo file, or "" where there is none: the same code's step
   * time moved 1.7x between build hosts, so a figure is only comparable with the CPU it ran on.
   */
  public static String cpu(Path cpuinfo) {
    List<String> lines;
    try {
      lines = Files.readAllLines(cpuinfo);
    } catch (IOException | UncheckedIOException e) {
      return "";
    }
    String model = field(lines, "model name");
    if (model == null) {
      return "";
    }
    String flags = " " + Objects.requireNonNullElse(field(lines, "flags"), "") + " ";
    String simd = flags.contains(" avx512f ") ? "AVX-512" : flags.contains(" avx2 ") ? "AVX2" : "no AVX2";
    return " (" + model + ", " + simd + ")";
  }

  private static String field(List<String> lines, String name) {
    for (String line : lines) {
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).trim().equals(name)) {
        return line.substring(colon + 1).trim();
      }
    }
    return null;
  }
}
