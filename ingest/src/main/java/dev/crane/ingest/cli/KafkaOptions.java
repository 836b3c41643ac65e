package dev.crane.ingest.cli;

import dev.crane.ingest.publish.ProducerFactory;
import dev.crane.ops.connect.Reachability;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.Producer;
import picocli.CommandLine.Option;

/** Where to publish: flags, with environment variables as defaults (for containers). */
final class KafkaOptions {
  @Option(names = "--bootstrap-servers", defaultValue = "${env:CRANE_BOOTSTRAP_SERVERS:-localhost:9092}",
      description = "Kafka bootstrap servers (env CRANE_BOOTSTRAP_SERVERS). Default: ${DEFAULT-VALUE}")
  String bootstrapServers;

  @Option(names = "--schema-registry-url", defaultValue = "${env:CRANE_SCHEMA_REGISTRY_URL:-http://localhost:8081}",
      description = "Confluent-compatible schema registry URL (env CRANE_SCHEMA_REGISTRY_URL). Default: ${DEFAULT-VALUE}")
  String schemaRegistryUrl;

  @Option(names = "--producer-config", paramLabel = "FILE",
      description = "Properties file with extra producer/serializer settings (they win over the defaults).")
  Path producerConfig;

  @Option(names = "--connect-timeout", paramLabel = "SECONDS", defaultValue = "${env:CRANE_CONNECT_TIMEOUT:-15}",
      description = "Give up when the broker or the registry does not answer within this time (env CRANE_CONNECT_TIMEOUT)."
          + " Default: ${DEFAULT-VALUE}")
  int connectTimeoutSeconds;

  /** Fails fast, in one line naming the address and the flag, when the broker or the registry is down. */
  void checkReachable() {
    if (connectTimeoutSeconds < 1) {
      throw new IllegalArgumentException("--connect-timeout must be >= 1 second, got " + connectTimeoutSeconds);
    }
    Duration timeout = Duration.ofSeconds(connectTimeoutSeconds);
    Reachability.kafka(bootstrapServers, timeout, "--bootstrap-servers or CRANE_BOOTSTRAP_SERVERS");
    Reachability.registry(schemaRegistryUrl, timeout, "--schema-registry-url or CRANE_SCHEMA_REGISTRY_URL");
  }

  Producer<String, SpecificRecord> producer() throws IOException {
    Map<String, Object> overrides = new HashMap<>();
    if (producerConfig != null) {
      Properties p = new Properties();
      try (InputStream in = Files.newInputStream(producerConfig)) {
        p.load(in);
      }
      p.forEach((k, v) -> overrides.put(k.toString(), v));
    }
    return ProducerFactory.create(bootstrapServers, schemaRegistryUrl, overrides);
  }
}
