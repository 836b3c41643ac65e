package dev.crane.trainer.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import dev.crane.trainer.train.ProcessStats;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** A JVM started without the malloc settings runs its work in a child that has them, and exits with its code. */
class NativeAllocatorTest {

  /** Prints the arena setting it runs with, then exits with the code given as its argument. */
  public static final class Probe {
    public static void main(String[] args) {
      OptionalInt child = NativeAllocator.relaunch(Probe.class, args);
      if (child.isPresent()) {
        System.out.println("parent saw child exit " + child.getAsInt());
        System.exit(child.getAsInt());
      }
      System.out.println("MALLOC_ARENA_MAX=" + System.getenv("MALLOC_ARENA_MAX") + " args=" + List.of(args));
      if (args[0].equals("sleep")) {
        System.out.flush();
        try {
          Thread.sleep(120_000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        System.exit(0);
      }
      System.exit(Integer.parseInt(args[0]));
    }
  }

  @Test
  @EnabledOnOs(OS.LINUX)
  void trimsOnlyWhenEnoughOfTheHeapIsFree() {
    // 2,000 blocks of 64 KB (below glibc's mmap threshold: from the heap), every other one freed, so
    // about 64 MB of free chunks sit between live ones where nothing but malloc_trim gives them back
    long[] blocks = new long[2000];
    for (int i = 0; i < blocks.length; i++) {
      blocks[i] = com.sun.jna.Native.malloc(64 << 10);
    }
    try {
      for (int i = 0; i < blocks.length; i += 2) {
        com.sun.jna.Native.free(blocks[i]);
        blocks[i] = 0;
      }
      long free = NativeAllocator.freeHeapBytes();
      assertThat(free).isGreaterThanOrEqualTo(60L << 20);
      assertThat(NativeAllocator.trimIfFree(free + (1L << 30))).as("below the threshold: kept").isFalse();
      assertThat(NativeAllocator.freeHeapBytes()).isGreaterThanOrEqualTo(60L << 20);
      assertThat(NativeAllocator.trimIfFree(32L << 20)).as("above it: released").isTrue();
    } finally {
      for (long b : blocks) {
        if (b != 0) {
          com.sun.jna.Native.free(b);
        }
      }
    }
  }

  @Test
  @EnabledOnOs(OS.LINUX)
  void relaunchesWithTheSettingsAndForwardsTheExitCode() throws Exception {
    Run r = probe(Map.of(), "3", "two words");
    assertThat(r.output).contains("MALLOC_ARENA_MAX=1 args=[3, two words]").contains("parent saw child exit 3");
    assertThat(r.exit).isEqualTo(3);
  }

  @Test
  @EnabledOnOs(OS.LINUX)
  void theSwitchKeepsGlibcDefaultsInProcess() throws Exception {
    Run r = probe(Map.of(NativeAllocator.SWITCH, "default"), "0");
    assertThat(r.output).contains("MALLOC_ARENA_MAX=null").doesNotContain("parent saw");
    assertThat(r.exit).isZero();
  }

  /** kill -9 of the launcher runs no hook: the child must notice on its own and stop. */
  @Test
  @EnabledOnOs(OS.LINUX)
  void aChildWhoseLauncherIsKilledStopsToo() throws Exception {
    Process launcher = start("sleep");
    ProcessHandle child = runningChild(launcher);
    launcher.destroyForcibly();
    assertThat(child.onExit().get(10, TimeUnit.SECONDS).isAlive()).isFalse();
  }

  /** SIGTERM (docker stop, kill) reaches the child, and the launcher waits for it to finish. */
  @Test
  @EnabledOnOs(OS.LINUX)
  void aTerminatedLauncherStopsItsChildAndWaitsForIt() throws Exception {
    Process launcher = start("sleep");
    ProcessHandle child = runningChild(launcher);
    launcher.destroy();
    assertThat(launcher.waitFor(30, TimeUnit.SECONDS)).isTrue();
    // the launcher's hook waited for the child, so the launcher reaped it: no zombie is left either
    assertThat(child.isAlive()).as("the child ended before its launcher").isFalse();
  }

  private static ProcessHandle runningChild(Process launcher) throws IOException {
    java.io.BufferedReader out = new java.io.BufferedReader(new java.io.InputStreamReader(launcher.getInputStream(),
        StandardCharsets.UTF_8));
    assertThat(out.readLine()).startsWith("MALLOC_ARENA_MAX=1 args=[sleep]");
    List<ProcessHandle> children = launcher.children().toList();
    assertThat(children).hasSize(1);
    return children.get(0);
  }

  @Test
  void aProcessThatHasTheSettingsGoesOn() {
    assertThat(NativeAllocator.inEffect(Map.of("MALLOC_ARENA_MAX", "2"))).isTrue();
  }

  /**
   * Under the tuned settings (surefire sets them for this module's tests) a freed 512 MB tensor stays
   * resident, since nothing is unmapped or trimmed; trim() hands its pages back.
   */
  @Test
  @EnabledOnOs(OS.LINUX)
  void trimReleasesTheFreedPagesTheKeptHeapHolds() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue("0".equals(System.getenv("MALLOC_MMAP_MAX_")),
        "runs only with the tuned malloc settings, which this module's surefire configuration sets");
    Devices.ensureOffline();
    long before;
    try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager()) {
      ai.djl.ndarray.NDArray big = m.ones(new ai.djl.ndarray.types.Shape(128, 1024, 1024)); // 512 MB, touched
      assertThat(big.sum().getFloat()).isEqualTo(128f * 1024 * 1024);
      big.close();
      before = ProcessStats.rssBytes();
    }
    assertThat(NativeAllocator.trim()).isTrue();
    assertThat(before - ProcessStats.rssBytes()).isGreaterThan(400L << 20);
  }

  record Run(String output, int exit) {}

  static Run probe(Map<String, String> extraEnv, String... args) throws IOException, InterruptedException {
    Process p = start(extraEnv, args);
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    return new Run(out, p.waitFor());
  }

  static Process start(String... args) throws IOException {
    return start(Map.of(), args);
  }

  static Process start(Map<String, String> extraEnv, String... args) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new java.util.ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
        Probe.class.getName()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().keySet().removeIf(k -> k.startsWith("MALLOC_") || k.equals(NativeAllocator.SWITCH));
    pb.environment().putAll(extraEnv);
    return pb.start();
  }
}
