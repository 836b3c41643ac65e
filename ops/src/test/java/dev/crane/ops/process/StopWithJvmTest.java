package dev.crane.ops.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A real launcher JVM, a real child process and a real SIGTERM. */
class StopWithJvmTest {

  /** The launcher: starts a long-running child, ties it to its own shutdown, prints its pid, waits. */
  public static final class Launcher {
    public static void main(String[] args) throws Exception {
      Process child = new ProcessBuilder("sleep", "600").start();
      try (StopWithJvm stop = StopWithJvm.register(child, Duration.ofSeconds(10))) {
        System.out.println(child.pid());
        System.out.flush();
        child.waitFor();
      }
    }
  }

  @Test
  void aSigtermedLauncherStopsItsChildBeforeItExits() throws Exception {
    Process launcher = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-cp",
        System.getProperty("java.class.path"), Launcher.class.getName()).redirectErrorStream(true).start();
    long childPid = -1;
    try (BufferedReader out = new BufferedReader(new InputStreamReader(launcher.getInputStream()))) {
      childPid = Long.parseLong(out.readLine().strip());
      Optional<ProcessHandle> child = ProcessHandle.of(childPid);
      assertThat(child).isPresent();
      assertThat(child.get().isAlive()).isTrue();

      launcher.destroy(); // SIGTERM, as a person's kill or a container stop
      assertThat(launcher.waitFor(30, TimeUnit.SECONDS)).as("the launcher exits").isTrue();
      // the hook waited for the child: it is gone by the time the launcher is
      assertThat(ProcessHandle.of(childPid).map(ProcessHandle::isAlive).orElse(false))
          .as("the child (sleep 600) still running after its launcher was stopped").isFalse();
    } finally {
      launcher.destroyForcibly();
      ProcessHandle.of(childPid).ifPresent(ProcessHandle::destroyForcibly); // only if the test failed
    }
  }

  @Test
  void closedTheHookIsGone() throws Exception {
    Process child = new ProcessBuilder("sleep", "600").start();
    try {
      StopWithJvm stop = StopWithJvm.register(child, Duration.ofSeconds(1));
      stop.close();
      stop.close(); // twice is harmless
      assertThat(child.isAlive()).isTrue();
    } finally {
      child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    assertThat(List.of(child.isAlive())).containsExactly(false);
  }
}
