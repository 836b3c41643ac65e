package dev.crane.embedded;

import dev.crane.embedded.kafka.EmbeddedKafkaBroker;
import dev.crane.embedded.registry.LocalSchemaRegistry;
import dev.crane.schemas.TopicSetup;
import dev.crane.schemas.registry.CompatibilityLevel;
import dev.crane.schemas.registry.SchemaRegistryClient;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded default's infrastructure in one object: a single-node KRaft broker in this JVM, a
 * real schema-registry server beside it, and the topics of design.md. The main job and the
 * integration tests (one per test class) use it; {@link #close()} stops everything.
 */
public final class EmbeddedRuntime implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedRuntime.class);

  private final EmbeddedKafkaBroker broker;
  private final LocalSchemaRegistry registry;

  private EmbeddedRuntime(EmbeddedKafkaBroker broker, LocalSchemaRegistry registry) {
    this.broker = broker;
    this.registry = registry;
  }

  /**
   * Starts the registry and the broker side by side, then creates the topics.
   *
   * @param dataDir broker log directory and registry work directory; reused if it exists
   * @param partitions partitions of each (non-manifest) topic
   */
  public static EmbeddedRuntime start(Path dataDir, int partitions) {
    long t0 = System.nanoTime();
    // The registry is a child JVM that needs ~10 s: start it while the broker comes up.
    CompletableFuture<LocalSchemaRegistry> registryStart = CompletableFuture.supplyAsync(
        () -> LocalSchemaRegistry.start(LocalSchemaRegistry.Options.defaults().withLogDir(dataDir.resolve("registry-logs"))));
    EmbeddedKafkaBroker broker = null;
    LocalSchemaRegistry registry = null;
    try {
      broker = EmbeddedKafkaBroker.start(dataDir.resolve("kafka"), Map.of());
      try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
        List<String> created = TopicSetup.ensureTopics(admin, partitions, (short) 1);
        LOG.info("Topics created: {}", created);
      }
      registry = registryStart.join();
      // Confluent's registry enforces BACKWARD by default, Apicurio nothing until told.
      SchemaRegistryClient.create(registry.url()).setGlobalCompatibility(CompatibilityLevel.BACKWARD);
    } catch (RuntimeException e) {
      if (broker != null) {
        broker.close();
      }
      registryStart.thenAccept(LocalSchemaRegistry::close);
      throw e instanceof CompletionException && e.getCause() instanceof RuntimeException r ? r : e;
    }
    LOG.info("Embedded runtime ready in {} ms: Kafka {} , schema registry {}",
        (System.nanoTime() - t0) / 1_000_000, broker.bootstrapServers(), registry.url());
    return new EmbeddedRuntime(broker, registry);
  }

  public String bootstrapServers() {
    return broker.bootstrapServers();
  }

  /** Base URL of the registry's Confluent-compatible API, for {@code schema.registry.url}. */
  public String schemaRegistryUrl() {
    return registry.url();
  }

  public Admin admin() {
    return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()));
  }

  @Override
  public void close() {
    try {
      broker.close();
    } finally {
      registry.close();
    }
  }
}
