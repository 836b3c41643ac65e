package dev.crane.trainer.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.crane.schemas.Topics;
import dev.crane.schemas.avro.ModelStatus;
import dev.crane.schemas.avro.ModelVersion;
import dev.crane.schemas.avro.SnapshotManifest;
import dev.crane.schemas.avro.UserEmbedding;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults around the service: a snapshot whose directory is gone, and the schema registry going
 * down while a version is being published. Each is logged and counted, nothing half-published is
 * ever visible, and the service keeps running and gets the version out once things recover.
 */
class ServiceFaultsTest {
  @TempDir static Path dir;
  static LivePipeline pipeline;
  static RegistryProxy proxy;

  @BeforeAll
  static void start() throws IOException {
    pipeline = new LivePipeline(dir, 150, 60, 3);
    proxy = new RegistryProxy(pipeline.runtime.schemaRegistryUrl());
  }

  @AfterAll
  static void stop() {
    if (proxy != null) {
      proxy.close();
    }
    if (pipeline != null) {
      pipeline.close();
    }
  }

  @Test
  void aMissingSnapshotIsSkippedAndARegistryOutageDuringPublishIsRetriedUntilTheVersionIsOut() throws Exception {
    pipeline.publish(r -> true, new int[0]);
    pipeline.snapshotAfterProcessing();
    Path v1 = pipeline.snapshotDir().resolve("v00000001");
    // published, not only renamed into place: the coordinator still reads the directory after the
    // rename, and a directory moved away then fails that assembly, which is retried (the snapshot
    // then arrives whole and the skip this test is about never happens)
    LivePipeline.await("snapshot v1", Duration.ofSeconds(60),
        () -> !pipeline.committed(Topics.SNAPSHOTS, (SnapshotManifest m) -> m.getVersion() == 1L).isEmpty());
    // a manifest whose directory is gone (an unmounted share, a wiped disk); it comes back afterwards,
    // because the processor's next snapshot copies the previous one's interactions
    Path away = dir.resolve("v1-away");
    Files.move(v1, away);

    Map<String, String> s = TrainerServiceTest.settingsFor(pipeline, dir.resolve("state"));
    s.put("schema.registry.url", proxy.url());
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    AtomicBoolean outageSeen = new AtomicBoolean();
    TrainerService.Hooks outage = new TrainerService.Hooks() {
      @Override
      public boolean afterTraining(dev.crane.trainer.train.Retraining.Outcome candidate) {
        proxy.up = false; // the registry goes down between training and publishing
        Thread t = new Thread(() -> {
          try {
            LivePipeline.await("a failed publish", Duration.ofSeconds(60),
                () -> meters.find("crane_trainer_publish_failures_total").counter().count() >= 2);
            outageSeen.set(pipeline.manifests().all().isEmpty()
                && pipeline.committed(Topics.USER_EMBEDDINGS, (UserEmbedding u) -> true).isEmpty());
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          } finally {
            proxy.up = true;
          }
        });
        t.setDaemon(true);
        t.start();
        return false;
      }
    };
    AtomicBoolean stop = new AtomicBoolean();
    try (TrainerService service = TrainerService.start(ServiceConfig.of(s), meters, outage)) {
      Thread t = new Thread(() -> service.run(stop::get), "trainer-service");
      t.start();
      try {
        LivePipeline.await("snapshot v1 to be given up", Duration.ofSeconds(60),
            () -> meters.find("crane_trainer_snapshots_total").tag("outcome", "failed").counter() != null);
        assertThat(service.healthy()).isTrue();
        Files.move(away, v1);
        pipeline.snapshotAfterProcessing(); // v2, whole
        LivePipeline.await("version 1", Duration.ofMinutes(3), () -> pipeline.manifests().serving().isPresent());
      } finally {
        stop.set(true);
        t.join(60_000);
      }
    }
    assertThat(outageSeen).as("nothing visible while the registry was down").isTrue();
    assertThat(meters.find("crane_trainer_publish_failures_total").counter().count()).isGreaterThanOrEqualTo(2);
    assertThat(meters.find("crane_trainer_snapshots_total").tag("outcome", "failed").counter().count()).isEqualTo(1);
    List<ModelVersion> manifests = pipeline.manifests().all();
    assertThat(manifests).hasSize(1);
    assertThat(manifests.get(0).getStatus()).isEqualTo(ModelStatus.COMPLETE);
    assertThat(manifests.get(0).getSnapshotVersion()).isEqualTo(2);
    assertThat(pipeline.committed(Topics.USER_EMBEDDINGS, (UserEmbedding u) -> u.getModelVersion() == 1)).hasSize(150);
  }

  /** Forwards to the real registry while up; answers 503 while down, as a registry in trouble does. */
  static final class RegistryProxy implements AutoCloseable {
    private final HttpServer server;
    private final URI target;
    private final HttpClient client = HttpClient.newHttpClient();
    volatile boolean up = true;

    RegistryProxy(String registryUrl) throws IOException {
      URI u = URI.create(registryUrl);
      this.target = URI.create(u.getScheme() + "://" + u.getAuthority());
      this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      server.createContext("/", ex -> {
        try (InputStream in = ex.getRequestBody()) {
          byte[] body = in.readAllBytes();
          if (!up) {
            ex.sendResponseHeaders(503, -1);
            return;
          }
          HttpRequest.Builder req = HttpRequest.newBuilder(target.resolve(ex.getRequestURI().toString()))
              .method(ex.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                  : HttpRequest.BodyPublishers.ofByteArray(body));
          String type = ex.getRequestHeaders().getFirst("Content-Type");
          if (type != null) {
            req.header("Content-Type", type);
          }
          HttpResponse<byte[]> r = client.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
          r.headers().firstValue("Content-Type").ifPresent(v -> ex.getResponseHeaders().set("Content-Type", v));
          ex.sendResponseHeaders(r.statusCode(), r.body().length == 0 ? -1 : r.body().length);
          try (OutputStream out = ex.getResponseBody()) {
            out.write(r.body());
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          ex.sendResponseHeaders(502, -1);
        } finally {
          ex.close();
        }
      });
      server.start();
    }

    String url() {
      return "http://127.0.0.1:" + server.getAddress().getPort() + URI.create(
          pipeline.runtime.schemaRegistryUrl()).getPath();
    }

    @Override
    public void close() {
      server.stop(0);
    }
  }
}
