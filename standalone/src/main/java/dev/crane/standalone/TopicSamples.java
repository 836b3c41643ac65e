package dev.crane.standalone;

import dev.crane.schemas.serde.AvroDeserializer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.time.Duration;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/** A table of record counts per topic with the first record of each non-empty topic, decoded. */
final class TopicSamples {
  private static final int MAX_SAMPLE_CHARS = 150;

  private TopicSamples() {}

  static String render(Map<String, Long> counts, Cluster cluster) {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "  %-16s %10s  %s%n", "topic", "records", "first record"));
    counts.forEach((topic, n) -> sb.append(String.format(Locale.ROOT, "  %-16s %,10d  %s%n",
        topic, n, n > 0 ? firstRecord(topic, cluster) : "")));
    return sb.toString();
  }

  /** The record as JSON-like text, with packed vectors shown as their first values. */
  static String brief(Object value) {
    if (value instanceof GenericRecord rec) {
      boolean doubles = rec.getSchema().getName().equals("DoubleVector"); // float64 data, the profile sums
      StringBuilder sb = new StringBuilder("{");
      for (Schema.Field f : rec.getSchema().getFields()) {
        if (sb.length() > 1) {
          sb.append(", ");
        }
        Object v = rec.get(f.pos());
        sb.append(f.name()).append('=').append(doubles && v instanceof ByteBuffer b ? firstDouble(b) : brief(v));
      }
      return sb.append('}').toString();
    }
    if (value instanceof ByteBuffer buf) {
      FloatBuffer floats = buf.duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
      return floats.remaining() > 0
          ? String.format(Locale.ROOT, "[%.3f, …]", floats.get(0)) : "[]";
    }
    if (value instanceof List<?> list && list.size() > 3 && list.get(0) instanceof Number first) {
      return String.format(Locale.ROOT, "[%.3f, … %d values]", first.doubleValue(), list.size());
    }
    if (value instanceof List<?> list) {
      return list.stream().map(TopicSamples::brief).collect(Collectors.joining(", ", "[", "]"));
    }
    return String.valueOf(value);
  }

  private static String firstDouble(ByteBuffer buf) {
    var d = buf.duplicate().order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer();
    return d.remaining() > 0 ? String.format(Locale.ROOT, "[%.3f, …]", d.get(0)) : "[]";
  }

  private static String firstRecord(String topic, Cluster cluster) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put("enable.metrics.push", false);
    AvroDeserializer<Object> values = new AvroDeserializer<>();
    values.configure(Map.of("schema.registry.url", cluster.schemaRegistryUrl()), false);
    try (var consumer = new KafkaConsumer<>(p, new StringDeserializer(), values)) {
      TopicPartition first = new TopicPartition(topic, 0);
      consumer.assign(List.of(first));
      consumer.seekToBeginning(List.of(first));
      for (int i = 0; i < 25; i++) {
        for (var r : consumer.poll(Duration.ofMillis(200))) {
          String text = "key=" + r.key() + " " + brief(r.value());
          return text.length() > MAX_SAMPLE_CHARS ? text.substring(0, MAX_SAMPLE_CHARS) + "…" : text;
        }
      }
    }
    return "(none in partition 0)";
  }
}
