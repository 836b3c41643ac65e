package dev.crane.embedded.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crane.schemas.TopicSetup;
import dev.crane.schemas.Topics;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedKafkaBrokerTest {
  @TempDir Path dir;

  @Test
  void createsTopicsAndKeepsRecordsAcrossRestart() throws Exception {
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dir, Map.of());
         Admin admin = admin(broker)) {
      List<String> created = TopicSetup.ensureTopics(admin, 3, (short) 1);
      assertThat(created).containsExactlyInAnyOrderElementsOf(
          Topics.ALL.stream().map(Topics.Spec::name).toList());
      assertThat(TopicSetup.ensureTopics(admin, 3, (short) 1)).isEmpty();
      // Instances started together list the same missing topics: the later creation is no failure,
      // any other refusal still is.
      assertThat(TopicSetup.createMissing(admin, List.of(new org.apache.kafka.clients.admin.NewTopic(
          Topics.INTERACTIONS, 3, (short) 1)))).isEmpty();
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> TopicSetup.createMissing(admin, List.of(
          new org.apache.kafka.clients.admin.NewTopic("crane-bad-replication", 1, (short) 3))))
          .isInstanceOf(java.util.concurrent.ExecutionException.class);

      Map<String, TopicDescription> desc = admin.describeTopics(
          List.of(Topics.INTERACTIONS, Topics.SNAPSHOTS)).allTopicNames().get();
      assertThat(desc.get(Topics.INTERACTIONS).partitions()).hasSize(3);
      assertThat(desc.get(Topics.SNAPSHOTS).partitions()).hasSize(1);
      var items = new ConfigResource(ConfigResource.Type.TOPIC, Topics.ITEMS);
      assertThat(admin.describeConfigs(List.of(items)).all().get().get(items)
          .get("cleanup.policy").value()).isEqualTo("compact");

      try (var producer = producer(broker)) {
        for (int i = 0; i < 10; i++) {
          producer.send(new ProducerRecord<>(Topics.INTERACTIONS, "u" + i, "v" + i)).get();
        }
      }
    }
    // Same directory: the broker comes back with the records it had.
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dir, Map.of())) {
      assertThat(readAll(broker, Topics.INTERACTIONS, 10)).hasSize(10);
    }
  }

  @Test
  void startsOnOtherPortsWhenItsFirstPortIsTaken() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      // The first probe hands out a port someone else holds, as when another socket binds it in between.
      int[] calls = {0};
      EmbeddedKafkaBroker.PortSource ports = () -> calls[0]++ == 0 ? taken.getLocalPort() : EmbeddedKafkaBroker.freePort();
      try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dir, Map.of(), ports);
           Admin admin = admin(broker)) {
        assertThat(broker.bootstrapServers()).isNotEqualTo("127.0.0.1:" + taken.getLocalPort());
        assertThat(calls[0]).as("ports drawn: two per attempt").isEqualTo(4);
        assertThat(admin.describeCluster().nodes().get()).hasSize(1);
      }
    }
  }

  private static Admin admin(EmbeddedKafkaBroker broker) {
    return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
  }

  private static KafkaProducer<String, String> producer(EmbeddedKafkaBroker broker) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
  }

  private static List<String> readAll(EmbeddedKafkaBroker broker, String topic, int expected) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "test-reader");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    List<String> values = new ArrayList<>();
    try (var consumer = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
      consumer.subscribe(List.of(topic));
      long deadline = System.currentTimeMillis() + 30_000;
      while (values.size() < expected && System.currentTimeMillis() < deadline) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
          values.add(r.value());
        }
      }
    }
    return values;
  }
}
