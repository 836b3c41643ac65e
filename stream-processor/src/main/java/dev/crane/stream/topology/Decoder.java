package dev.crane.stream.topology;

import dev.crane.schemas.serde.AvroDeserializer;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Avro decoding that tells the record's fault (a SerializationException, dead-lettered by the
 * caller) from the registry's (retried here for a while, then {@link RegistryUnavailableException}).
 */
final class Decoder<T> {
  private final AvroDeserializer<T> deserializer;
  private final Duration retryFor;

  Decoder(Class<T> type, Map<String, Object> serdeConfig, Duration retryFor) {
    this.deserializer = new AvroDeserializer<>(type);
    this.deserializer.configure(serdeConfig, false);
    this.retryFor = retryFor;
  }

  /** @throws SerializationException when the bytes are bad (not when the registry is down) */
  T decode(String topic, byte[] data) {
    long deadline = System.nanoTime() + retryFor.toNanos();
    long pause = 200;
    while (true) {
      try {
        return deserializer.deserialize(topic, data);
      } catch (SerializationException e) {
        if (!AvroDeserializer.isRegistryUnavailable(e)) {
          throw e;
        }
        if (System.nanoTime() > deadline) {
          throw new RegistryUnavailableException("schema registry unavailable for " + retryFor.toSeconds()
              + " s while decoding a record of topic " + topic + "; the record is not dead-lettered", e);
        }
        try {
          Thread.sleep(pause);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw new RegistryUnavailableException("interrupted while waiting for the schema registry", e);
        }
        pause = Math.min(pause * 2, 5000);
      }
    }
  }
}
