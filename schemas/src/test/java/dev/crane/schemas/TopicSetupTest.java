package dev.crane.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;

class TopicSetupTest {
  private static Map<String, String> configOf(String topic) {
    return TopicSetup.configOf(Topics.ALL.stream().filter(s -> s.name().equals(topic)).findFirst().orElseThrow());
  }

  @Test
  void manifestsMayCarryTheirContentProjectionsOthersKeepTheBrokerDefault() {
    assertThat(configOf(Topics.MODEL_VERSIONS))
        .containsEntry(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(16 << 20))
        .containsEntry(TopicConfig.RETENTION_MS_CONFIG, "-1");
    assertThat(configOf(Topics.ITEM_EMBEDDINGS))
        .containsEntry(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)
        .doesNotContainKey(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
    assertThat(configOf(Topics.INTERACTIONS)).containsEntry(TopicConfig.RETENTION_MS_CONFIG, "-1");
  }
}
