package dev.crane.api.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A Linux thread's scheduling as /proc shows it, and whether a priority tool works here. */
public final class Scheduling {
  public static final int SCHED_OTHER = 0;
  public static final int SCHED_IDLE = 5;

  private Scheduling() {}

  /**
   * {nice, policy} of a thread ({@code /proc/<pid>/task/<tid>}, or {@code /proc/thread-self}): fields 19
   * and 41 of its stat line, counted after the parenthesised name.
   */
  public static int[] niceAndPolicy(Path task) throws IOException {
    String stat = Files.readString(task.resolve("stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return new int[] {Integer.parseInt(f[16]), Integer.parseInt(f[38])};
  }

  /** Whether {@code command true} runs here: the tool exists and the kernel grants the change. */
  public static boolean accepted(String... command) {
    List<String> probe = new ArrayList<>(List.of(command));
    probe.add("true");
    try {
      Process p = new ProcessBuilder(probe).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .start();
      boolean done = p.waitFor(10, TimeUnit.SECONDS);
      p.destroyForcibly();
      return done && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
