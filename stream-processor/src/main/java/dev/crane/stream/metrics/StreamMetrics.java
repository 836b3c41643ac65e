package dev.crane.stream.metrics;

import dev.crane.stream.deadletter.Reason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** The application's own meters; Kafka Streams' (lag, RocksDB sizes) are bound beside them. */
public final class StreamMetrics {
  private final MeterRegistry registry;
  private final Counter accepted;
  private final Counter duplicates;
  private final Counter held;
  private final Counter profileUpdates;
  private final Counter snapshotsPublished;
  private final Counter snapshotFailures;
  private final Counter rebuildCheckpointUsers;
  private final Counter rebuildJournalEntries;
  private final Timer cutParts;
  private final Timer snapshotDurations;
  private final Map<Reason, Counter> deadLetters = new EnumMap<>(Reason.class);
  private final AtomicLong lastSnapshotAt = new AtomicLong(0);
  private final AtomicLong lastSnapshotVersion = new AtomicLong(0);

  public StreamMetrics(MeterRegistry registry) {
    this.registry = registry;
    accepted = Counter.builder("crane_stream_events").tag("outcome", "accepted")
        .description("Interactions counted into profiles and degrees").register(registry);
    duplicates = Counter.builder("crane_stream_events").tag("outcome", "duplicate")
        .description("Interactions dropped because their event id was already seen").register(registry);
    held = Counter.builder("crane_stream_events").tag("outcome", "held")
        .description("Interactions held until their item's features arrive").register(registry);
    for (Reason r : Reason.values()) {
      deadLetters.put(r, Counter.builder("crane_stream_dead_letters").tag("reason", r.code())
          .description("Records sent to the dead-letter topic").register(registry));
    }
    profileUpdates = Counter.builder("crane_stream_profile_updates")
        .description("Profile records written to topic user-profiles").register(registry);
    snapshotsPublished = Counter.builder("crane_stream_snapshots").tag("outcome", "published").register(registry);
    snapshotFailures = Counter.builder("crane_stream_snapshots").tag("outcome", "failed").register(registry);
    rebuildCheckpointUsers = Counter.builder("crane_stream_rebuild_entries").tag("source", "checkpoint")
        .description("Users loaded from the profile checkpoint by rebuilds of local profile stores").register(registry);
    rebuildJournalEntries = Counter.builder("crane_stream_rebuild_entries").tag("source", "journal")
        .description("Journal entries replayed by rebuilds of local profile stores").register(registry);
    Gauge.builder("crane_stream_last_snapshot_age_seconds", lastSnapshotAt,
            t -> t.get() == 0 ? Double.NaN : (System.currentTimeMillis() - t.get()) / 1000.0)
        .description("Seconds since this instance's coordinator published a snapshot (NaN: none yet here)")
        .register(registry);
    Gauge.builder("crane_stream_last_snapshot_version", lastSnapshotVersion, AtomicLong::get).register(registry);
    cutParts = Timer.builder("crane_stream_cut_part_seconds")
        .description("A task's part of a snapshot cut (its files, the profile checkpoint, the journal truncation), "
            + "on the stream thread: its input waits meanwhile").register(registry);
    snapshotDurations = Timer.builder("crane_stream_snapshot_seconds")
        .description("From the coordinator's cut request to the snapshot's manifest on topic snapshots").register(registry);
  }

  /** Meters for tests and tools that do not export them. */
  public static StreamMetrics inMemory() {
    return new StreamMetrics(new SimpleMeterRegistry());
  }

  public MeterRegistry registry() {
    return registry;
  }

  public void accepted() {
    accepted.increment();
  }

  public void duplicate() {
    duplicates.increment();
  }

  public void held() {
    held.increment();
  }

  public void deadLetter(Reason reason) {
    deadLetters.get(reason).increment();
  }

  public void profileUpdate() {
    profileUpdates.increment();
  }

  public void snapshotPublished(long version, long createdAtMs) {
    snapshotsPublished.increment();
    lastSnapshotVersion.set(version);
    lastSnapshotAt.set(createdAtMs);
  }

  public void cutPart(long nanos) {
    cutParts.record(nanos, TimeUnit.NANOSECONDS);
  }

  public void snapshotTook(long millis) {
    snapshotDurations.record(millis, TimeUnit.MILLISECONDS);
  }

  public void snapshotFailed() {
    snapshotFailures.increment();
  }

  public void rebuilt(long checkpointUsers, long journalEntries) {
    rebuildCheckpointUsers.increment(checkpointUsers);
    rebuildJournalEntries.increment(journalEntries);
  }

  public double replayedCount() {
    return rebuildJournalEntries.count();
  }

  public double acceptedCount() {
    return accepted.count();
  }

  public double duplicateCount() {
    return duplicates.count();
  }

  public double deadLetterCount(Reason reason) {
    return deadLetters.get(reason).count();
  }
}
