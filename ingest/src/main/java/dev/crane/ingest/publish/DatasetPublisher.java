package dev.crane.ingest.publish;

import dev.crane.ingest.dataset.MmrecDataset;
import dev.crane.schemas.Topics;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Publishes a dataset: every item first (so the stream processor knows an item's features before
 * its interactions arrive), then the interactions in publish order. A failed send stops the run
 * with the broker's error: nothing is dropped silently.
 */
public final class DatasetPublisher {
  /**
   * @param ratePerSecond records per second, 0 = as fast as possible
   * @param limit at most this many interactions, negative = all
   * @param progress show progress bars on stderr
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
   */
  public PublishSummary publish(MmrecDataset dataset, int[] order, Map<String, Long> skipped) {
    long start = System.nanoTime();
    long now = System.currentTimeMillis();
    RecordMapper mapper = new RecordMapper(dataset, now);
    Pacer pacer = new Pacer(options.ratePerSecond());
    int items = dataset.numItems();
    try (ProgressBar bar = bar("items", items)) {
      for (int i = 0; i < items; i++) {
        send(new ProducerRecord<>(Topics.ITEMS, Integer.toString(i), mapper.item(i, now)));
        pacer.await();
        step(bar);
      }
    }
    int n = options.limit() < 0 ? order.length : (int) Math.min(order.length, options.limit());
    try (ProgressBar bar = bar("interactions", n)) {
      for (int k = 0; k < n; k++) {
        var interaction = mapper.interaction(order[k]);
        send(new ProducerRecord<>(Topics.INTERACTIONS, interaction.getUserId(), interaction));
        pacer.await();
        step(bar);
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

  private ProgressBar bar(String task, long max) {
    ProgressBarBuilder b = new ProgressBarBuilder().setTaskName(task).setInitialMax(max)
        .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(500).showSpeed();
    if (!options.progress()) {
      b.setConsumer(new me.tongfei.progressbar.DelegatingProgressBarConsumer(s -> {}));
    }
    return b.build();
  }

  private static void step(ProgressBar bar) {
    bar.step();
  }

  /** Spaces sends evenly to reach a target rate without bursts. */
  private static final class Pacer {
    private final double nanosPerRecord;
    private final long start = System.nanoTime();
    private long sent;

    Pacer(double ratePerSecond) {
      this.nanosPerRecord = ratePerSecond > 0 ? 1e9 / ratePerSecond : 0;
    }

    void await() {
      sent++;
      if (nanosPerRecord == 0) {
        return;
      }
      long due = start + (long) (sent * nanosPerRecord);
      long wait = due - System.nanoTime();
      if (wait > 0) {
        try {
          Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while publishing", e);
        }
      }
    }
  }
}
