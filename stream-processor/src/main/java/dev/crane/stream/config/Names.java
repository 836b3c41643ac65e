package dev.crane.stream.config;

/** Names of the stores and processors, in one place (the application's own topics: {@link dev.crane.stream.config.AppTopics}). */
public final class Names {
  public static final String ITEMS_STORE = "items";
  public static final String PROFILES_STORE = "user-profiles";
  public static final String HISTORY_STORE = "user-history";
  public static final String ITEM_STATS_STORE = "item-stats";
  /** Each user's recent event ids (local only, like profiles and histories; the dedup window store "dedup" before). */
  public static final String SEEN_STORE = "user-seen-ids";
  public static final String PENDING_STORE = "pending";
  public static final String DIRTY_STORE = "profile-dirty";
  public static final String META_STORE = "partition-meta";
  /** Every accepted interaction by sequence number: the durable source of the profile and history stores. */
  public static final String JOURNAL_STORE = "journal";
  /** Each user's profile and history as of the partition's last checkpoint; the journal is kept only above it. */
  public static final String CHECKPOINT_STORE = "profile-checkpoint";
  public static final String COORDINATOR_STORE = "snapshot-coordinator";

  public static final String INTERACTIONS_SOURCE = "interactions-source";
  public static final String REQUESTS_SOURCE = "snapshot-requests-source";
  public static final String USER_PROCESSOR = "user-processor";
  public static final String DLQ_SINK = "dead-letter-sink";
  public static final String PROFILES_SINK = "user-profiles-sink";
  public static final String ITEM_DELTA_SINK = "item-delta-sink";
  public static final String PARTS_SINK = "snapshot-parts-sink";
  public static final String ITEM_DELTA_SOURCE = "item-delta-source";
  public static final String ITEM_STATS_PROCESSOR = "item-stats-processor";
  public static final String PARTS_SOURCE = "snapshot-parts-source";
  public static final String COORDINATOR = "snapshot-coordinator";
  public static final String REQUESTS_SINK = "snapshot-requests-sink";
  public static final String MANIFEST_SINK = "snapshot-manifest-sink";

  private Names() {}
}
