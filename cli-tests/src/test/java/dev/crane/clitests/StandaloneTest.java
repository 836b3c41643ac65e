package dev.crane.clitests;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** README.md's first command, small, with its output in files. */
class StandaloneTest {
  @TempDir Path dir;

  @Test
  void theMainJobRunsAndReportsWhatLandedQuietly() throws Exception {
    Jar.Run r = Jar.STANDALONE.run(dir, Duration.ofMinutes(5), "--users", "200", "--items", "80",
        "--modalities", "visual:16", "--data-dir", dir.resolve("data").toString());
    assertThat(r.exit()).as(r.both()).isZero();
    assertThat(r.out()).as(r.both()).contains("Embedded runtime up in").containsPattern("(?m)^items\\s+80$")
        .containsPattern("(?m)^\\s+items\\s+80\\s+key=").containsPattern("(?m)^Done in [\\d.]+ s\\.$")
        .containsPattern("model version 1 published after [\\d.]+ s: crane, 200 users, 80 items, dim 64")
        .containsPattern("(?m)^\\s+user-embeddings\\s+[\\d,]+\\s+key=")
        .containsPattern("Recommender API: serving version 1 on gRPC")
        .containsPattern("user 1 \\[v1, folded in\\]: ")
        .containsPattern("(user 1 \\[v2\\]: |the candidate \\(version 2\\) was rejected by the gate)");
    assertThat(r.errLines()).as(r.both()).noneMatch(l -> l.contains(" ERROR "));
    // one warning is expected: the API's scan without the Vector API module (the README's command has no JVM flags)
    assertThat(r.errLines()).as(r.both()).filteredOn(l -> l.contains(" WARN ")).allMatch(l -> l.contains("Vector API"));
    assertThat(r.errLines()).as(r.both()).noneMatch(l -> l.startsWith("[W"));
    Output.assertQuiet(r, 150); // the trainer logs one line per epoch, twice
  }

  @Test
  void theMainJobRunsOnAnMmrecDatasetDirectory() throws Exception {
    Path data = dir.resolve("mmrec");
    Jar.Run written = Jar.INGEST.run(dir, Duration.ofMinutes(2), "synthetic", "--users", "150", "--items", "60",
        "--modalities", "visual:16,text:8", "--out", data.toString(), "--no-publish");
    assertThat(written.exit()).as(written.both()).isZero();
    Jar.Run r = Jar.STANDALONE.run(dir, Duration.ofMinutes(5), "--data", data.toString(), "--model", "lightgcn",
        "--epochs", "5", "--data-dir", dir.resolve("state").toString());
    assertThat(r.exit()).as(r.both()).isZero();
    assertThat(r.out()).as(r.both()).containsPattern("Read dataset .*: 150 users, 60 items, [\\d,]+ interactions, "
            + "modalities (visual:16,text:8|text:8,visual:16)")
        .doesNotContain("Generated synthetic dataset")
        .containsPattern("(?m)^items\\s+60$")
        .containsPattern("model version 1 published after [\\d.]+ s: lightgcn, 150 users, 60 items")
        .containsPattern("user 1 \\[v1, folded in\\]: ")
        .containsPattern("(?m)^Done in [\\d.]+ s\\.$");
    assertThat(r.errLines()).as(r.both()).noneMatch(l -> l.contains(" ERROR "));
  }

  @Test
  void aMissingDatasetOrSyntheticOptionsBesideItAreOneLineErrors() throws Exception {
    Jar.Run missing = Jar.STANDALONE.run(dir, Duration.ofMinutes(1), "--data", dir.resolve("nowhere").toString());
    assertThat(missing.exit()).as(missing.both()).isEqualTo(2);
    assertThat(missing.errLines()).as(missing.both()).hasSize(1).first().asString()
        .startsWith("error: --data: ").contains("nowhere: no such directory");
    Jar.Run both = Jar.STANDALONE.run(dir, Duration.ofMinutes(1), "--data", dir.toString(), "--users", "10");
    assertThat(both.exit()).as(both.both()).isEqualTo(2);
    assertThat(both.errLines()).as(both.both()).hasSize(1).first().asString()
        .contains("--users describes synthetic data");
    Jar.Run broken = Jar.STANDALONE.run(dir, Duration.ofMinutes(1), "--data", dir.toString());
    assertThat(broken.exit()).as(broken.both()).isEqualTo(2);
    assertThat(broken.errLines()).as(broken.both()).hasSize(1).first().asString()
        .startsWith("error: --data: ").contains("no <name>.inter file");
    assertThat(broken.out()).as("nothing started for a dataset that cannot be read").doesNotContain("Embedded runtime up");
  }

  @Test
  void keepRunningStopsOnSigtermClosingEverythingAndRemovingItsTemporaryDirectory() throws Exception {
    Path out = dir.resolve("keep.out");
    Path err = dir.resolve("keep.err");
    // no --data-dir: a temporary directory, which the run names and must remove when stopped
    Process p = Jar.STANDALONE.start(out, err, "--users", "150", "--items", "60", "--modalities", "visual:8",
        "--model", "lightgcn", "--epochs", "3", "--keep-running");
    try {
      long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
      while (!java.nio.file.Files.readString(out).contains("Ctrl+C to stop") && p.isAlive()
          && System.nanoTime() < deadline) {
        Thread.sleep(200);
      }
      String printed = java.nio.file.Files.readString(out);
      assertThat(printed).as(printed + java.nio.file.Files.readString(err)).contains("Ctrl+C to stop");
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("data:\\s+(\\S+)").matcher(printed);
      assertThat(m.find()).isTrue();
      Path data = Path.of(m.group(1));
      assertThat(data).isDirectory();
      p.destroy(); // SIGTERM: the same shutdown path as Ctrl+C (a test run in the background ignores SIGINT)
      assertThat(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).as("stopped within 60 s").isTrue();
      String log = java.nio.file.Files.readString(err);
      assertThat(p.exitValue()).as(log).isEqualTo(143);
      assertThat(data).as("the temporary directory is removed").doesNotExist();
      assertThat(log).contains("Embedded Kafka broker at").contains(" stopped").doesNotContain(" ERROR ");
    } finally {
      p.destroyForcibly();
    }
  }
}
