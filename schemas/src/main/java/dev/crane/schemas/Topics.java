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

  /** A topic of the deployment and whether it is log-compacted (latest value per key is what matters). */
  public record Spec(String name, boolean compacted) {}

  /** Every topic the system uses, compacted where design.md says so. */
  public static final List<Spec> ALL = List.of(
      new Spec(ITEMS, true),
      new Spec(INTERACTIONS, false),
      new Spec(USER_PROFILES, true),
      new Spec(SNAPSHOTS, false),
      new Spec(USER_EMBEDDINGS, true),
      new Spec(ITEM_EMBEDDINGS, true),
      new Spec(MODEL_VERSIONS, false),
      new Spec(DEAD_LETTERS, false));

  private Topics() {}
}
