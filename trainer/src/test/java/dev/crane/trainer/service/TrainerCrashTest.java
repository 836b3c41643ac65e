package dev.crane.trainer.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crane.schemas.Topics;
import dev.crane.schemas.avro.ItemEmbedding;
import dev.crane.schemas.avro.ModelStatus;
import dev.crane.schemas.avro.ModelVersion;
import dev.crane.schemas.avro.UserEmbedding;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code trainer serve} in a child process, killed with SIGKILL while it publishes: no part of the
 * version may become visible, and the restarted service publishes the model it had trained, once,
 * without training again.
 */
class TrainerCrashTest {
  @TempDir static Path dir;
  static LivePipeline pipeline;

  @BeforeAll
  static void start() {
    pipeline = new LivePipeline(dir, 200, 80, 9);
  }

  @AfterAll
  static void stop() {
    if (pipeline != null) {
      pipeline.close();
    }
  }

  private static Process serve(Path log) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx1g", "-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path"),
        "dev.crane.trainer.cli.TrainerCli", "serve"));
    Map<String, String> s = TrainerServiceTest.settingsFor(pipeline, dir.resolve("state"));
    s.put("publish.records.per.second", "60"); // 280 records: a publish of about 5 s to land a kill in
    s.forEach((k, v) -> cmd.addAll(List.of("--set", k + "=" + v)));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().put("CRANE_NATIVE_ALLOCATOR", "default"); // one JVM: the kill must hit the service itself
    return pb.start();
  }

  @Test
  void killedMidPublishItPublishesThatVersionExactlyOnceAfterARestartWithoutRetraining() throws Exception {
    pipeline.publish(r -> true, new int[0]);
    pipeline.snapshotAfterProcessing();
    Path firstLog = dir.resolve("first.log");
    Process first = serve(firstLog);
    try {
      // the transaction is open once its first records are on the topic, visible only to read_uncommitted
      LivePipeline.await("the service to start publishing", Duration.ofMinutes(3), () -> !pipeline.records(
          Topics.USER_EMBEDDINGS, "read_uncommitted", (UserEmbedding u) -> u.getModelVersion() == 1).isEmpty());
    } finally {
      first.destroyForcibly(); // SIGKILL: no shutdown hook, no abort
      first.waitFor(30, TimeUnit.SECONDS);
    }
    String firstText = Files.readString(firstLog);
    assertThat(firstText).as(firstText).contains("snapshot v1: epoch 0").doesNotContain("version 1 published");
    assertThat(pipeline.manifests().all()).as("no manifest is visible").isEmpty();
    assertThat(pipeline.committed(Topics.USER_EMBEDDINGS, (UserEmbedding u) -> true)).as("no user record is visible").isEmpty();
    assertThat(pipeline.committed(Topics.ITEM_EMBEDDINGS, (ItemEmbedding i) -> true)).as("no item record is visible").isEmpty();
    assertThat(dir.resolve("state").resolve("pending")).isDirectory();

    Path secondLog = dir.resolve("second.log");
    Process second = serve(secondLog);
    try {
      LivePipeline.await("version 1", Duration.ofMinutes(2), () -> pipeline.manifests().serving().isPresent());
      Thread.sleep(2000); // room for a wrong second publish to show
    } finally {
      second.destroy();
      second.waitFor(60, TimeUnit.SECONDS);
    }
    String secondText = Files.readString(secondLog);
    assertThat(secondText).as(secondText).contains("publishing version 1 (snapshot v1), trained before the restart")
        .doesNotContain("snapshot v1: epoch").doesNotContain("snapshot v1: skipped");
    List<ModelVersion> manifests = pipeline.manifests().all();
    assertThat(manifests).hasSize(1);
    ModelVersion v1 = manifests.get(0);
    assertThat(v1.getVersion()).isEqualTo(1);
    assertThat(v1.getStatus()).isEqualTo(ModelStatus.COMPLETE);
    assertThat(pipeline.committed(Topics.USER_EMBEDDINGS, (UserEmbedding u) -> u.getModelVersion() == 1))
        .hasSize((int) v1.getUserCount()).hasSize(200);
    assertThat(pipeline.committed(Topics.ITEM_EMBEDDINGS, (ItemEmbedding i) -> i.getModelVersion() == 1))
        .hasSize((int) v1.getItemCount());
    assertThat(dir.resolve("state").resolve("accepted")).isDirectory();
    assertThat(dir.resolve("state").resolve("pending")).doesNotExist();
  }
}
