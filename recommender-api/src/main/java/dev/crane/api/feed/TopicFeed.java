package dev.crane.api.feed;

import dev.crane.api.config.CpuPriority;
import dev.crane.api.metrics.ApiMetrics;
import dev.crane.api.store.LocalStore;
import dev.crane.schemas.serde.AvroDeserializer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One consumer thread over a few topics, reading every partition (each instance serves all users,
 * so there is no consumer group) from the offsets in the local store, read_committed. Records are
 * decoded here, one by one, so that a malformed record is counted and skipped instead of failing
 * the poll; when the schema registry is unreachable the partition is rewound and retried, since
 * that is not the record's fault. Each poll's writes and the offsets after them go to the store in
 * one batch.
 */
public abstract class TopicFeed implements Runnable, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TopicFeed.class);
  private static final Duration POLL = Duration.ofMillis(100);
  private static final long REGISTRY_RETRY_MS = 1000;

  protected final LocalStore store;
  protected final ApiMetrics metrics;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final List<String> topics;
  private final double pauseRatio;
  private final CpuPriority priority;
  private final Thread thread;
  private volatile boolean running = true;
  private volatile boolean caughtUp;
  private volatile boolean started;
  private volatile Throwable failure;

  /**
   * @param pauseRatio after each batch the thread sleeps this many times as long as the batch took
   *     (0: never), which caps the feed's share of a core while serving goes on beside it; not applied
   *     once the thread runs at idle priority
   * @param priority the thread's CPU priority beside the queries'
   */
  protected TopicFeed(String name, List<String> topics, FeedSettings settings, LocalStore store, ApiMetrics metrics,
      double pauseRatio, CpuPriority priority) {
    this.pauseRatio = pauseRatio;
    this.priority = priority;
    this.topics = List.copyOf(topics);
    this.store = store;
    this.metrics = metrics;
    Map<String, Object> config = new HashMap<>(settings.kafka());
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.CLIENT_ID_CONFIG, "crane-api-" + name);
    config.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
    this.consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    this.thread = new Thread(this, "crane-api-" + name);
    this.thread.setDaemon(true);
  }

  /** Assigns every partition and seeks to the stored offsets, then starts the thread. */
  public void start() {
    List<TopicPartition> all = new ArrayList<>();
    for (String topic : topics) {
      List<PartitionInfo> parts = consumer.partitionsFor(topic, Duration.ofSeconds(30));
      if (parts == null || parts.isEmpty()) {
        throw new IllegalStateException("topic '" + topic + "' does not exist on the broker");
      }
      parts.forEach(p -> all.add(new TopicPartition(topic, p.partition())));
    }
    consumer.assign(all);
    List<TopicPartition> fromStart = new ArrayList<>();
    for (String topic : topics) {
      Map<Integer, Long> stored = store.offsets(topic);
      for (TopicPartition tp : all) {
        if (tp.topic().equals(topic)) {
          Long next = stored.get(tp.partition());
          if (next == null) {
            fromStart.add(tp);
          } else {
            consumer.seek(tp, next);
          }
        }
      }
    }
    if (!fromStart.isEmpty()) { // an empty list would mean every assigned partition
      consumer.seekToBeginning(fromStart);
    }
    started = true;
    LOG.info("{}: {} partitions, {} from the stored offsets, {} from the beginning", thread.getName(), all.size(),
        all.size() - fromStart.size(), fromStart.size());
    thread.start();
  }

  @Override
  public void run() {
    String notLowered = ThreadPriority.lowerCurrentThread(priority);
    if (notLowered != null && ThreadPriority.supported()) {
      LOG.warn("{} keeps the queries' CPU priority, not {}: {}", thread.getName(), priority, notLowered);
    } else if (notLowered != null) {
      LOG.info("{} keeps the queries' CPU priority: {}", thread.getName(), notLowered);
    }
    // An idle-class thread already runs only on cores the queries leave idle: pausing it as well only
    // made swaps slower (1.6-1.9 s against 2.2-3.2 s publish to served) with no fewer slow calls.
    double pause = priority == CpuPriority.IDLE && notLowered == null ? 0 : pauseRatio;
    try {
      while (running) {
        ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
        if (records.isEmpty()) {
          caughtUp = true;
          idle();
          continue;
        }
        long began = System.nanoTime();
        try (LocalStore.Batch batch = store.batch()) {
          boolean registryDown = false;
          for (TopicPartition tp : records.partitions()) {
            long next = -1;
            for (ConsumerRecord<byte[], byte[]> r : records.records(tp)) {
              try {
                handle(r, batch);
              } catch (SerializationException e) {
                if (AvroDeserializer.isRegistryUnavailable(e)) {
                  LOG.warn("{}: schema registry unavailable; retrying {} at offset {}", thread.getName(), tp,
                      r.offset());
                  consumer.seek(tp, r.offset());
                  registryDown = true;
                  break;
                }
                skip(r, "undecodable", e.getMessage());
              }
              next = r.offset() + 1;
            }
            if (next >= 0) {
              batch.putOffset(tp.topic(), tp.partition(), next);
              metrics.recordsConsumed(tp.topic(), records.records(tp).size());
            }
          }
          beforeWrite(batch);
          store.write(batch);
          afterWrite();
          if (registryDown) {
            Thread.sleep(REGISTRY_RETRY_MS);
          }
        }
        // at most a second: after a long index build the next records should not wait minutes
        long pauseNanos = Math.min(1_000_000_000L, (long) ((System.nanoTime() - began) * pause));
        if (pauseNanos > 0) {
          Thread.sleep(pauseNanos / 1_000_000, (int) (pauseNanos % 1_000_000));
        }
      }
    } catch (WakeupException e) {
      // close() asked us to stop
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException | Error e) {
      failure = e;
      LOG.error("{} stopped: {}", thread.getName(), e.toString(), e);
    } finally {
      consumer.close(Duration.ofSeconds(5));
    }
  }

  /** Decodes and applies one record, adding its writes to {@code batch}. */
  protected abstract void handle(ConsumerRecord<byte[], byte[]> r, LocalStore.Batch batch);

  /** Called with the poll's batch before it is written. */
  protected void beforeWrite(LocalStore.Batch batch) {}

  /** Called after a poll's batch is written. */
  protected void afterWrite() {}

  /** Called when a poll returned nothing. */
  protected void idle() {}

  /** Counts and logs a record that cannot be used. */
  protected final void skip(ConsumerRecord<?, ?> r, String reason, String detail) {
    metrics.badRecord(r.topic(), reason);
    int eol = detail == null ? -1 : detail.indexOf('\n');
    if (eol > 0) {
      detail = detail.substring(0, eol); // Avro appends whole schemas
    }
    LOG.warn("{}: skipped record {}-{}@{}: {}: {}", thread.getName(), r.topic(), r.partition(), r.offset(), reason,
        detail);
  }

  /**
   * Whether the consumer is behind the end of any assigned partition it has fetched from (for the
   * feed thread only: the consumer is not thread-safe).
   */
  protected final boolean lagging() {
    for (TopicPartition tp : consumer.assignment()) {
      java.util.OptionalLong lag = consumer.currentLag(tp);
      if (lag.isPresent() && lag.getAsLong() > 0) {
        return true;
      }
    }
    return false;
  }

  /** True once a poll came back empty: the feed has read what the broker had. */
  public boolean caughtUp() {
    return caughtUp;
  }

  /** The error that stopped the thread, or null while it runs. */
  public Throwable failure() {
    return failure;
  }

  public boolean alive() {
    return thread.isAlive();
  }

  @Override
  public void close() {
    running = false;
    if (!started) {
      consumer.close(Duration.ZERO);
      return;
    }
    consumer.wakeup();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
