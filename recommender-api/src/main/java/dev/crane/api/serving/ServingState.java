package dev.crane.api.serving;

import dev.crane.api.coldstart.ColdStartPlacer;
import dev.crane.api.metrics.ApiMetrics;
import dev.crane.api.model.VersionData;
import dev.crane.api.seen.SeenItems;
import dev.crane.api.topk.IndexFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The versions in service and the events applied to them. The version in service is one volatile
 * reference: a swap is a single write, and a reply reads it once, so no reply mixes versions and
 * none fails during a swap. Earlier versions stay for pinned requests until they expire.
 *
 * <p>Interactions, new item features and version installs are serialised by one lock (they are
 * rare beside queries, which take no lock), so that an install's re-fold from the seen histories
 * and the live folds never miss or double an interaction.
 */
public final class ServingState {
  private static final Logger LOG = LoggerFactory.getLogger(ServingState.class);

  /** An earlier version and when it stops answering pinned requests. */
  record Retained(LiveVersion version, long expiresAtMs) {}

  private final Object lock = new Object();
  private final SeenItems seen;
  private final IndexFactory indexes;
  private final ColdStartPlacer placer;
  private final ApiMetrics metrics;
  private final Duration keepPrevious;
  private final LongSupplier clock;
  private final Map<String, Map<String, float[]>> pendingFeatures = new ConcurrentHashMap<>();
  private volatile LiveVersion current;
  private volatile List<Retained> retained = List.of();

  public ServingState(SeenItems seen, IndexFactory indexes, ColdStartPlacer placer, ApiMetrics metrics,
      Duration keepPrevious, LongSupplier clock) {
    this.seen = seen;
    this.indexes = indexes;
    this.placer = placer;
    this.metrics = metrics;
    this.keepPrevious = keepPrevious;
    this.clock = clock;
  }

  /** The version in service, or null before the first complete version. */
  public LiveVersion current() {
    return current;
  }

  public SeenItems seen() {
    return seen;
  }

  /** The pinned version, or the one in service when {@code pinned} is null. */
  public LiveVersion resolve(Long pinned) {
    LiveVersion now = current;
    if (now == null) {
      throw new ApiException(ApiException.Kind.UNAVAILABLE, "no complete model version has been loaded yet");
    }
    if (pinned == null || pinned == now.version()) {
      return now;
    }
    long t = clock.getAsLong();
    for (Retained r : retained) {
      if (r.version().version() == pinned && r.expiresAtMs() > t) {
        return r.version();
      }
    }
    throw ApiException.invalid("model version " + pinned + " is not available; available: " + available());
  }

  /** Versions that answer requests, newest first. */
  public List<Long> available() {
    List<Long> out = new ArrayList<>();
    LiveVersion now = current;
    if (now != null) {
      out.add(now.version());
    }
    long t = clock.getAsLong();
    retained.stream().filter(r -> r.expiresAtMs() > t).map(r -> r.version().version())
        .sorted(Comparator.reverseOrder()).forEach(out::add);
    return out;
  }

  private List<LiveVersion> live() {
    List<LiveVersion> out = new ArrayList<>();
    if (current != null) {
      out.add(current);
    }
    retained.forEach(r -> out.add(r.version()));
    return out;
  }

  /**
   * One interaction from topic {@code interactions}: added to the user's history at once, and
   * folded into each live version for which it is new (at or above the version's input offset)
   * and the item is new to the user.
   *
   * @return true when this is the user's first interaction with the item
   */
  public boolean onInteraction(String user, String item, int partition, long offset) {
    synchronized (lock) {
      boolean first = seen.add(user, item, partition, offset);
      if (!first) {
        return false;
      }
      for (LiveVersion v : live()) {
        if (v.info().isAfterTraining(partition, offset)) {
          String skipped = v.fold(user, item);
          if (skipped == null) {
            metrics.foldIn();
          } else {
            metrics.foldInSkipped(skipped);
          }
        }
      }
    }
    metrics.seenUsers(seen.users());
    return true;
  }

  /**
   * New or updated raw features of an item from topic {@code items}: an item unknown to a live
   * version is placed into it from its content; features are kept for versions still to come.
   */
  public void onItemFeatures(String item, Map<String, float[]> features) {
    synchronized (lock) {
      LiveVersion now = current;
      if (now == null || now.items().row(item) < 0) {
        pendingFeatures.put(item, features);
      }
      for (LiveVersion v : live()) {
        place(v, item, features);
      }
    }
  }

  private void place(LiveVersion v, String item, Map<String, float[]> features) {
    if (v.items().row(item) >= 0) {
      return;
    }
    ColdStartPlacer.Outcome o = placer.place(v.info(), v.items(), features);
    if (o.placement() == null) {
      metrics.coldStartUnplaceable(o.unplaceable());
      LOG.debug("item {} cannot be placed into version {}: {}", item, v.version(), o.unplaceable());
      return;
    }
    v.cold().put(item, o.placement());
    metrics.coldStartPlaced(current == null ? 0 : current.cold().size());
  }

  /** Builds a version's index (seconds to minutes for HNSW; no lock held). */
  public LiveVersion prepare(VersionData data) {
    long t0 = System.nanoTime();
    LiveVersion v = new LiveVersion(data, indexes.build(data.items().vectors(), data.items().size(),
        data.items().dim()), clock.getAsLong());
    LOG.info("version {} prepared: {} users, {} items, {} index in {} ms", data.info().version(),
        data.users().size(), data.items().size(), v.index().kind(), (System.nanoTime() - t0) / 1_000_000);
    return v;
  }

  /**
   * Switches to {@code v} when it is newer than the version in service: folds in again every
   * history item at or above its input offsets, places the pending cold-start items, then swaps
   * the reference. The previous version is retained for pinned requests.
   *
   * @return false when {@code v} is not newer (it is dropped)
   */
  public boolean install(LiveVersion v) {
    synchronized (lock) {
      LiveVersion old = current;
      if (old != null && v.version() <= old.version()) {
        LOG.warn("version {} is not newer than version {} in service; not installed", v.version(), old.version());
        return false;
      }
      pendingFeatures.keySet().removeIf(item -> v.items().row(item) >= 0);
      int[] folds = catchUp(v);
      long t = clock.getAsLong();
      List<Retained> kept = new ArrayList<>();
      for (Retained r : retained) {
        if (r.expiresAtMs() > t) {
          kept.add(r);
        }
      }
      if (old != null && !keepPrevious.isZero()) {
        kept.add(new Retained(old, t + keepPrevious.toMillis()));
      }
      retained = List.copyOf(kept);
      current = v;
      metrics.swapped(v.version(), v.users().size(), v.items().size());
      metrics.coldStartPlaced(v.cold().size());
      metrics.retainedVersions(kept.size());
      LOG.info("serving version {} ({} model; {} users, {} items, {} cold-start items; {} interactions folded in "
          + "again, {} not foldable); previous: {}", v.version(), v.info().model(), v.users().size(),
          v.items().size(), v.cold().size(), folds[0], folds[1], old == null ? "none" : old.version());
      return true;
    }
  }

  /**
   * Brings a version loaded from the store up to date with what arrived since it was trained:
   * places the pending cold-start items, then folds in every history item at or above the version's
   * input offsets (after placing, so that interactions with cold-start items fold too).
   *
   * @return folds applied and folds impossible
   */
  private int[] catchUp(LiveVersion v) {
    pendingFeatures.forEach((item, f) -> place(v, item, f));
    int[] folds = {0, 0};
    seen.forEach((user, h) -> h.firstOffsets().forEach((item, offset) -> {
      if (v.info().isAfterTraining(h.partition(), offset)) {
        String skipped = v.fold(user, item);
        if (skipped == null) {
          folds[0]++;
          metrics.foldIn();
        } else {
          folds[1]++;
          metrics.foldInSkipped(skipped);
        }
      }
    }));
    return folds;
  }

  /** Drops retained versions whose time is up; returns their numbers (the store deletes them). */
  public List<Long> expire() {
    synchronized (lock) {
      long t = clock.getAsLong();
      List<Long> gone = new ArrayList<>();
      List<Retained> kept = new ArrayList<>();
      for (Retained r : retained) {
        if (r.expiresAtMs() > t) {
          kept.add(r);
        } else {
          gone.add(r.version().version());
        }
      }
      if (!gone.isEmpty()) {
        retained = List.copyOf(kept);
        metrics.retainedVersions(kept.size());
        LOG.info("versions {} expired (no longer answer pinned requests)", gone);
      }
      return gone;
    }
  }

  /** Retained versions and their expiry times (persisted so that a restart keeps them). */
  public Map<Long, Long> retainedExpiries() {
    Map<Long, Long> m = new java.util.TreeMap<>();
    retained.forEach(r -> m.put(r.version().version(), r.expiresAtMs()));
    return m;
  }

  /** Restores a retained version at start-up (after the version in service is installed). */
  public void restoreRetained(LiveVersion v, long expiresAtMs) {
    synchronized (lock) {
      catchUp(v);
      List<Retained> kept = new ArrayList<>(retained);
      kept.add(new Retained(v, expiresAtMs));
      retained = List.copyOf(kept);
      metrics.retainedVersions(kept.size());
    }
  }
}
