package dev.crane.ingest.dataset;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A dataset in MMRec's layout: {@code <name>.inter} plus one {@code <modality>_feat.npy} per
 * modality. numUsers = max(userID)+1 and numItems = max(itemID)+1 over all rows of every split
 * (MMRec's rule), or the feature row count when that is larger.
 *
 * <p>The constructor checks that every id is in range and that each feature matrix has exactly
 * numItems rows; {@link #of} applies MMRec's sizing rule.
 */
public record MmrecDataset(
    String name, int numUsers, int numItems, InteractionTable interactions, List<FeatureMatrix> features) {

  public MmrecDataset {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(interactions, "interactions");
    features = List.copyOf(features);
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
  public List<ModalityDim> modalities() {
    return features.stream().map(f -> new ModalityDim(f.modality(), f.dim())).toList();
  }

  @Override
  public String toString() {
    return "MmrecDataset[" + name + ": " + numUsers + " users, " + numItems + " items, "
        + interactions.size() + " interactions, modalities " + modalities() + "]";
  }
}
