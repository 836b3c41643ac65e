package dev.crane.schemas;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;

/** Creates the topics of {@link Topics#ALL} that do not exist yet; existing ones are left alone. */
public final class TopicSetup {
  private TopicSetup() {}

  /**
   * Compacted topics keep the latest value per key; the others keep everything (retention -1):
   * interactions are the system's source of truth and must never expire under it.
   */
  static Map<String, String> configOf(Topics.Spec spec) {
    Map<String, String> config = new HashMap<>();
    if (spec.compacted()) {
      config.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
    } else {
      config.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE);
      config.put(TopicConfig.RETENTION_MS_CONFIG, "-1");
    }
    if (spec.maxMessageBytes() > 0) {
      config.put(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(spec.maxMessageBytes()));
    }
    return Map.copyOf(config);
  }

  /**
   * Creates the topics, taking one that another process created in the meantime as created (instances
   * started together race from the same listing).
   *
   * @return the topics this call created
   */
  public static List<String> createMissing(Admin admin, List<NewTopic> topics)
      throws InterruptedException, ExecutionException {
    List<String> created = new ArrayList<>();
    var results = admin.createTopics(topics).values();
    for (NewTopic t : topics) {
      try {
        results.get(t.name()).get();
        created.add(t.name());
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof org.apache.kafka.common.errors.TopicExistsException)) {
          throw e;
        }
      }
    }
    return created;
  }

  /**
   * @param partitions partitions of every topic (the interactions topic bounds the stream
   *     processor's parallelism)
   * @return the topics that were created
   */
  public static List<String> ensureTopics(Admin admin, int partitions, short replication) {
    try {
      Set<String> existing = admin.listTopics().names().get();
      List<NewTopic> missing = new ArrayList<>();
      for (Topics.Spec spec : Topics.ALL) {
        if (!existing.contains(spec.name())) {
          missing.add(new NewTopic(spec.name(), spec.ordered() ? 1 : partitions, replication)
              .configs(configOf(spec)));
        }
      }
      return createMissing(admin, missing);
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot create topics: " + e.getCause().getMessage(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topics", e);
    }
  }
}
