package dev.crane.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.crane.schemas.avro.Interaction;
import dev.crane.schemas.avro.UserEmbedding;
import dev.crane.schemas.testing.ScriptedHttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.Decoder;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Bad bytes and registry failures become clear SerializationExceptions (the stream's dead-letter path). */
class AvroSerdeErrorsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final ScriptedHttpServer registry = ScriptedHttpServer.start();

  @AfterEach
  void stop() {
    registry.close();
  }

  private AvroDeserializer<Interaction> deserializer() {
    AvroDeserializer<Interaction> d = new AvroDeserializer<>(Interaction.class);
    d.configure(Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL, registry.url(), AvroSerdeConfig.MAX_RETRIES, 0), false);
    return d;
  }

  private void serveSchema(int id, Schema schema) throws Exception {
    registry.on("GET", "/schemas/ids/" + id, 200, JSON.writeValueAsString(Map.of("schema", schema.toString())));
  }

  private byte[] validBytes(int id) throws Exception {
    registry.on("POST", "/subjects/interactions-value/versions", 200, "{\"id\":" + id + "}");
    serveSchema(id, Interaction.getClassSchema());
    AvroSerializer<Interaction> s = new AvroSerializer<>();
    s.configure(Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL, registry.url()), false);
    return s.serialize("interactions",
        new Interaction("e", "u", "i", Instant.ofEpochMilli(5), 2f, "view", null));
  }

  @Test
  void missingRegistryUrlIsAConfigError() {
    assertThatThrownBy(() -> new AvroSerializer<Interaction>().configure(Map.of(), false))
        .isInstanceOf(ConfigException.class).hasMessageContaining("schema.registry.url");
    assertThatThrownBy(() -> new AvroDeserializer<Interaction>().configure(Map.of(), false))
        .isInstanceOf(ConfigException.class).hasMessageContaining("schema.registry.url");
    assertThatThrownBy(() -> new AvroSerializer<Interaction>()
        .configure(Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL, "registry:8081"), false))
        .isInstanceOf(ConfigException.class).hasMessageContaining("registry:8081");
    assertThatThrownBy(() -> new AvroSerializer<Interaction>()
        .configure(Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL, ""), false))
        .isInstanceOf(ConfigException.class).hasMessageContaining("schema.registry.url");
  }

  @Test
  void badMagicByte() {
    assertThatThrownBy(() -> deserializer().deserialize("interactions", new byte[] {1, 0, 0, 0, 1, 2}))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("topic 'interactions'")
        .hasMessageContaining("unknown magic byte 0x01");
    assertThat(registry.requests()).isEmpty();
  }

  @Test
  void shorterThanTheHeader() {
    assertThatThrownBy(() -> deserializer().deserialize("interactions", new byte[] {0, 0, 1}))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("3 bytes is shorter than the 5-byte header");
  }

  @Test
  void truncatedAvroBody() throws Exception {
    byte[] full = validBytes(11);
    AvroDeserializer<Interaction> d = deserializer();
    assertThat(d.deserialize("interactions", full).getType()).isEqualTo("view");
    for (int cut = 6; cut < full.length; cut += 3) {
      byte[] truncated = Arrays.copyOf(full, cut);
      assertThatThrownBy(() -> d.deserialize("interactions", truncated))
          .isInstanceOf(SerializationException.class)
          .hasMessageContaining("schema id 11")
          .hasMessageContaining("truncated or not valid Avro");
    }
  }

  @Test
  void trailingGarbage() throws Exception {
    byte[] full = validBytes(12);
    byte[] longer = Arrays.copyOf(full, full.length + 2);
    assertThatThrownBy(() -> deserializer().deserialize("interactions", longer))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("bytes left over");
  }

  @Test
  void unknownSchemaId() {
    registry.on("GET", "/schemas/ids/99", 404, "{\"error_code\":40403,\"message\":\"Schema 99 not found\"}");
    assertThatThrownBy(() -> deserializer().deserialize("interactions", new byte[] {0, 0, 0, 0, 99, 0}))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("unknown schema id 99")
        .satisfies(e -> assertThat(AvroDeserializer.isRegistryUnavailable(e)).isFalse());
  }

  @Test
  void registryDownIsReportedAsSuch() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    AvroDeserializer<Interaction> d = new AvroDeserializer<>(Interaction.class);
    d.configure(Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL, "http://127.0.0.1:" + port,
        AvroSerdeConfig.MAX_RETRIES, 1, AvroSerdeConfig.RETRIES_WAIT_MS, 1), false);
    assertThatThrownBy(() -> d.deserialize("interactions", new byte[] {0, 0, 0, 0, 1, 0}))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("registry is unavailable")
        .hasMessageContaining("http://127.0.0.1:" + port)
        .satisfies(e -> assertThat(AvroDeserializer.isRegistryUnavailable(e)).isTrue());
  }

  @Test
  void writerSchemaOfAnotherRecordCannotBeReadIntoTheClass() throws Exception {
    serveSchema(21, UserEmbedding.getClassSchema());
    assertThatThrownBy(() -> deserializer().deserialize("interactions", new byte[] {0, 0, 0, 0, 21, 0}))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("schema id 21 (dev.crane.schemas.avro.UserEmbedding) cannot be read as "
            + "dev.crane.schemas.avro.Interaction");
  }

  @Test
  void readersOfTheCallersMakingAreCheckedAndMadeOncePerWriterId() throws Exception {
    serveSchema(21, UserEmbedding.getClassSchema());
    serveSchema(23, Interaction.getClassSchema());
    List<Schema[]> made = new ArrayList<>();
    AvroDeserializer<String> d = AvroDeserializer.withReaders(Interaction.getClassSchema(), (writer, reader) -> {
      made.add(new Schema[] {writer, reader});
      return new DatumReader<>() {
        @Override
        public void setSchema(Schema schema) {}

        @Override
        public String read(String reuse, Decoder in) throws IOException {
          return "read " + in.readString();
        }
      };
    });
    d.configure(Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL, registry.url(), AvroSerdeConfig.MAX_RETRIES, 0), false);
    byte[] record = {0, 0, 0, 0, 23, 2, 'e'}; // the reader above reads only the first string
    assertThat(d.deserialize("interactions", record)).isEqualTo("read e");
    assertThat(d.deserialize("interactions", record)).isEqualTo("read e");
    assertThat(made).hasSize(1);
    assertThat(made.get(0)[0]).isEqualTo(Interaction.getClassSchema());
    assertThat(made.get(0)[1]).isSameAs(Interaction.getClassSchema());
    assertThatThrownBy(() -> d.deserialize("interactions", new byte[] {0, 0, 0, 0, 21, 0}))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("schema id 21 (dev.crane.schemas.avro.UserEmbedding) cannot be read as "
            + "dev.crane.schemas.avro.Interaction");
    assertThat(made).as("no reader for an incompatible writer").hasSize(1);
  }

  @Test
  void aLengthPrefixClaimingGigabytesIsRefusedBeforeAnyAllocation() throws Exception {
    byte[] valid = validBytes(24);
    // Interaction's first field is the event id, a string: claim 2^30 bytes for it (zig-zag varint)
    byte[] corrupt = {valid[0], valid[1], valid[2], valid[3], valid[4], (byte) 0x80, (byte) 0x80, (byte) 0x80,
        (byte) 0x80, 0x08, 'e'};
    assertThatThrownBy(() -> deserializer().deserialize("interactions", corrupt))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("schema id 24")
        .hasRootCauseInstanceOf(org.apache.avro.SystemLimitException.class);
  }

  @Test
  void specificReaderNeedsTheGeneratedClass() throws Exception {
    Schema unknown = SchemaBuilder.record("Nope").namespace("no.such").fields().requiredInt("x").endRecord();
    serveSchema(22, unknown);
    AvroDeserializer<Object> d = new AvroDeserializer<>();
    d.configure(Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL, registry.url(),
        AvroSerdeConfig.SPECIFIC_AVRO_READER, true), false);
    assertThatThrownBy(() -> d.deserialize("t", new byte[] {0, 0, 0, 0, 22, 2}))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("no generated SpecificRecord class no.such.Nope");
  }

  @Test
  void unregisteredSchemaWithAutoRegisterOffIsASerializationError() {
    registry.on("POST", "/subjects/interactions-value", 404,
        "{\"error_code\":40403,\"message\":\"Schema not found\"}");
    AvroSerializer<Interaction> s = new AvroSerializer<>();
    s.configure(Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL, registry.url(),
        AvroSerdeConfig.AUTO_REGISTER_SCHEMAS, false), false);
    assertThatThrownBy(() -> s.serialize("interactions",
        new Interaction("e", "u", "i", Instant.EPOCH, null, null, null)))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("subject 'interactions-value'")
        .hasMessageContaining("Schema not found");
    assertThat(registry.requests()).extracting(ScriptedHttpServer.Request::path)
        .containsExactly("/subjects/interactions-value");
  }
}
