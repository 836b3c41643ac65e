package dev.crane.api.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** The service's meters (README lists them with their Prometheus names). */
public final class ApiMetrics {
  private final MeterRegistry registry;
  private final ConcurrentHashMap<String, Timer> timers = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Counter> counters = new ConcurrentHashMap<>();
  private final AtomicLong version = new AtomicLong(0);
  private final AtomicLong users = new AtomicLong(0);
  private final AtomicLong items = new AtomicLong(0);
  private final AtomicLong coldItems = new AtomicLong(0);
  private final AtomicLong seenUsers = new AtomicLong(0);
  private final AtomicLong retained = new AtomicLong(0);

  public ApiMetrics(MeterRegistry registry) {
    this.registry = registry;
    Gauge.builder("crane_api_model_version", version, AtomicLong::get)
        .description("Model version in service (0: none yet)").register(registry);
    Gauge.builder("crane_api_store_users", users, AtomicLong::get)
        .description("Users of the version in service").register(registry);
    Gauge.builder("crane_api_store_items", items, AtomicLong::get)
        .description("Trained items of the version in service").register(registry);
    Gauge.builder("crane_api_cold_start_items", coldItems, AtomicLong::get)
        .description("Items placed from their content into the version in service").register(registry);
    Gauge.builder("crane_api_seen_users", seenUsers, AtomicLong::get)
        .description("Users with a known interaction history").register(registry);
    Gauge.builder("crane_api_versions_retained", retained, AtomicLong::get)
        .description("Earlier versions kept for pinned requests").register(registry);
  }

  public static ApiMetrics inMemory() {
    return new ApiMetrics(new SimpleMeterRegistry());
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** One finished call: latency histogram per method, count per method and status. */
  public void request(String method, String status, long nanos) {
    timers.computeIfAbsent(method + "|" + status, k -> Timer.builder("crane_api_requests")
        .tag("method", method).tag("status", status)
        .description("gRPC calls by method and status code")
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofNanos(50_000)).maximumExpectedValue(Duration.ofSeconds(5))
        .register(registry)).record(nanos, TimeUnit.NANOSECONDS);
  }

  public void swapped(long newVersion, long userCount, long itemCount) {
    count("crane_api_swaps", "Switches to a new complete version", null, null);
    version.set(newVersion);
    users.set(userCount);
    items.set(itemCount);
    coldItems.set(0);
  }

  public void foldIn() {
    count("crane_api_foldins", "Interactions folded into user vectors (all live versions)", null, null);
  }

  public void foldInSkipped(String reason) {
    count("crane_api_foldins_skipped", "New interactions that could not be folded in", "reason", reason);
  }

  public void fallback() {
    count("crane_api_fallbacks", "Recommend replies of popular items for unknown users", null, null);
  }

  public void coldStartPlaced(int inService) {
    count("crane_api_cold_start_placed", "Cold-start items placed (all live versions)", null, null);
    coldItems.set(inService);
  }

  public void coldStartUnplaceable(String reason) {
    count("crane_api_cold_start_unplaceable", "Cold-start items that could not be placed", "reason", reason);
  }

  /** A record that could not be read or was invalid, skipped. */
  public void badRecord(String topic, String reason) {
    counters.computeIfAbsent("crane_api_bad_records|" + topic + "|" + reason, k -> Counter.builder("crane_api_bad_records")
        .tag("topic", topic).tag("reason", reason)
        .description("Records skipped as malformed or invalid").register(registry)).increment();
  }

  public void versionRejected(String reason) {
    count("crane_api_versions_rejected", "Manifests not served (REJECTED, or counts that never matched)",
        "reason", reason);
  }

  public void recordsConsumed(String topic, int n) {
    counters.computeIfAbsent("consumed|" + topic, k -> Counter.builder("crane_api_records_consumed")
        .tag("topic", topic).description("Records read from each input topic since start").register(registry))
        .increment(n);
  }

  public double consumedCount(String topic) {
    Counter c = counters.get("consumed|" + topic);
    return c == null ? 0 : c.count();
  }

  public void seenUsers(int n) {
    seenUsers.set(n);
  }

  public void retainedVersions(int n) {
    retained.set(n);
  }

  public double count(String name) {
    return counters.entrySet().stream().filter(e -> e.getKey().startsWith(name + "|"))
        .mapToDouble(e -> e.getValue().count()).sum();
  }

  private void count(String name, String description, String tag, String value) {
    String key = name + "|" + (tag == null ? "" : value);
    counters.computeIfAbsent(key, k -> {
      Counter.Builder b = Counter.builder(name).description(description);
      if (tag != null) {
        b.tag(tag, value);
      }
      return b.register(registry);
    }).increment();
  }
}
