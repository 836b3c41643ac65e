package dev.crane.stream.config;

import dev.crane.ops.kafka.KafkaClientDefaults;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;

/** The Kafka Streams settings this application runs with; {@code kafka.*} keys override them. */
public final class StreamsProperties {
  private StreamsProperties() {}

  public static Properties of(StreamConfig c) {
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, c.applicationId());
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, c.bootstrapServers());
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, Long.toString(c.commitInterval().toMillis()));
    p.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, Integer.toString(c.standbyReplicas()));
    p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, Integer.toString(c.streamThreads()));
    p.put(StreamsConfig.STATE_DIR_CONFIG, c.stateDir().toString());
    // Profile writes between commits collapse in the cache: 64 MB holds ~1,800 4480-d profiles.
    p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, Long.toString(64L * 1024 * 1024));
    // Interactions and snapshot requests share a task but need no relative order: never wait.
    p.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, "-1");
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
    // A snapshot part is written inside a transaction: allow it more than the 10 s default.
    p.put(StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG),
        Long.toString(c.transactionTimeout().toMillis()));
    p.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), "5");
    p.put(StreamsConfig.producerPrefix(ProducerConfig.BATCH_SIZE_CONFIG), Integer.toString(256 * 1024));
    p.put(StreamsConfig.producerPrefix(ProducerConfig.COMPRESSION_TYPE_CONFIG), "lz4");
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_POLL_RECORDS_CONFIG), "2000");
    p.putAll(KafkaClientDefaults.common());
    // The default from Kafka 5.0 (the same fail-on-error handler, now also for the global items store);
    // without it every start logs a warning recommending exactly this.
    p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, "true");
    // ... and for the copy of the settings that the partition assignor builds from the consumer's
    p.put(StreamsConfig.mainConsumerPrefix(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG), "true");
    p.putAll(c.kafka());
    return p;
  }
}
