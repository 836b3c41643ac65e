package dev.crane.trainer.cli;

import dev.crane.ops.kafka.KafkaClientDefaults;
import dev.crane.schemas.Topics;
import dev.crane.schemas.avro.ModelStatus;
import dev.crane.schemas.avro.ModelVersion;
import dev.crane.schemas.avro.SnapshotManifest;
import dev.crane.trainer.publish.ManifestLog;
import dev.crane.trainer.publish.SnapshotLog;
import dev.crane.trainer.service.ServiceConfig;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code trainer status}: what is served and what the trainer did last, read from the topics. */
@Command(name = "status", mixinStandardHelpOptions = true,
    description = "Show the serving model version (its metrics and age), the last gate decision and why, and the last "
        + "snapshot the trainer service has handled against the newest one; read from the topics, so it works from any host.")
public final class StatusCommand implements Callable<Integer> {
  @Mixin ServiceOptions options;
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    ServiceConfig c = options.load();
    ServiceOptions.checkReachable(c);
    PrintWriter w = spec.commandLine().getOut();
    ManifestLog log = ManifestLog.read(c.bootstrapServers(), c.schemaRegistryUrl(), c.connectTimeout());
    Optional<ModelVersion> serving = log.serving();
    if (serving.isEmpty()) {
      w.println("serving version: none published yet");
    } else {
      ModelVersion v = serving.get();
      w.printf(Locale.ROOT, "serving version: %d (%s, snapshot v%s), published %s ago: %,d users, %,d items, dim %d%n",
          v.getVersion(), v.getModel(), v.getSnapshotVersion(), age(v.getCreatedAt()), v.getUserCount(), v.getItemCount(),
          v.getDim());
      w.printf(Locale.ROOT, "  holdout R@20 %s  N@20 %s   test R@20 %s  N@20 %s%n", metric(v, "holdout_recall@20"),
          metric(v, "holdout_ndcg@20"), metric(v, "test_recall@20"), metric(v, "test_ndcg@20"));
    }
    log.latest().ifPresent(last -> w.printf(Locale.ROOT, "last decision: version %d %s%s (%s ago)%n", last.getVersion(),
        last.getStatus() == ModelStatus.COMPLETE ? "published" : last.getStatus().name().toLowerCase(Locale.ROOT),
        last.getReason() == null ? "" : ": " + last.getReason(), age(last.getCreatedAt())));
    long[] snapshots = snapshotPositions(c);
    w.printf("snapshots: newest %s, last handled by the trainer (group %s) %s%n",
        snapshots[0] < 0 ? "none" : "v" + snapshots[0], c.groupId(), snapshots[1] < 0 ? "none" : "v" + snapshots[1]);
    w.flush();
    return 0;
  }

  private static String metric(ModelVersion v, String key) {
    Double x = v.getMetrics().get(key);
    return x == null ? "-" : String.format(Locale.ROOT, "%.4f", x);
  }

  private static String age(Instant t) {
    Duration d = Duration.between(t, Instant.now());
    return d.toDays() > 0 ? d.toDays() + " d" : d.toHours() > 0 ? d.toHours() + " h"
        : d.toMinutes() > 0 ? d.toMinutes() + " min" : d.toSeconds() + " s";
  }

  /** {newest snapshot version on the topic, version of the last one the group has handled}; -1 for none. */
  private static long[] snapshotPositions(ServiceConfig c) {
    SnapshotLog log = SnapshotLog.read(c.bootstrapServers(), c.schemaRegistryUrl(), c.connectTimeout());
    Map<String, Object> p = KafkaClientDefaults.common();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, c.bootstrapServers());
    TopicPartition tp = new TopicPartition(Topics.SNAPSHOTS, 0);
    try (Admin admin = Admin.create(p)) {
      OffsetAndMetadata done = admin.listConsumerGroupOffsets(c.groupId()).partitionsToOffsetAndMetadata()
          .get(c.connectTimeout().toMillis(), TimeUnit.MILLISECONDS).get(tp);
      return new long[] {log.newest().map(SnapshotManifest::getVersion).orElse(-1L),
          done == null ? -1 : log.before(done.offset()).map(SnapshotManifest::getVersion).orElse(-1L)};
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot read the offsets of group " + c.groupId() + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
