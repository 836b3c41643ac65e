package dev.crane.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's main command, end to end on the in-process broker, at a small size. */
class CraneMainTest {
  @TempDir Path dir;

  @Test
  void publishesTheSyntheticDatasetAndReportsWhatLanded() {
    WalkthroughRun.assertReported(WalkthroughRun.run("--data-dir", dir.toString()));
  }

  @Test
  void ownClusterOptionsGoTogetherAndAreCheckedBeforeAnythingRuns() throws Exception {
    assertThat(failure(2, "--bootstrap-servers", "localhost:9092"))
        .contains("--bootstrap-servers and --schema-registry-url go together");
    try (ServerSocket closed = new ServerSocket(0)) {
      int port = closed.getLocalPort();
      closed.close();
      // the roles' own reachability error and exit status (3)
      assertThat(failure(3, "--bootstrap-servers", "localhost:9092", "--schema-registry-url", "http://127.0.0.1:" + port))
          .contains("cannot reach the schema registry at http://127.0.0.1:" + port, "set --schema-registry-url");
    }
  }

  /** The one-line error of a run that must fail with {@code status} before it starts anything. */
  private String failure(int status, String... args) {
    StringWriter err = new StringWriter();
    int code = dev.crane.ops.cli.CliRunner.commandLine(new CraneMain()).setErr(new PrintWriter(err, true))
        .execute(args);
    assertThat(code).as(err.toString()).isEqualTo(status);
    return err.toString();
  }
}
