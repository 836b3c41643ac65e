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
}
