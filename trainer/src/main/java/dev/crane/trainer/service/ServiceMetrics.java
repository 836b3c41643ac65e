package dev.crane.trainer.service;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The trainer service's Prometheus metrics: {@code crane_trainer_snapshots_total{outcome}}
 * (published, rejected, skipped, failed), {@code crane_trainer_train_seconds{mode}},
 * {@code crane_trainer_publish_failures_total}, and gauges of the published version, the last
 * decision (1 published, 0 rejected), the last snapshot seen and the serving model's holdout Recall@20.
 */
final class ServiceMetrics {
  private final MeterRegistry registry;
  private final AtomicReference<Double> publishedVersion = new AtomicReference<>(Double.NaN);
  private final AtomicReference<Double> lastDecision = new AtomicReference<>(Double.NaN);
  private final AtomicReference<Double> lastSnapshot = new AtomicReference<>(Double.NaN);
  private final AtomicReference<Double> servingRecall = new AtomicReference<>(Double.NaN);
  private final Counter publishFailures;

  ServiceMetrics(MeterRegistry registry) {
    this.registry = registry;
    gauge("crane_trainer_published_version", "Model version the trainer published last", publishedVersion);
    gauge("crane_trainer_last_decision", "Last gate decision: 1 published, 0 rejected", lastDecision);
    gauge("crane_trainer_last_snapshot_version", "Snapshot version seen last", lastSnapshot);
    gauge("crane_trainer_serving_holdout_recall20", "Holdout Recall@20 of the published model", servingRecall);
    this.publishFailures = Counter.builder("crane_trainer_publish_failures_total")
        .description("Publish attempts that failed (broker or registry down); each is retried").register(registry);
  }

  private void gauge(String name, String help, AtomicReference<Double> value) {
    Gauge.builder(name, value, AtomicReference::get).description(help).register(registry);
  }

  void snapshot(String outcome, long version) {
    Counter.builder("crane_trainer_snapshots_total").description("Snapshots handled, by outcome")
        .tag("outcome", outcome).register(registry).increment();
    lastSnapshot.set((double) version);
  }

  void trained(String mode, Duration took) {
    Timer.builder("crane_trainer_train_seconds").description("Training time per snapshot, by mode (warm, full)")
        .tag("mode", mode).register(registry).record(took);
  }

  void decision(boolean published) {
    lastDecision.set(published ? 1.0 : 0.0);
  }

  void published(long version, double holdoutRecall20) {
    publishedVersion.set((double) version);
    servingRecall.set(holdoutRecall20);
  }

  void publishFailed() {
    publishFailures.increment();
  }
}
