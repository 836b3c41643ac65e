package dev.crane.trainer.data;

import dev.crane.ingest.dataset.FeatureMatrix;
import dev.crane.ingest.dataset.InteractionTable;
import dev.crane.ingest.dataset.MmrecDataset;
import dev.crane.schemas.Split;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;

/**
 * Two successive "snapshots" of one planted dataset with string ids, as a stream would give them:
 * the first holds the users and items below a cut, the second everything, with ids listed in
 * another order (a snapshot's users.tsv order is not the model's row order).
 */
public final class Snapshots {
  private Snapshots() {}

  /** The rows of {@code full} whose user and item pass the filters, ids "u<index>" / "i<index>", listed in reverse order. */
  public static MmrecDataset cut(MmrecDataset full, IntPredicate keepUser, IntPredicate keepItem) {
    InteractionTable t = full.interactions();
    List<Integer> users = new ArrayList<>();
    List<Integer> items = new ArrayList<>();
    for (int u = full.numUsers() - 1; u >= 0; u--) {
      if (keepUser.test(u)) {
        users.add(u);
      }
    }
    for (int i = full.numItems() - 1; i >= 0; i--) {
      if (keepItem.test(i)) {
        items.add(i);
      }
    }
    int[] userIndex = new int[full.numUsers()];
    int[] itemIndex = new int[full.numItems()];
    for (int k = 0; k < users.size(); k++) {
      userIndex[users.get(k)] = k;
    }
    for (int k = 0; k < items.size(); k++) {
      itemIndex[items.get(k)] = k;
    }
    List<int[]> rows = new ArrayList<>();
    List<Split> splits = new ArrayList<>();
    for (int r = 0; r < t.size(); r++) {
      if (keepUser.test(t.users()[r]) && keepItem.test(t.items()[r])) {
        rows.add(new int[] {userIndex[t.users()[r]], itemIndex[t.items()[r]]});
        splits.add(t.splits()[r]);
      }
    }
    List<FeatureMatrix> features = new ArrayList<>();
    for (FeatureMatrix f : full.features()) {
      float[] data = new float[items.size() * f.dim()];
      for (int k = 0; k < items.size(); k++) {
        System.arraycopy(f.data(), items.get(k) * f.dim(), data, k * f.dim(), f.dim());
      }
      features.add(new FeatureMatrix(f.modality(), items.size(), f.dim(), data));
    }
    return new MmrecDataset("cut", users.size(), items.size(),
        new InteractionTable(rows.stream().mapToInt(x -> x[0]).toArray(), rows.stream().mapToInt(x -> x[1]).toArray(),
            null, null, splits.toArray(Split[]::new)), features,
        users.stream().map(u -> "u" + u).toList(), items.stream().map(i -> "i" + i).toList());
  }
}
