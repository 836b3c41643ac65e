package dev.crane.stream.topology;

import dev.crane.schemas.avro.Split;
import dev.crane.stream.codec.HistoryCodec;
import dev.crane.stream.codec.ItemView;
import dev.crane.stream.codec.JournalLine;
import dev.crane.stream.codec.ProfileCodec;
import dev.crane.stream.codec.SeenIds;
import dev.crane.stream.codec.SplitCounts;
import dev.crane.stream.config.StreamConfig;

/**
 * Eq. 5 and the history for one accepted interaction: counts it in the user's per-split degrees,
 * adds the item's features to the user's sums when its split counts into a profile, inserts it
 * into the user's history and remembers its event id ({@link SeenIds}: the dedup rule asks
 * {@link #seen}). A journal replay goes through here too, so a rebuilt profile is the same
 * additions in the same order: the same bits.
 */
final class ProfileUpdater {
  private final ProfileCodec profileCodec;
  private final HistoryCodec historyCodec;
  private final SeenIds seenIds;
  private final int modalities;
  private final UserStateCache users;
  private final ProfileCheckpoints checkpoints;

  ProfileUpdater(StreamConfig config, ProfileCodec profileCodec, UserStateCache users,
      ProfileCheckpoints checkpoints) {
    this.profileCodec = profileCodec;
    this.historyCodec = new HistoryCodec(config.historyCap());
    this.seenIds = new SeenIds(config.dedupWindow().toMillis(), config.dedupMaxPerUser());
    this.modalities = config.modalities().size();
    this.users = users;
    this.checkpoints = checkpoints;
  }

  /** The user's state, or null for a user never seen. */
  UserStateCache.Entry state(String user) {
    return users.get(user);
  }

  /**
   * Whether the user (its {@link #state}) accepted an interaction with this event id hash within
   * the dedup window of {@code timestamp}.
   */
  boolean seen(UserStateCache.Entry e, long eventHash, long timestamp) {
    return e != null && seenIds.contains(e.seen, eventHash, timestamp);
  }

  /**
   * A replayed interaction whose item's features are gone (its profile cannot be re-added): the
   * user still remembers its id, as the live process did.
   */
  void rememberOnly(String user, long eventHash, long timestamp) {
    if (timestamp == JournalLine.NO_ID) {
      return;
    }
    UserStateCache.Entry e = users.get(user);
    long sizeBefore = e == null ? 0 : e.size();
    e = e == null ? new UserStateCache.Entry(profileCodec.empty(), null, null) : e;
    e.seen = seenIds.add(e.seen, eventHash, timestamp);
    users.updated(user, e, sizeBefore);
    checkpoints.changed(user, e);
  }

  /**
   * Applies the interaction to the user's {@link #state} {@code e} (null for a new user); returns
   * the user's entry after it.
   *
   * @param timestamp the record timestamp, or {@link JournalLine#NO_ID} when the event id is unknown
   *     (a journal entry written before entries named it): then the id is not remembered
   */
  UserStateCache.Entry apply(String user, UserStateCache.Entry e, String itemId, long eventTime, Split split,
      ItemView item, long eventHash, long timestamp) {
    int slot = SplitCounts.slot(split);
    long sizeBefore = 0;
    if (e == null) {
      e = new UserStateCache.Entry(profileCodec.empty(), null, null);
    } else {
      profileCodec.check(e.profile, user);
      sizeBefore = e.size();
    }
    byte[] profile = e.profile; // updated in place: the journal, not this copy, is the durable state
    profileCodec.increment(profile, slot);
    if (SplitCounts.countsIntoProfile(split)) {
      for (int m = 0; m < modalities; m++) {
        profileCodec.add(profile, m, item.array(m), item.offset(m));
      }
    }
    long latest = profileCodec.updatedAt(profile); // no history entry is later (the history counts every split too)
    profileCodec.setUpdatedAt(profile, Math.max(latest, eventTime));
    if (e.history == null) {
      e.history = new HistoryCodec.Buffer();
    }
    historyCodec.insert(e.history, itemId, eventTime, slot, eventTime >= latest);
    if (timestamp != JournalLine.NO_ID) {
      e.seen = seenIds.add(e.seen, eventHash, timestamp);
    }
    users.updated(user, e, sizeBefore);
    checkpoints.changed(user, e);
    return e;
  }
}
