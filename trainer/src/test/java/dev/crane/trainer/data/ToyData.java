package dev.crane.trainer.data;

import dev.crane.ingest.dataset.FeatureMatrix;
import dev.crane.ingest.dataset.InteractionTable;
import dev.crane.ingest.dataset.MmrecDataset;
import dev.crane.schemas.Split;
import java.util.ArrayList;
import java.util.List;

/** Builds small in-memory datasets for tests: rows given as {user, item, x_label}. */
public final class ToyData {
  private ToyData() {}

  public static MmrecDataset dataset(int users, int items, int[][] rows, List<FeatureMatrix> features) {
    int n = rows.length;
    int[] u = new int[n];
    int[] i = new int[n];
    Split[] s = new Split[n];
    for (int r = 0; r < n; r++) {
      u[r] = rows[r][0];
      i[r] = rows[r][1];
      s[r] = Split.ofLabel(rows[r][2]);
    }
    return new MmrecDataset("toy", users, items, new InteractionTable(u, i, null, null, s), new ArrayList<>(features));
  }

  public static MmrecDataset dataset(int users, int items, int[][] rows) {
    return dataset(users, items, rows, List.of());
  }
}
