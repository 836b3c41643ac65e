package dev.crane.api.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.crane.api.app.RecommenderApi;
import dev.crane.api.config.ConfigLoader;
import dev.crane.api.metrics.ApiMetrics;
import dev.crane.api.model.EmbeddingTable;
import dev.crane.api.serving.LiveVersion;
import dev.crane.api.testing.Events;
import dev.crane.embedded.EmbeddedRuntime;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The swap benchmark's child publisher: a real child JVM, the in-process broker, the real registry. */
class PublisherProcessTest {
  @TempDir
  Path dir;

  @Test
  void aChildPublishesOnlyWhenToldAndTheServiceLoadsTheSameSyntheticVersion() throws Exception {
    try (EmbeddedRuntime runtime = EmbeddedRuntime.start(dir.resolve("infra"), 1);
        RecommenderApi api = RecommenderApi.start(ConfigLoader.fromMap(Map.of(
            "bootstrap.servers", runtime.bootstrapServers(), "schema.registry.url", runtime.schemaRegistryUrl(),
            "grpc.host", "127.0.0.1", "grpc.port", "0", "state.dir", dir.resolve("api").toString(),
            "metrics.port", "-1")), ApiMetrics.inMemory())) {
      try (PublisherProcess child = PublisherProcess.start(runtime.bootstrapServers(), runtime.schemaRegistryUrl(),
          7, 120, 300, Duration.ofMinutes(2))) {
        Thread.sleep(1_000);
        assertThat(api.state().current()).as("nothing published before the child is told").isNull();
        child.publish(Duration.ofMinutes(1));
      }
      Events.await("version 7", 30_000, () -> api.state().current() != null);
      LiveVersion v = api.state().current();
      assertThat(v.version()).isEqualTo(7);
      EmbeddingTable items = v.items();
      assertThat(items.size()).isEqualTo(300);
      assertThat(v.users().size()).isEqualTo(120);
      SyntheticModel same = new SyntheticModel(ApiBenchmark.DIM, ApiBenchmark.CLUSTERS, ApiBenchmark.SEED);
      int row = items.row(SyntheticModel.itemId(42));
      assertThat(items.vector(row)).containsExactly(same.itemVector(42, 7));
    }
  }

  @Test
  void aChildThatCannotStartSaysWhy() {
    assertThatThrownBy(() -> PublisherProcess.start("", "http://127.0.0.1:1", 1, 1, 1, Duration.ofSeconds(60)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("the publisher child ended before it was done")
        .hasMessageContaining("bootstrap.servers"); // the child's own error, not only that it ended
  }
}
