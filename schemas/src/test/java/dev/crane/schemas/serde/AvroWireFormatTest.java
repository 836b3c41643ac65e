package dev.crane.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.crane.schemas.avro.Interaction;
import dev.crane.schemas.avro.Split;
import dev.crane.schemas.testing.ScriptedHttpServer;
import java.time.Instant;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Pins the exact bytes on the wire: magic byte 0, big-endian schema id, Avro binary. A change here
 * breaks every consumer of the topics (and Confluent's serdes), so the expected arrays are spelled
 * out by hand rather than produced by the code under test.
 */
class AvroWireFormatTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** 0x01020304: every header byte differs, so byte order mistakes show. */
  private static final int ID = 0x01020304;

  private static final Interaction FULL = new Interaction("e1", "u7", "i42",
      Instant.ofEpochMilli(1_700_000_000_000L), 1.5f, "click", Split.TRAIN);

  private static final byte[] FULL_BYTES = bytes(
      0x00, 0x01, 0x02, 0x03, 0x04,             // magic byte, schema id big-endian
      0x04, 'e', '1',                            // eventId: zigzag length 2, UTF-8
      0x04, 'u', '7',                            // userId
      0x06, 'i', '4', '2',                       // itemId
      0x80, 0xa0, 0xab, 0xfe, 0xf9, 0x62,        // eventTime 1700000000000 ms, zigzag varint
      0x02, 0x00, 0x00, 0xc0, 0x3f,              // weight: union branch 1 (float), 1.5f little-endian
      0x02, 0x0a, 'c', 'l', 'i', 'c', 'k',       // type: branch 1 (string) "click"
      0x02, 0x00);                               // split: branch 1 (enum) symbol 0 TRAIN

  private static final byte[] NULLS_BYTES = bytes(
      0x00, 0x00, 0x00, 0x00, 0x07,
      0x04, 'e', '2', 0x04, 'u', '1', 0x04, 'i', '1',
      0x00,                                      // eventTime 0
      0x00, 0x00, 0x00);                         // weight, type, split: union branch 0 (null)

  private final ScriptedHttpServer registry = ScriptedHttpServer.start();

  @AfterEach
  void stop() {
    registry.close();
  }

  private Map<String, Object> config(boolean specific) {
    return Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL, registry.url(),
        AvroSerdeConfig.SPECIFIC_AVRO_READER, specific);
  }

  @Test
  void serializerWritesConfluentFraming() {
    registry.on("POST", "/subjects/interactions-value/versions", 200, "{\"id\":" + ID + "}");
    registry.on("POST", "/subjects/interactions-key/versions", 200, "{\"id\":7}");
    AvroSerializer<Interaction> values = new AvroSerializer<>();
    values.configure(config(false), false);
    AvroSerializer<Interaction> keys = new AvroSerializer<>();
    keys.configure(config(false), true);

    assertThat(values.serialize("interactions", FULL)).containsExactly(FULL_BYTES);
    Interaction sparse = new Interaction("e2", "u1", "i1", Instant.EPOCH, null, null, null);
    assertThat(keys.serialize("interactions", sparse)).containsExactly(NULLS_BYTES);
    assertThat(values.serialize("interactions", null)).isNull();
  }

  @Test
  void deserializerReadsHandBuiltBytesAsSpecificOrGeneric() throws Exception {
    registry.on("GET", "/schemas/ids/" + ID, 200,
        JSON.writeValueAsString(Map.of("schema", Interaction.getClassSchema().toString())));
    AvroDeserializer<Interaction> specific = new AvroDeserializer<>();
    specific.configure(config(true), false);
    AvroDeserializer<GenericRecord> generic = new AvroDeserializer<>();
    generic.configure(config(false), false);

    assertThat(specific.deserialize("interactions", FULL_BYTES)).isEqualTo(FULL);
    GenericRecord g = generic.deserialize("interactions", FULL_BYTES);
    assertThat(g).isNotInstanceOf(Interaction.class);
    assertThat(g.get("userId")).isEqualTo("u7");
    assertThat(g.get("eventTime")).isEqualTo(1_700_000_000_000L);
    assertThat(g.get("split").toString()).isEqualTo("TRAIN");
    assertThat(specific.deserialize("interactions", null)).isNull();
  }

  @Test
  void headerIdIsReadBigEndian() {
    assertThat(WireFormat.schemaId("t", FULL_BYTES)).isEqualTo(ID);
    assertThat(WireFormat.schemaId("t", bytes(0, 0xff, 0xff, 0xff, 0xfe))).isEqualTo(-2);
    byte[] header = new byte[5];
    WireFormat.writeHeader(header, 0x7f00ff01);
    assertThat(header).containsExactly(bytes(0x00, 0x7f, 0x00, 0xff, 0x01));
  }

  static byte[] bytes(int... values) {
    byte[] b = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      b[i] = (byte) values[i];
    }
    return b;
  }
}
