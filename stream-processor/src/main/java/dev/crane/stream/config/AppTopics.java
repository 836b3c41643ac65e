package dev.crane.stream.config;

import dev.crane.schemas.TopicSetup;
import dev.crane.schemas.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;

/**
 * Creates the topics this application needs: the shared ones of design.md (if missing) and its own
 * (item increments and snapshot requests with as many partitions as the interactions topic, so
 * that request p reaches the task of interactions partition p; snapshot parts with one).
 */
public final class AppTopics {
  private AppTopics() {}

  /** Item degree increments, keyed (and so partitioned) by item id. */
  public static String itemDeltaTopic(String applicationId) {
    return applicationId + "-item-deltas";
  }

  /** Coordinator to tasks: "cut your part of snapshot v" (one record per input partition). */
  public static String requestsTopic(String applicationId) {
    return applicationId + "-snapshot-requests";
  }

  /** Tasks to coordinator: "my part of v is written" and "I have many new interactions". */
  public static String partsTopic(String applicationId) {
    return applicationId + "-snapshot-parts";
  }

  /** Partitions of a topic, waiting out the moment after creation when the broker does not know it yet. */
  static int partitionsOf(Admin admin, String topic) throws InterruptedException, ExecutionException {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (true) {
      try {
        return admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException)
            || System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(200);
      }
    }
  }

  /** @return the number of partitions of the interactions topic */
  public static int ensure(Admin admin, String applicationId, int partitionsIfMissing) {
    try {
      TopicSetup.ensureTopics(admin, partitionsIfMissing, (short) 1);
      int p = partitionsOf(admin, Topics.INTERACTIONS);
      Set<String> existing = admin.listTopics().names().get();
      Map<String, String> keep7d = Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE,
          TopicConfig.RETENTION_MS_CONFIG, Long.toString(7L * 24 * 3600 * 1000));
      List<NewTopic> missing = new ArrayList<>();
      for (NewTopic t : List.of(
          new NewTopic(itemDeltaTopic(applicationId), p, (short) 1).configs(keep7d),
          new NewTopic(requestsTopic(applicationId), p, (short) 1).configs(keep7d),
          new NewTopic(partsTopic(applicationId), 1, (short) 1).configs(keep7d))) {
        if (!existing.contains(t.name())) {
          missing.add(t);
        }
      }
      TopicSetup.createMissing(admin, missing);
      int requests = partitionsOf(admin, requestsTopic(applicationId));
      if (requests != p) {
        throw new IllegalStateException("topic " + requestsTopic(applicationId) + " has " + requests
            + " partitions but " + Topics.INTERACTIONS + " has " + p + "; they must match (recreate it)");
      }
      return p;
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot set up topics: " + e.getCause().getMessage(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while setting up topics", e);
    }
  }
}
