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

  /**
   * A topic of the deployment.
   *
   * @param compacted log-compacted: only the latest value per key matters
   * @param ordered one partition, because consumers need a total order (manifests)
   */
  public record Spec(String name, boolean compacted, boolean ordered) {}

  /** Every topic the system uses, compacted where design.md says so. */
  public static final List<Spec> ALL = List.of(
      new Spec(ITEMS, true, false),
      new Spec(INTERACTIONS, false, false),
      new Spec(USER_PROFILES, true, false),
      new Spec(SNAPSHOTS, false, true),
      new Spec(USER_EMBEDDINGS, true, false),
      new Spec(ITEM_EMBEDDINGS, true, false),
      new Spec(MODEL_VERSIONS, false, true),
      new Spec(DEAD_LETTERS, false, false));

  private Topics() {}
}
