package dev.crane.api.feed;

import dev.crane.api.config.CpuPriority;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Lowers the calling thread's CPU priority on Linux. The JDK has no call for it, so the thread's id
 * is read from {@code /proc/thread-self} and handed to util-linux's {@code chrt} or {@code renice}
 * (lowering one's own priority needs no privilege). Elsewhere, or without those tools, the thread
 * keeps its priority and the caller logs why.
 */
final class ThreadPriority {
  private ThreadPriority() {}

  /** @return null when done, else why not */
  static String lowerCurrentThread(CpuPriority priority) {
    if (priority == CpuPriority.NORMAL) {
      return null;
    }
    String tid;
    try {
      tid = Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString();
    } catch (IOException | UnsupportedOperationException e) {
      return "no /proc/thread-self here (not Linux?)";
    }
    List<String> command = priority == CpuPriority.IDLE ? List.of("chrt", "--idle", "-p", "0", tid)
        : List.of("renice", "-n", "19", "-p", tid);
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String output = new String(p.getInputStream().readAllBytes()).strip();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return String.join(" ", command) + " did not return";
      }
      return p.exitValue() == 0 ? null : String.join(" ", command) + " failed: " + output;
    } catch (IOException e) {
      return "cannot run " + command.get(0) + ": " + e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }
}
