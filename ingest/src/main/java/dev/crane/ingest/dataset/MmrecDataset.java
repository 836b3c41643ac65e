package dev.crane.ingest.dataset;

import java.util.List;

/**
 * A dataset in MMRec's layout: {@code <name>.inter} plus one {@code <modality>_feat.npy} per
 * modality. numUsers = max(userID)+1 and numItems = max(itemID)+1 over all rows of every split
 * (MMRec's rule), or the feature row count when that is larger.
 */
public record MmrecDataset(
    String name, int numUsers, int numItems, InteractionTable interactions, List<FeatureMatrix> features) {

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
}
