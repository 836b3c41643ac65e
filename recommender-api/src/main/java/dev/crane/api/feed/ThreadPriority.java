package dev.crane.api.feed;

import dev.crane.api.config.CpuPriority;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Lowers the calling thread's CPU priority on Linux. The JDK has no call for it, so the thread's id
 * is read from {@code /proc/thread-self} and handed to util-linux's {@code chrt} or {@code renice}
 * (lowering one's own priority needs no privilege; raising it again does, so it is for threads
 * that stay low). Threads the lowered thread starts inherit its priority.
 */
final class ThreadPriority {
  private static final Path THREAD_SELF = Path.of("/proc/thread-self");

  private ThreadPriority() {}

  /** Whether this system can do it at all (Linux with /proc). */
  static boolean supported() {
    return Files.exists(THREAD_SELF);
  }

  /** @return null when done (or nothing to do), else why not */
  static String lowerCurrentThread(CpuPriority priority) {
    if (priority == CpuPriority.NORMAL) {
      return null;
    }
    String tid;
    try {
      tid = Files.readSymbolicLink(THREAD_SELF).getFileName().toString();
    } catch (IOException | UnsupportedOperationException e) {
      return "no " + THREAD_SELF + " here (not Linux?)";
    }
    List<String> command = priority == CpuPriority.IDLE ? List.of("chrt", "--idle", "-p", "0", tid)
        : List.of("renice", "-n", "19", "-p", tid);
    Process p = null;
    try {
      p = new ProcessBuilder(command).redirectErrorStream(true).start();
      if (!p.waitFor(10, TimeUnit.SECONDS)) { // its few lines fit the pipe: waiting first cannot block it
        return String.join(" ", command) + " did not return within 10 s";
      }
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      return p.exitValue() == 0 ? null : String.join(" ", command) + " failed: " + output;
    } catch (IOException e) {
      return "cannot run " + command.get(0) + ": " + e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    } finally {
      if (p != null) {
        p.destroyForcibly();
      }
    }
  }
}
