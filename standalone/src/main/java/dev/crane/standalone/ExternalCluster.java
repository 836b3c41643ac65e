package dev.crane.standalone;

import dev.crane.ops.kafka.KafkaClientDefaults;
import dev.crane.schemas.TopicSetup;
import dev.crane.schemas.Topics;
import dev.crane.schemas.registry.SchemaRegistryClient;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

/**
 * A user's own Kafka cluster and schema registry instead of the embedded ones: both must answer, the
 * topics are created where missing, and they must be empty, because the walkthrough counts and numbers
 * what it sends (snapshot v1, model version 1) from a fresh start.
 */
final class ExternalCluster {
  /** How long an unreachable broker may take to say so. */
  private static final int TIMEOUT_MS = 20_000;

  private ExternalCluster() {}

  /** @return the topics this call created */
  static List<String> prepare(Cluster cluster, int partitions) throws InterruptedException {
    try {
      SchemaRegistryClient.create(cluster.schemaRegistryUrl()).subjects();
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("--schema-registry-url " + cluster.schemaRegistryUrl()
          + ": no Confluent-compatible registry answers there (" + e.getMessage() + ")", e);
    }
    Map<String, Object> c = KafkaClientDefaults.common();
    c.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
    c.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, TIMEOUT_MS);
    c.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, TIMEOUT_MS);
    try (Admin admin = Admin.create(c)) {
      admin.describeCluster().clusterId().get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
      List<String> created = TopicSetup.ensureTopics(admin, partitions, (short) 1);
      var parts = admin.describeTopics(Topics.ALL.stream().map(Topics.Spec::name).toList()).allTopicNames()
          .get().values().stream().flatMap(d -> d.partitions().stream()
              .map(p -> new TopicPartition(d.name(), p.partition())))
          .collect(java.util.stream.Collectors.toMap(tp -> tp, tp -> OffsetSpec.latest()));
      var written = admin.listOffsets(parts).all().get().entrySet().stream()
          .filter(e -> e.getValue().offset() > 0).map(e -> e.getKey().topic()).distinct().sorted().toList();
      if (!written.isEmpty()) {
        throw new IllegalArgumentException("--bootstrap-servers " + cluster.bootstrapServers() + ": the topics "
            + written + " already hold records; the walkthrough starts from empty topics (a fresh cluster)");
      }
      return created;
    } catch (ExecutionException | TimeoutException e) {
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      throw new IllegalArgumentException("--bootstrap-servers " + cluster.bootstrapServers()
          + ": no Kafka cluster answers there within " + TIMEOUT_MS / 1000 + " s (" + cause + ")", cause);
    }
  }
}
