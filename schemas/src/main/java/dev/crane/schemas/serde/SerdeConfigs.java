package dev.crane.schemas.serde;

import dev.crane.schemas.registry.SchemaRegistryClient;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Collectors;

final class SerdeConfigs {
  private SerdeConfigs() {}

  /** With an injected client the URL is known: fill it in so the config does not demand it. */
  static Map<String, ?> withUrlOf(SchemaRegistryClient client, Map<String, ?> configs) {
    if (client == null || configs.containsKey(AvroSerdeConfig.SCHEMA_REGISTRY_URL)) {
      return configs;
    }
    Map<String, Object> copy = new HashMap<>(configs);
    copy.put(AvroSerdeConfig.SCHEMA_REGISTRY_URL,
        client.settings().urls().stream().map(URI::toString).collect(Collectors.joining(",")));
    return copy;
  }
}
