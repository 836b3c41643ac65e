package dev.crane.ingest.dataset;

import dev.crane.schemas.Modality;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A dataset in MMRec's layout: {@code <name>.inter} plus one {@code <modality>_feat.npy} per
 * modality. numUsers = max(userID)+1 and numItems = max(itemID)+1 over all rows of every split
 * (MMRec's rule), or the feature row count when that is larger. A stream-processor snapshot reads
 * into the same shape ({@link SnapshotReader}), its string ids in {@code userIds}/{@code itemIds}.
 *
 * <p>The constructor checks that every id is in range and that each feature matrix has exactly
 * numItems rows; {@link #of} applies MMRec's sizing rule.
 *
 * @param userIds the external id of each user index; MMRec's ids are the indices themselves ("0", "1", ...)
 * @param itemIds likewise for items
 */
public record MmrecDataset(
    String name, int numUsers, int numItems, InteractionTable interactions, List<FeatureMatrix> features,
    List<String> userIds, List<String> itemIds) {

  /** A dataset whose external ids are the dense indices (MMRec's files). */
  public MmrecDataset(String name, int numUsers, int numItems, InteractionTable interactions,
      List<FeatureMatrix> features) {
    this(name, numUsers, numItems, interactions, features, null, null);
  }

  public MmrecDataset {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(interactions, "interactions");
    features = List.copyOf(features);
    userIds = userIds == null ? new DenseIds(numUsers) : List.copyOf(userIds);
    itemIds = itemIds == null ? new DenseIds(numItems) : List.copyOf(itemIds);
    if (userIds.size() != numUsers || itemIds.size() != numItems) {
      throw new IllegalArgumentException("dataset " + name + ": " + userIds.size() + " user ids for " + numUsers
          + " users, " + itemIds.size() + " item ids for " + numItems + " items");
    }
    int maxUser = interactions.maxUser();
    int maxItem = interactions.maxItem();
    if (numUsers <= maxUser || numItems <= maxItem) {
      throw new IllegalArgumentException("dataset " + name + ": ids exceed the sizes (max userID " + maxUser
          + ", numUsers " + numUsers + "; max itemID " + maxItem + ", numItems " + numItems + ")");
    }
    for (int i = 0; i < interactions.size(); i++) {
      if (interactions.users()[i] < 0 || interactions.items()[i] < 0) {
        throw new IllegalArgumentException("dataset " + name + ": negative id in interaction row " + i);
      }
    }
    Set<String> seen = new HashSet<>();
    for (FeatureMatrix f : features) {
      if (!seen.add(f.modality())) {
        throw new IllegalArgumentException("dataset " + name + ": modality '" + f.modality() + "' appears twice");
      }
      if (f.rows() != numItems) {
        throw new IllegalArgumentException("dataset " + name + ": modality '" + f.modality() + "' has " + f.rows()
            + " rows but the dataset has " + numItems + " items");
      }
    }
  }

  /** Sizes by MMRec's rule: max id + 1 over all rows, or the feature row count when larger. */
  public static MmrecDataset of(String name, InteractionTable interactions, List<FeatureMatrix> features) {
    int items = interactions.maxItem() + 1;
    for (FeatureMatrix f : features) {
      items = Math.max(items, f.rows());
    }
    return new MmrecDataset(name, interactions.maxUser() + 1, items, interactions, features);
  }

  public FeatureMatrix feature(String modality) {
    return features.stream()
        .filter(f -> f.modality().equals(modality))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException(
            "dataset " + name + " has no modality '" + modality + "'; it has " + modalityNames()));
  }

  public List<String> modalityNames() {
    return features.stream().map(FeatureMatrix::modality).toList();
  }

  /** Modality names and dimensions, in the dataset's order. */
  public List<Modality> modalities() {
    return features.stream().map(f -> new Modality(f.modality(), f.dim())).toList();
  }

  /** "0", "1", ... without holding the strings. */
  private static final class DenseIds extends java.util.AbstractList<String> implements java.util.RandomAccess {
    private final int size;

    DenseIds(int size) {
      this.size = size;
    }

    @Override
    public String get(int index) {
      Objects.checkIndex(index, size);
      return Integer.toString(index);
    }

    @Override
    public int size() {
      return size;
    }
  }

  @Override
  public String toString() {
    return "MmrecDataset[" + name + ": " + numUsers + " users, " + numItems + " items, "
        + interactions.size() + " interactions, modalities " + modalities() + "]";
  }
}
