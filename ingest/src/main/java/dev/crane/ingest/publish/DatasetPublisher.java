package dev.crane.ingest.publish;

import dev.crane.ingest.dataset.MmrecDataset;
import dev.crane.ops.progress.Progress;
import dev.crane.ops.rate.Pacer;
import dev.crane.schemas.Topics;
import java.util.BitSet;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes a dataset: every item first (so the stream processor knows an item's features before
 * its interactions arrive), then the interactions in publish order. A failed send stops the run
 * with the broker's error: nothing is dropped silently.
 */
public final class DatasetPublisher {
  private static final Logger LOG = LoggerFactory.getLogger(DatasetPublisher.class);
  /**
   * @param ratePerSecond records per second, 0 = as fast as possible
   * @param limit at most this many interactions, negative = all
   * @param progress show progress bars on stderr when it is a terminal (a plain log line every 10 s otherwise)
   */
  public record Options(double ratePerSecond, long limit, boolean progress) {
    public static Options defaults() {
      return new Options(0, -1, false);
    }
  }

  private final Producer<String, SpecificRecord> producer;
  private final Options options;
  private final AtomicLong ackedBytes = new AtomicLong();
  private final AtomicReference<Exception> failure = new AtomicReference<>();
  private final Callback callback = (metadata, exception) -> {
    if (exception != null) {
      failure.compareAndSet(null, exception);
    } else {
      ackedBytes.addAndGet(Math.max(0, metadata.serializedKeySize()) + Math.max(0, metadata.serializedValueSize()));
    }
  };

  public DatasetPublisher(Producer<String, SpecificRecord> producer, Options options) {
    this.producer = producer;
    this.options = options;
  }

  /**
   * @param order interaction rows in the order to publish them
   * @param skipped bad input already skipped by the reader, per reason (reported, not re-counted)
   * @param badItems items whose features the reader rejected: not published (their interactions
   *     were skipped by the reader too)
   */
  public PublishSummary publish(MmrecDataset dataset, int[] order, Map<String, Long> skipped, int[] badItems) {
    long start = System.nanoTime();
    long now = System.currentTimeMillis();
    RecordMapper mapper = new RecordMapper(dataset, now);
    Pacer pacer = new Pacer(options.ratePerSecond());
    BitSet bad = new BitSet();
    for (int i : badItems) {
      bad.set(i);
    }
    int items = dataset.numItems() - bad.cardinality();
    try (Progress bar = Progress.start("items", items, LOG, options.progress())) {
      for (int i = 0; i < dataset.numItems(); i++) {
        if (!bad.get(i)) {
          send(new ProducerRecord<>(Topics.ITEMS, Integer.toString(i), mapper.item(i, now)));
          pacer.await();
          bar.step();
        }
      }
    }
    int n = options.limit() < 0 ? order.length : (int) Math.min(order.length, options.limit());
    try (Progress bar = Progress.start("interactions", n, LOG, options.progress())) {
      for (int k = 0; k < n; k++) {
        var interaction = mapper.interaction(order[k]);
        send(new ProducerRecord<>(Topics.INTERACTIONS, interaction.getUserId(), interaction));
        pacer.await();
        bar.step();
      }
    }
    producer.flush();
    throwIfFailed();
    double seconds = (System.nanoTime() - start) / 1e9;
    return new PublishSummary(items, n, Map.copyOf(skipped), ackedBytes.get(), seconds);
  }

  private void send(ProducerRecord<String, SpecificRecord> record) {
    throwIfFailed();
    producer.send(record, callback);
  }

  private void throwIfFailed() {
    Exception e = failure.get();
    if (e != null) {
      throw new IllegalStateException("publishing failed, the broker refused a record: " + e.getMessage(), e);
    }
  }
}
