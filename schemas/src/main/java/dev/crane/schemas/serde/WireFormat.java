package dev.crane.schemas.serde;

import org.apache.kafka.common.errors.SerializationException;

/**
 * Confluent's framing of a Kafka record value or key: magic byte 0, the schema id as a 4-byte
 * big-endian int, then the Avro binary encoding of the datum (no Avro container header).
 */
public final class WireFormat {
  public static final byte MAGIC_BYTE = 0;
  public static final int HEADER_SIZE = 5;

  private WireFormat() {}

  /** Writes magic byte and id into {@code out[0..4]}. */
  public static void writeHeader(byte[] out, int schemaId) {
    out[0] = MAGIC_BYTE;
    out[1] = (byte) (schemaId >>> 24);
    out[2] = (byte) (schemaId >>> 16);
    out[3] = (byte) (schemaId >>> 8);
    out[4] = (byte) schemaId;
  }

  /**
   * The schema id of a framed payload, after checking its length and magic byte.
   *
   * @throws SerializationException when the bytes are not in this format
   */
  public static int schemaId(String topic, byte[] data) {
    if (data.length < HEADER_SIZE) {
      throw new SerializationException("Cannot deserialize record of topic '" + topic + "': "
          + data.length + " bytes is shorter than the " + HEADER_SIZE
          + "-byte header (magic byte + 4-byte schema id) of the Confluent wire format");
    }
    if (data[0] != MAGIC_BYTE) {
      throw new SerializationException(String.format("Cannot deserialize record of topic '%s': "
          + "unknown magic byte 0x%02x (expected 0x00); the data was not written by a "
          + "schema-registry Avro serializer", topic, data[0] & 0xff));
    }
    return ((data[1] & 0xff) << 24) | ((data[2] & 0xff) << 16) | ((data[3] & 0xff) << 8) | (data[4] & 0xff);
  }
}
