package dev.crane.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.crane.schemas.avro.Interaction;
import dev.crane.schemas.testing.ScriptedHttpServer;
import dev.crane.schemas.testing.ScriptedHttpServer.Reply;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Caching, retries and error reporting of the client, against a scripted loopback HTTP server. */
class SchemaRegistryClientTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Schema SCHEMA = Interaction.getClassSchema();
  private final ScriptedHttpServer server = ScriptedHttpServer.start();

  @AfterEach
  void stop() {
    server.close();
  }

  private SchemaRegistryClient client(int retries) {
    return new SchemaRegistryClient(RegistryClientSettings.of(server.url())
        .withTimeouts(Duration.ofSeconds(2), Duration.ofMillis(500))
        .withRetries(retries, Duration.ofMillis(10), Duration.ofMillis(40)));
  }

  private static String schemaJson(Schema s) throws Exception {
    return JSON.writeValueAsString(Map.of("schema", s.toString()));
  }

  @Test
  void registerSendsConfluentRequestAndCachesTheId() throws Exception {
    server.on("POST", "/subjects/interactions-value/versions", 200, "{\"id\":17}");
    SchemaRegistryClient client = client(0);

    assertThat(client.register("interactions-value", SCHEMA)).isEqualTo(17);
    assertThat(client.register("interactions-value", new Schema.Parser().parse(SCHEMA.toString()))).isEqualTo(17);

    assertThat(server.requests()).hasSize(1);
    ScriptedHttpServer.Request req = server.requests().get(0);
    assertThat(req.contentType()).isEqualTo("application/vnd.schemaregistry.v1+json");
    assertThat(new Schema.Parser().parse(JSON.readTree(req.body()).get("schema").asText())).isEqualTo(SCHEMA);
    // The registered schema is known by id without asking again.
    assertThat(client.schemaById(17)).isEqualTo(SCHEMA);
    assertThat(server.requests()).hasSize(1);
  }

  @Test
  void schemaByIdIsFetchedOnceAndParsed() throws Exception {
    server.on("GET", "/schemas/ids/5", 200, schemaJson(SCHEMA));
    SchemaRegistryClient client = client(0);

    assertThat(client.schemaById(5)).isEqualTo(SCHEMA);
    assertThat(client.schemaById(5)).isEqualTo(SCHEMA);
    assertThat(server.requests()).hasSize(1);
  }

  @Test
  void latestIsNotCachedBecauseItChanges() {
    server.on("GET", "/subjects/t-value/versions/latest", (r, n) -> Reply.json(200,
        "{\"subject\":\"t-value\",\"id\":" + (n + 1) + ",\"version\":" + (n + 1) + ",\"schema\":\"\\\"string\\\"\"}"));
    SchemaRegistryClient client = client(0);

    RegisteredSchema first = client.latest("t-value");
    RegisteredSchema second = client.latest("t-value");
    assertThat(first).isEqualTo(new RegisteredSchema("t-value", 1, 1, Schema.create(Schema.Type.STRING)));
    assertThat(second.version()).isEqualTo(2);
  }

  @Test
  void retriesServerErrorsWithBackoffThenSucceeds() throws Exception {
    server.on("GET", "/schemas/ids/9", (r, n) -> n < 2
        ? Reply.json(503, "{\"error_code\":50003,\"message\":\"store not ready\"}")
        : Reply.json(200, "{\"schema\":\"\\\"long\\\"\"}"));
    long start = System.nanoTime();

    assertThat(client(3).schemaById(9)).isEqualTo(Schema.create(Schema.Type.LONG));

    assertThat(server.requests()).hasSize(3);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(30)); // 10 + 20
  }

  @Test
  void givesUpAfterBoundedRetriesNamingUrlAndAttempt() {
    server.on("GET", "/schemas/ids/9", 500, "{\"error_code\":50001,\"message\":\"backend down\"}");

    assertThatThrownBy(() -> client(2).schemaById(9))
        .isInstanceOf(SchemaRegistryUnavailableException.class)
        .hasMessageContaining(server.url())
        .hasMessageContaining("get the schema with id 9")
        .hasMessageContaining("GET " + server.url() + "/schemas/ids/9")
        .hasMessageContaining("3 attempts")
        .hasMessageContaining("HTTP 500 error 50001: backend down");
    assertThat(server.requests()).hasSize(3);
  }

  @Test
  void clientErrorsAreFinalAndCarryTheRegistryErrorCode() {
    server.on("GET", "/schemas/ids/404", 404, "{\"error_code\":40403,\"message\":\"Schema 404 not found\"}");

    assertThatThrownBy(() -> client(3).schemaById(404))
        .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
          assertThat(e).isNotInstanceOf(SchemaRegistryUnavailableException.class);
          assertThat(e.isNotFound()).isTrue();
          assertThat(e.errorCode()).isEqualTo(40403);
          assertThat(e.httpStatus()).isEqualTo(404);
        })
        .hasMessageContaining("Schema 404 not found");
    assertThat(server.requests()).hasSize(1);
  }

  @Test
  void slowRegistryTimesOutAndIsRetried() {
    server.on("GET", "/schemas/ids/1", (r, n) -> n == 0
        ? new Reply(200, "{\"schema\":\"\\\"int\\\"\"}", 2_000)
        : Reply.json(200, "{\"schema\":\"\\\"int\\\"\"}"));

    assertThat(client(1).schemaById(1)).isEqualTo(Schema.create(Schema.Type.INT));
    assertThat(server.requests()).hasSize(2);
  }

  @Test
  void slowRegistryExhaustingRetriesReportsTheTimeout() {
    server.on("GET", "/schemas/ids/1", (r, n) -> new Reply(200, "{\"schema\":\"\\\"int\\\"\"}", 2_000));

    assertThatThrownBy(() -> client(1).schemaById(1))
        .isInstanceOf(SchemaRegistryUnavailableException.class)
        .hasMessageContaining("HttpTimeoutException");
  }

  @Test
  void unreachableRegistryGivesAClearError() throws Exception {
    int port = closedPort();
    SchemaRegistryClient client = new SchemaRegistryClient(RegistryClientSettings.of("http://127.0.0.1:" + port)
        .withRetries(2, Duration.ofMillis(5), Duration.ofMillis(10)));

    assertThatThrownBy(() -> client.register("interactions-value", SCHEMA))
        .isInstanceOf(SchemaRegistryUnavailableException.class)
        .hasMessageStartingWith("Schema registry unreachable at http://127.0.0.1:" + port)
        .hasMessageContaining("register a schema under subject 'interactions-value'")
        .hasMessageContaining("3 attempts")
        .hasMessageContaining("ConnectException")
        .hasMessageContaining("schema.registry.url");
  }

  @Test
  void failsOverToTheNextUrl() throws Exception {
    server.on("GET", "/schemas/ids/3", 200, "{\"schema\":\"\\\"bytes\\\"\"}");
    SchemaRegistryClient client = new SchemaRegistryClient(
        RegistryClientSettings.of("http://127.0.0.1:" + closedPort() + "," + server.url())
            .withRetries(1, Duration.ofMillis(1), Duration.ofMillis(1)));

    assertThat(client.schemaById(3)).isEqualTo(Schema.create(Schema.Type.BYTES));
  }

  @Test
  void backoffDoublesUpToTheCap() {
    RegistryHttp http = new RegistryHttp(RegistryClientSettings.of("http://localhost:1")
        .withRetries(10, Duration.ofMillis(100), Duration.ofMillis(500)));
    assertThat(List.of(http.backoff(1), http.backoff(2), http.backoff(3), http.backoff(4), http.backoff(60)))
        .containsExactly(100L, 200L, 400L, 500L, 500L);
  }

  @Test
  void compatibilityUnderstandsConfluentAndApicurioAnswers() {
    server.on("POST", "/compatibility/subjects/a-value/versions/latest", 200,
        "{\"is_compatible\":false,\"messages\":[\"reader type: INT not compatible with writer type: STRING\"]}");
    server.on("POST", "/compatibility/subjects/b-value/versions/latest", 200,
        "{\"is_compatible\":false,\"reason\":\"Incompatible artifact\"}");
    server.on("POST", "/compatibility/subjects/c-value/versions/latest", 404,
        "{\"error_code\":40401,\"message\":\"Subject 'c-value' not found.\"}");
    SchemaRegistryClient client = client(0);

    assertThat(client.checkCompatibility("a-value", SCHEMA)).isEqualTo(new CompatibilityResult(false,
        List.of("reader type: INT not compatible with writer type: STRING")));
    assertThat(client.checkCompatibility("b-value", SCHEMA)).isEqualTo(new CompatibilityResult(false,
        List.of("Incompatible artifact")));
    assertThat(client.checkCompatibility("c-value", SCHEMA).compatible()).isTrue();
    assertThat(server.requests().get(0).query()).isEqualTo("verbose=true");
  }

  @Test
  void rejectsNonAvroAndReferencingSchemas() {
    server.on("GET", "/schemas/ids/1", 200, "{\"schemaType\":\"PROTOBUF\",\"schema\":\"syntax = \\\"proto3\\\";\"}");
    server.on("GET", "/schemas/ids/2", 200,
        "{\"schema\":\"{}\",\"references\":[{\"name\":\"x\",\"subject\":\"x\",\"version\":1}]}");
    SchemaRegistryClient client = client(0);

    assertThatThrownBy(() -> client.schemaById(1)).hasMessageContaining("PROTOBUF schema, not Avro");
    assertThatThrownBy(() -> client.schemaById(2)).hasMessageContaining("schema references");
  }

  @Test
  void subjectsAreEncodedAsOnePathSegment() {
    server.on("GET", "/subjects/a b/versions/latest", 200, "{\"id\":1,\"version\":1,\"schema\":\"\\\"int\\\"\"}");
    assertThat(client(0).latest("a b").id()).isEqualTo(1);
  }

  @Test
  void settingsRejectBadUrls() {
    assertThatThrownBy(() -> RegistryClientSettings.of("localhost:8081"))
        .hasMessageContaining("invalid schema registry URL 'localhost:8081'");
    assertThatThrownBy(() -> RegistryClientSettings.of(" , "))
        .hasMessageContaining("no schema registry URL");
    assertThat(RegistryClientSettings.of("http://h:1/apis/ccompat/v7/").urls())
        .containsExactly(URI.create("http://h:1/apis/ccompat/v7"));
  }

  static int closedPort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
