package dev.crane.schemas;

import java.util.List;

/** Topic names of design.md, shared by every module so that no role spells one differently. */
public final class Topics {
  public static final String ITEMS = "items";
  public static final String INTERACTIONS = "interactions";
  public static final String USER_PROFILES = "user-profiles";
  public static final String SNAPSHOTS = "snapshots";
  public static final String USER_EMBEDDINGS = "user-embeddings";
  public static final String ITEM_EMBEDDINGS = "item-embeddings";
  public static final String MODEL_VERSIONS = "model-versions";
  public static final String DEAD_LETTERS = "dead-letters";

  /** Largest record on {@link #MODEL_VERSIONS}: a manifest carries its content projections (4096 x 64 floats is 1 MB). */
  public static final int MANIFEST_MAX_BYTES = 16 << 20;

  /**
   * A topic of the deployment.
   *
   * @param compacted log-compacted: only the latest value per key matters
   * @param ordered one partition, because consumers need a total order (manifests)
   * @param maxMessageBytes the topic's max.message.bytes, or 0 for the broker's default (1 MB)
   */
  public record Spec(String name, boolean compacted, boolean ordered, int maxMessageBytes) {
    Spec(String name, boolean compacted, boolean ordered) {
      this(name, compacted, ordered, 0);
    }
  }

  /** Every topic the system uses, compacted where design.md says so. */
  public static final List<Spec> ALL = List.of(
      new Spec(ITEMS, true, false),
      new Spec(INTERACTIONS, false, false),
      new Spec(USER_PROFILES, true, false),
      new Spec(SNAPSHOTS, false, true),
      new Spec(USER_EMBEDDINGS, true, false),
      new Spec(ITEM_EMBEDDINGS, true, false),
      new Spec(MODEL_VERSIONS, false, true, MANIFEST_MAX_BYTES),
      new Spec(DEAD_LETTERS, false, false));

  private Topics() {}
}
