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

  /**
   * The launcher: starts a long-running child, ties it to its own shutdown (and unties it again when
   * asked to with "untie"; started behind the hook with "start"), prints its pid, waits.
   */
  public static final class Launcher {
    public static void main(String[] args) throws Exception {
      boolean viaStart = args.length > 0 && args[0].equals("start");
      ProcessBuilder sleep = new ProcessBuilder("sleep", "600");
      try (StopWithJvm stop = viaStart ? StopWithJvm.start(sleep, Duration.ofSeconds(10))
          : StopWithJvm.register(sleep.start(), Duration.ofSeconds(10))) {
        Process child = stop.process();
        if (args.length > 0 && args[0].equals("untie")) {
          stop.close();
        }
        System.out.println(child.pid());
        System.out.flush();
        child.waitFor();
      }
    }
  }

  /** Starts a launcher, SIGTERMs it once its child runs, and says whether the child outlived it. */
  private static boolean childOutlivesItsSigtermedLauncher(String... args) throws Exception {
    List<String> cmd = new java.util.ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
        "-cp", System.getProperty("java.class.path"), Launcher.class.getName()));
    cmd.addAll(List.of(args));
    Process launcher = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    long childPid = -1;
    try (BufferedReader out = new BufferedReader(new InputStreamReader(launcher.getInputStream()))) {
      childPid = Long.parseLong(out.readLine().strip());
      Optional<ProcessHandle> child = ProcessHandle.of(childPid);
      assertThat(child).isPresent();
      assertThat(child.get().isAlive()).isTrue();
      launcher.destroy(); // SIGTERM, as a person's kill or a container stop
      assertThat(launcher.waitFor(30, TimeUnit.SECONDS)).as("the launcher exits").isTrue();
      return ProcessHandle.of(childPid).map(ProcessHandle::isAlive).orElse(false);
    } finally {
      launcher.destroyForcibly();
      ProcessHandle.of(childPid).ifPresent(ProcessHandle::destroyForcibly);
    }
  }

  @Test
  void aChildStartedBehindTheHookIsStoppedToo() throws Exception {
    assertThat(childOutlivesItsSigtermedLauncher("start")).as("the child (sleep 600) outlived its stopped launcher").isFalse();
  }

  @Test
  void aSigtermedLauncherStopsItsChildBeforeItExits() throws Exception {
    // the hook waited for the child: it is gone by the time the launcher is
    assertThat(childOutlivesItsSigtermedLauncher()).as("the child (sleep 600) outlived its stopped launcher").isFalse();
  }

  @Test
  void onceClosedTheChildIsLeftAlone() throws Exception {
    assertThat(childOutlivesItsSigtermedLauncher("untie")).as("the child outlived its launcher after close()").isTrue();
  }
}
