package dev.crane.standalone;

import dev.crane.ops.connect.Reachability;
import dev.crane.ops.kafka.KafkaClientDefaults;
import dev.crane.schemas.TopicSetup;
import dev.crane.schemas.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

/**
 * A user's own Kafka cluster and schema registry instead of the embedded ones: both must answer (else
 * the roles' usual "cannot reach" error and exit status), the topics are created where missing with the
 * cluster's default replication, and the ones already there must be empty, because the walkthrough counts
 * and numbers what it sends (snapshot v1, model version 1) from a fresh start.
 */
final class ExternalCluster {
  private static final Duration TIMEOUT = Duration.ofSeconds(20);

  private ExternalCluster() {}

  /** @return the topics this call created */
  static List<String> prepare(Cluster cluster, int partitions) throws InterruptedException {
    Reachability.registry(cluster.schemaRegistryUrl(), TIMEOUT, "--schema-registry-url");
    Reachability.kafka(cluster.bootstrapServers(), TIMEOUT, "--bootstrap-servers");
    Map<String, Object> c = KafkaClientDefaults.common();
    c.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
    c.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
    c.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
    try (Admin admin = Admin.create(c)) {
      // -1: the cluster's default.replication.factor (a real cluster's min.insync.replicas may need > 1)
      List<String> created = TopicSetup.ensureTopics(admin, partitions, (short) -1);
      List<String> existing = Topics.ALL.stream().map(Topics.Spec::name).filter(t -> !created.contains(t)).toList();
      if (existing.isEmpty()) {
        return created;
      }
      var parts = admin.describeTopics(existing).allTopicNames().get().values().stream()
          .flatMap(d -> d.partitions().stream().map(p -> new TopicPartition(d.name(), p.partition())))
          .collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.latest()));
      var written = admin.listOffsets(parts).all().get().entrySet().stream()
          .filter(e -> e.getValue().offset() > 0).map(e -> e.getKey().topic()).distinct().sorted().toList();
      if (!written.isEmpty()) {
        throw new IllegalArgumentException("--bootstrap-servers " + cluster.bootstrapServers() + ": the topics "
            + written + " already hold records; the walkthrough starts from empty topics (a fresh cluster)");
      }
      return created;
    } catch (ExecutionException e) {
      throw new IllegalStateException("--bootstrap-servers " + cluster.bootstrapServers()
          + ": cannot read the topics' offsets: " + e.getCause().getMessage(), e.getCause());
    }
  }
}
