package dev.crane.api.integration;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crane.api.app.RecommenderApi;
import dev.crane.api.bench.VersionPublisher;
import dev.crane.api.config.ApiConfig;
import dev.crane.api.config.ConfigLoader;
import dev.crane.api.metrics.ApiMetrics;
import dev.crane.api.testing.ContentModel;
import dev.crane.api.testing.Events;
import dev.crane.embedded.EmbeddedRuntime;
import dev.crane.schemas.Topics;
import dev.crane.schemas.grpc.RecommendRequest;
import dev.crane.schemas.grpc.RecommendResponse;
import dev.crane.schemas.grpc.RecommenderGrpc;
import dev.crane.schemas.grpc.ScoredItem;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A restart serves from the local store at once and resumes the topics where it stopped. */
class RestartIntegrationTest {
  private static final ContentModel MODEL = new ContentModel(16, 40, 600, 5);

  @TempDir
  Path dir;

  private ApiConfig config(EmbeddedRuntime runtime) {
    return ConfigLoader.fromMap(Map.of("bootstrap.servers", runtime.bootstrapServers(),
        "schema.registry.url", runtime.schemaRegistryUrl(), "grpc.host", "127.0.0.1", "grpc.port", "0",
        "state.dir", dir.resolve("api").toString(), "previous.version.keep.ms", "3600000"));
  }

  private static RecommendResponse recommend(ManagedChannel ch, String user, Long pinned) {
    RecommendRequest.Builder b = RecommendRequest.newBuilder().setUserId(user).setK(10);
    if (pinned != null) {
      b.setModelVersion(pinned);
    }
    return RecommenderGrpc.newBlockingStub(ch).recommend(b.build());
  }

  @Test
  void aRestartServesFromTheStoreWithoutRereadingTheTopics() throws Exception {
    try (EmbeddedRuntime runtime = EmbeddedRuntime.start(dir.resolve("infra"), 2);
        Events events = new Events(runtime.bootstrapServers(), runtime.schemaRegistryUrl());
        VersionPublisher publisher = new VersionPublisher(runtime.bootstrapServers(), runtime.schemaRegistryUrl())) {
      List<String> beforeRestart;
      String seenItem;
      try (RecommenderApi api = RecommenderApi.start(config(runtime), ApiMetrics.inMemory())) {
        publisher.publish(MODEL.manifest(1, Map.of(0, 0L, 1, 0L)), MODEL.userRecords(1), MODEL.itemRecords(1));
        Events.await("version 1", 60_000, () -> api.state().current() != null);
        publisher.publish(MODEL.manifest(2, Map.of(0, 0L, 1, 0L)), MODEL.userRecords(2), MODEL.itemRecords(2));
        Events.await("version 2", 60_000, () -> api.state().current().version() == 2);
        ManagedChannel ch = ManagedChannelBuilder.forAddress("127.0.0.1", api.grpcPort()).usePlaintext().build();
        seenItem = recommend(ch, "u3", null).getItems(0).getItemId();
        events.interaction("u3", seenItem);
        events.itemFeatures("fresh-9", Map.of("image", MODEL.raw[4]));
        Events.await("u3 folded in", 5_000, () -> recommend(ch, "u3", null).getFoldedIn()
            && api.state().current().cold().size() == 1);
        beforeRestart = recommend(ch, "u3", null).getItemsList().stream().map(ScoredItem::getItemId).toList();
        ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }

      ApiMetrics metrics = ApiMetrics.inMemory();
      long t0 = System.nanoTime();
      try (RecommenderApi api = RecommenderApi.start(config(runtime), metrics)) {
        ManagedChannel ch = ManagedChannelBuilder.forAddress("127.0.0.1", api.grpcPort()).usePlaintext().build();
        var health = HealthGrpc.newBlockingStub(ch);
        Events.await("SERVING after the restart", 10_000,
            () -> health.check(HealthCheckRequest.getDefaultInstance()).getStatus() == ServingStatus.SERVING);
        long servingMs = (System.nanoTime() - t0) / 1_000_000;
        assertThat(servingMs).as("serving again within seconds").isLessThan(10_000);
        RecommendResponse r = recommend(ch, "u3", null);
        assertThat(r.getModelVersion()).isEqualTo(2);
        assertThat(r.getFoldedIn()).as("fold-in restored from the stored history").isTrue();
        assertThat(r.getItemsList()).extracting(ScoredItem::getItemId).doesNotContain(seenItem)
            .containsExactlyElementsOf(beforeRestart);
        assertThat(api.state().current().cold().size()).as("cold item restored").isEqualTo(1);
        assertThat(recommend(ch, "u3", 1L).getModelVersion()).as("the retained version too").isEqualTo(1);
        // The feeds resumed at the stored offsets: nothing already read comes again.
        Thread.sleep(1_500);
        for (String topic : List.of(Topics.USER_EMBEDDINGS, Topics.ITEM_EMBEDDINGS, Topics.MODEL_VERSIONS,
            Topics.INTERACTIONS, Topics.ITEMS)) {
          assertThat(metrics.consumedCount(topic)).as("records of %s read again", topic).isZero();
        }
        // ... and new input still flows.
        events.interaction("u7", "i1");
        Events.await("u7 folded in after the restart", 5_000, () -> recommend(ch, "u7", null).getFoldedIn());
        assertThat(metrics.consumedCount(Topics.INTERACTIONS)).isEqualTo(1);
        ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }
}
