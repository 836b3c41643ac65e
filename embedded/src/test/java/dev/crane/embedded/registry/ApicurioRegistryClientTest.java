package dev.crane.embedded.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.crane.schemas.avro.Interaction;
import dev.crane.schemas.registry.CompatibilityLevel;
import dev.crane.schemas.registry.CompatibilityResult;
import dev.crane.schemas.registry.RegisteredSchema;
import dev.crane.schemas.registry.RegistryClientSettings;
import dev.crane.schemas.registry.SchemaRegistryClient;
import dev.crane.schemas.registry.SchemaRegistryException;
import dev.crane.schemas.registry.SchemaRegistryUnavailableException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The registry client against a real Apicurio Registry (Confluent API), one server for the class. */
class ApicurioRegistryClientTest {
  private static LocalSchemaRegistry registry;

  private static final Schema V1 = SchemaBuilder.record("Event").namespace("test.client").fields()
      .requiredString("id").endRecord();
  /** Adds a field with a default: BACKWARD compatible. */
  private static final Schema V2 = SchemaBuilder.record("Event").namespace("test.client").fields()
      .requiredString("id").name("count").type().intType().intDefault(0).endRecord();
  /** Changes id's type: not BACKWARD compatible. */
  private static final Schema BROKEN = SchemaBuilder.record("Event").namespace("test.client").fields()
      .requiredLong("id").endRecord();

  @BeforeAll
  static void start() {
    registry = LocalSchemaRegistry.start();
  }

  @AfterAll
  static void stop() {
    if (registry != null) {
      registry.close();
    }
  }

  private static SchemaRegistryClient client() {
    return SchemaRegistryClient.create(registry.url());
  }

  @Test
  void registerGetByIdAndLatest() {
    SchemaRegistryClient client = client();
    int id1 = client.register("events-value", V1);
    int id2 = client.register("events-value", V2);

    // Fresh clients (empty caches) see what the registry stored.
    assertThat(client().schemaById(id1)).isEqualTo(V1);
    assertThat(client().schemaById(id2)).isEqualTo(V2);
    RegisteredSchema latest = client().latest("events-value");
    assertThat(latest.subject()).isEqualTo("events-value");
    assertThat(latest.id()).isEqualTo(id2);
    assertThat(latest.version()).isEqualTo(2);
    assertThat(latest.schema()).isEqualTo(V2);
    // Registering an existing schema is idempotent.
    assertThat(client().register("events-value", V1)).isEqualTo(id1);
    assertThat(client().lookupId("events-value", V2)).isEqualTo(id2);
    assertThat(client().subjects()).contains("events-value");
  }

  @Test
  void lookupOfAnUnregisteredSchemaIsNotFound() {
    client().register("lookups-value", V1);
    assertThatThrownBy(() -> client().lookupId("lookups-value", V2))
        .isInstanceOfSatisfying(SchemaRegistryException.class, e -> assertThat(e.isNotFound()).isTrue());
    assertThatThrownBy(() -> client().lookupId("no-such-subject-value", V1))
        .isInstanceOfSatisfying(SchemaRegistryException.class, e -> assertThat(e.errorCode()).isEqualTo(40401));
  }

  @Test
  void unknownIdIsNotFound() {
    assertThatThrownBy(() -> client().schemaById(987_654))
        .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
          assertThat(e).isNotInstanceOf(SchemaRegistryUnavailableException.class);
          assertThat(e.isNotFound()).isTrue();
          assertThat(e.errorCode()).isEqualTo(40403);
        });
  }

  @Test
  void backwardRuleRejectsAnIncompatibleChange() {
    SchemaRegistryClient client = client();
    client.register("compat-value", V1);
    // Apicurio enforces nothing until a rule is set; Confluent defaults to BACKWARD.
    assertThat(client.setCompatibility("compat-value", CompatibilityLevel.BACKWARD))
        .isEqualTo(CompatibilityLevel.BACKWARD);
    assertThat(client.compatibility("compat-value")).isEqualTo(CompatibilityLevel.BACKWARD);

    assertThat(client.checkCompatibility("compat-value", V2).compatible()).isTrue();
    CompatibilityResult broken = client.checkCompatibility("compat-value", BROKEN);
    assertThat(broken.compatible()).isFalse();
    assertThat(String.join(" ", broken.messages())).contains("LONG not compatible with writer type: STRING");
    assertThatThrownBy(() -> client.register("compat-value", BROKEN))
        .isInstanceOfSatisfying(SchemaRegistryException.class, e -> assertThat(e.httpStatus()).isEqualTo(409))
        .hasMessageContaining("compat-value");
    // The generated classes pass their own registry's check against themselves.
    client.register("interactions-compat-value", Interaction.getClassSchema());
    client.setCompatibility("interactions-compat-value", CompatibilityLevel.BACKWARD);
    assertThat(client.checkCompatibility("interactions-compat-value", Interaction.getClassSchema()).compatible())
        .isTrue();
  }

  @Test
  void globalBackwardLevelAppliesToSubjectsWithoutTheirOwn() {
    SchemaRegistryClient client = client();
    try {
      assertThat(client.setGlobalCompatibility(CompatibilityLevel.BACKWARD)).isEqualTo(CompatibilityLevel.BACKWARD);
      client.register("global-value", V1);
      assertThat(client.checkCompatibility("global-value", BROKEN).compatible()).isFalse();
      assertThatThrownBy(() -> client.register("global-value", BROKEN))
          .isInstanceOfSatisfying(SchemaRegistryException.class, e -> assertThat(e.httpStatus()).isEqualTo(409));
    } finally {
      client.setGlobalCompatibility(CompatibilityLevel.NONE); // the other tests start from Apicurio's default
    }
  }

  @Test
  void checkingAgainstASubjectWithoutVersionsIsCompatible() {
    assertThat(client().checkCompatibility("brand-new-value", V1).compatible()).isTrue();
  }

  @Test
  void registryDownGivesAClearError() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    String url = "http://127.0.0.1:" + port + LocalSchemaRegistry.CCOMPAT_PATH;
    SchemaRegistryClient down = new SchemaRegistryClient(RegistryClientSettings.of(url)
        .withRetries(2, Duration.ofMillis(10), Duration.ofMillis(50)));

    assertThatThrownBy(() -> down.register("events-value", V1))
        .isInstanceOf(SchemaRegistryUnavailableException.class)
        .hasMessageContaining("unreachable at " + url)
        .hasMessageContaining("register a schema under subject 'events-value'")
        .hasMessageContaining("POST " + url + "/subjects/events-value/versions");
  }
}
