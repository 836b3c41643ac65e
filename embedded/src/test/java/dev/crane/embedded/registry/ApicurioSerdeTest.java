package dev.crane.embedded.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.crane.schemas.Vectors;
import dev.crane.schemas.avro.Interaction;
import dev.crane.schemas.avro.ItemFeatures;
import dev.crane.schemas.avro.Split;
import dev.crane.schemas.registry.CompatibilityLevel;
import dev.crane.schemas.registry.SchemaRegistryClient;
import dev.crane.schemas.serde.AvroDeserializer;
import dev.crane.schemas.serde.AvroSerdeConfig;
import dev.crane.schemas.serde.AvroSerdes;
import dev.crane.schemas.serde.AvroSerializer;
import dev.crane.schemas.serde.WireFormat;
import dev.crane.embedded.kafka.EmbeddedKafkaBroker;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.io.TempDir;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericContainer;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Serdes through a real Apicurio Registry: what one side registers, a fresh other side reads. */
class ApicurioSerdeTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static LocalSchemaRegistry registry;
  @TempDir static Path brokerDir;

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

  @Test
  void kafkaClientsConfiguredByClassNameRoundTripThroughABroker() throws Exception {
    // How a deployment wires serdes: class names plus Confluent's keys in the client config.
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(brokerDir, Map.of())) {
      List<Interaction> sent = new ArrayList<>();
      Properties p = new Properties();
      p.putAll(config());
      p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
      p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
      p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, AvroSerializer.class.getName());
      try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
           KafkaProducer<String, Interaction> producer = new KafkaProducer<>(p)) {
        admin.createTopics(List.of(new NewTopic("kafka-interactions", 2, (short) 1))).all().get();
        for (int i = 0; i < 100; i++) {
          Interaction in = new Interaction("e" + i, "u" + (i % 7), "i" + i, Instant.ofEpochMilli(i), null,
              i % 2 == 0 ? "click" : null, Split.TRAIN);
          sent.add(in);
          producer.send(new ProducerRecord<>("kafka-interactions", in.getUserId(), in)).get();
        }
      }
      Properties c = new Properties();
      c.putAll(config(AvroSerdeConfig.SPECIFIC_AVRO_READER, true));
      c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
      c.put(ConsumerConfig.GROUP_ID_CONFIG, "serde-test");
      c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
      c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
      c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, AvroDeserializer.class.getName());
      List<Interaction> received = new ArrayList<>();
      try (KafkaConsumer<String, Interaction> consumer = new KafkaConsumer<>(c)) {
        consumer.subscribe(List.of("kafka-interactions"));
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (received.size() < sent.size() && System.nanoTime() < deadline) {
          consumer.poll(Duration.ofMillis(200)).forEach(r -> received.add(r.value()));
        }
      }
      assertThat(received).containsExactlyInAnyOrderElementsOf(sent);
    }
  }

  private static Map<String, Object> config(Object... extra) {
    Map<String, Object> c = new java.util.HashMap<>();
    c.put(AvroSerdeConfig.SCHEMA_REGISTRY_URL, registry.url());
    for (int i = 0; i < extra.length; i += 2) {
      c.put((String) extra[i], extra[i + 1]);
    }
    return c;
  }

  private static <T extends GenericContainer> AvroSerializer<T> serializer(boolean isKey, Object... extra) {
    AvroSerializer<T> s = new AvroSerializer<>();
    s.configure(config(extra), isKey);
    return s;
  }

  private static <T> AvroDeserializer<T> freshDeserializer(boolean specific) {
    AvroDeserializer<T> d = new AvroDeserializer<>();
    d.configure(config(AvroSerdeConfig.SPECIFIC_AVRO_READER, specific), false);
    return d;
  }

  private static JsonNode get(String path) throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(registry.url() + path)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as("GET %s: %s", path, r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  @Test
  void serializedRecordReadsBackThroughAFreshDeserializer() throws Exception {
    Interaction in = new Interaction("e-1", "u-1", "i-1", Instant.parse("2024-05-01T10:00:00.123Z"),
        0.5f, "purchase", Split.VALID);
    AvroSerializer<Interaction> serializer = serializer(false);

    byte[] bytes = serializer.serialize("interactions", in);

    // Registered under TopicNameStrategy, visible through the registry's own Confluent API.
    assertThat(get("/subjects")).extracting(JsonNode::asText).contains("interactions-value");
    JsonNode latest = get("/subjects/interactions-value/versions/latest");
    assertThat(new Schema.Parser().parse(latest.get("schema").asText())).isEqualTo(Interaction.getClassSchema());
    assertThat(bytes[0]).isEqualTo(WireFormat.MAGIC_BYTE);
    assertThat(WireFormat.schemaId("interactions", bytes)).isEqualTo(latest.get("id").asInt());

    Interaction specific = this.<Interaction>freshDeserializer(true).deserialize("interactions", bytes);
    assertThat(specific).isEqualTo(in);
    GenericRecord generic = this.<GenericRecord>freshDeserializer(false).deserialize("interactions", bytes);
    assertThat(generic).isNotInstanceOf(Interaction.class);
    assertThat(generic.get("type")).isEqualTo("purchase");
    assertThat(generic.get("eventTime")).isEqualTo(in.getEventTime().toEpochMilli());
  }

  @Test
  void keysUseTheKeySubject() throws Exception {
    Schema key = SchemaBuilder.record("UserKey").namespace("test.serde").fields().requiredString("userId").endRecord();
    AvroSerializer<GenericRecord> s = serializer(true);
    byte[] bytes = s.serialize("keyed", new GenericRecordBuilder(key).set("userId", "u9").build());

    assertThat(get("/subjects")).extracting(JsonNode::asText).contains("keyed-key").doesNotContain("keyed-value");
    AvroDeserializer<GenericRecord> d = new AvroDeserializer<>();
    d.configure(config(), true);
    // No avro.java.string hint in this schema: generic strings come back as Avro's Utf8.
    assertThat(d.deserialize("keyed", bytes).get("userId")).hasToString("u9");
  }

  @Test
  void largeVectorRecordsRoundTrip() {
    float[] visual = new float[4096];
    Random rnd = new Random(1);
    for (int i = 0; i < visual.length; i++) {
      visual[i] = rnd.nextFloat();
    }
    ItemFeatures in = new ItemFeatures("item-1", List.of(Vectors.floatVector("visual", visual, 0, 4096),
        Vectors.floatVector("text", new float[] {1, 2, 3}, 0, 3)), Instant.ofEpochMilli(42));
    var serde = AvroSerdes.specific(ItemFeatures.class, config(), false);

    byte[] bytes = serde.serializer().serialize("items", in);
    ItemFeatures out = this.<ItemFeatures>freshDeserializer(true).deserialize("items", bytes);

    assertThat(out).isEqualTo(in);
    assertThat(Vectors.floats(out.getFeatures().get(0))).containsExactly(visual);
  }

  @Test
  void dataWrittenWithAnOlderSchemaReadsIntoTheCurrentClass() {
    // Interaction as it was before the optional weight/type/split fields.
    Schema v0 = SchemaBuilder.record("Interaction").namespace("dev.crane.schemas.avro").fields()
        .requiredString("eventId").requiredString("userId").requiredString("itemId")
        .name("eventTime").type(org.apache.avro.LogicalTypes.timestampMillis()
            .addToSchema(Schema.create(Schema.Type.LONG))).noDefault()
        .endRecord();
    AvroSerializer<GenericRecord> old = serializer(false);
    byte[] oldBytes = old.serialize("evolving", new GenericRecordBuilder(v0)
        .set("eventId", "e0").set("userId", "u0").set("itemId", "i0").set("eventTime", 7L).build());

    // The registry's BACKWARD check agrees with COMPATIBILITY.md: the current schema may follow v0.
    SchemaRegistryClient client = SchemaRegistryClient.create(registry.url());
    client.setCompatibility("evolving-value", CompatibilityLevel.BACKWARD);
    Interaction current = new Interaction("e1", "u1", "i1", Instant.ofEpochMilli(8), 2f, "click", Split.TEST);
    byte[] newBytes = serializer(false).serialize("evolving", current);
    assertThat(WireFormat.schemaId("evolving", newBytes)).isNotEqualTo(WireFormat.schemaId("evolving", oldBytes));

    AvroDeserializer<Interaction> reader = new AvroDeserializer<>(Interaction.class);
    reader.configure(config(), false);
    assertThat(reader.deserialize("evolving", oldBytes))
        .isEqualTo(new Interaction("e0", "u0", "i0", Instant.ofEpochMilli(7), null, null, null));
    assertThat(reader.deserialize("evolving", newBytes)).isEqualTo(current);
  }

  @Test
  void withoutAutoRegisterOnlyRegisteredSchemasAreWritten() {
    Interaction in = new Interaction("e", "u", "i", Instant.ofEpochMilli(1), null, null, null);
    AvroSerializer<Interaction> strict = serializer(false, AvroSerdeConfig.AUTO_REGISTER_SCHEMAS, false);
    assertThatThrownBy(() -> strict.serialize("locked", in))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("subject 'locked-value'");

    int id = SchemaRegistryClient.create(registry.url()).register("locked-value", Interaction.getClassSchema());
    assertThat(WireFormat.schemaId("locked", strict.serialize("locked", in))).isEqualTo(id);
    AvroSerializer<Interaction> latest = serializer(false, AvroSerdeConfig.AUTO_REGISTER_SCHEMAS, false,
        AvroSerdeConfig.USE_LATEST_VERSION, true);
    assertThat(WireFormat.schemaId("locked", latest.serialize("locked", in))).isEqualTo(id);
  }

  @Test
  void corruptBytesAreSerializationErrors() {
    byte[] good = serializer(false).serialize("corrupt",
        new Interaction("e", "u", "i", Instant.ofEpochMilli(1), null, "x", null));
    AvroDeserializer<Interaction> d = freshDeserializer(true);
    byte[] unknownId = good.clone();
    unknownId[1] = 0x7f;
    assertThatThrownBy(() -> d.deserialize("corrupt", unknownId))
        .isInstanceOf(SerializationException.class).hasMessageContaining("unknown schema id");
    assertThatThrownBy(() -> d.deserialize("corrupt", java.util.Arrays.copyOf(good, good.length - 1)))
        .isInstanceOf(SerializationException.class).hasMessageContaining("truncated");
  }
}
