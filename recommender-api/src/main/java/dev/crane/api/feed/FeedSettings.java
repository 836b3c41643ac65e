package dev.crane.api.feed;

import java.util.Map;

/**
 * Where the feeds read from.
 *
 * @param kafka extra consumer settings (the config's {@code kafka.*} keys)
 */
public record FeedSettings(String bootstrapServers, String schemaRegistryUrl, Map<String, String> kafka) {
  public FeedSettings {
    kafka = Map.copyOf(kafka);
  }

  /** The Avro deserializers' configuration. */
  public Map<String, Object> serdeConfig() {
    return Map.of("schema.registry.url", schemaRegistryUrl);
  }
}
