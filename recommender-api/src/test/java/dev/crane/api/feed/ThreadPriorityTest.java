package dev.crane.api.feed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.crane.api.config.CpuPriority;
import dev.crane.api.testing.Scheduling;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ThreadPriorityTest {
  /** What a thread saw: why it was not lowered (null: it was), then its nice value and policy. */
  private record Seen(String notLowered, int nice, int policy) {}

  /** {nice, policy} of the calling thread. */
  private static int[] niceAndPolicy() throws Exception {
    return Scheduling.niceAndPolicy(Path.of("/proc/thread-self"));
  }

  /** Lowers a fresh thread (the change cannot be undone) and reads it back from that thread. */
  private static Seen lowerOnFreshThread(CpuPriority p) throws Exception {
    AtomicReference<Seen> seen = new AtomicReference<>();
    AtomicReference<Exception> failed = new AtomicReference<>();
    Thread t = new Thread(() -> {
      try {
        String why = ThreadPriority.lowerCurrentThread(p);
        int[] np = niceAndPolicy();
        seen.set(new Seen(why, np[0], np[1]));
      } catch (Exception e) {
        failed.set(e);
      }
    });
    t.start();
    t.join();
    if (failed.get() != null) {
      throw failed.get();
    }
    return seen.get();
  }

  private static boolean onPath(String tool) {
    return java.util.Arrays.stream(System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator))
        .anyMatch(dir -> !dir.isEmpty() && Files.isExecutable(Path.of(dir, tool)));
  }

  @Test
  void idleMovesOnlyTheCallingThreadToSchedIdle() throws Exception {
    assumeTrue(ThreadPriority.supported(), "needs Linux's /proc/thread-self");
    assumeTrue(Scheduling.accepted("chrt", "--idle", "0"), "needs util-linux's chrt and a kernel that grants SCHED_IDLE");
    int[] before = niceAndPolicy();
    assumeTrue(before[1] != Scheduling.SCHED_IDLE, "the test JVM already runs under SCHED_IDLE: nothing to see");
    Seen s = lowerOnFreshThread(CpuPriority.IDLE);
    assertThat(s.notLowered()).isNull();
    assertThat(s.policy()).isEqualTo(Scheduling.SCHED_IDLE);
    assertThat(niceAndPolicy()).containsExactly(before); // the caller's own thread is untouched
  }

  @Test
  void lowNicesTheCallingThreadTo19() throws Exception {
    assumeTrue(ThreadPriority.supported(), "needs Linux's /proc/thread-self");
    assumeTrue(onPath("renice"), "needs util-linux's renice");
    int[] before = niceAndPolicy();
    assumeTrue(before[0] < 19, "the test JVM already runs at nice 19: nothing to see");
    Seen s = lowerOnFreshThread(CpuPriority.LOW);
    assertThat(s.notLowered()).isNull();
    assertThat(s.nice()).isEqualTo(19);
    assertThat(s.policy()).isEqualTo(before[1]);
  }

  @Test
  void normalChangesNothing() throws Exception {
    assumeTrue(ThreadPriority.supported(), "needs Linux's /proc/thread-self");
    int[] before = niceAndPolicy();
    Seen s = lowerOnFreshThread(CpuPriority.NORMAL);
    assertThat(s.notLowered()).isNull();
    assertThat(new int[] {s.nice(), s.policy()}).containsExactly(before);
  }
}
