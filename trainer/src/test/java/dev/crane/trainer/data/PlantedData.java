package dev.crane.trainer.data;

import dev.crane.ingest.dataset.FeatureMatrix;
import dev.crane.ingest.dataset.MmrecDataset;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Test data with planted structure: users and items fall into clusters, a user picks 90 % of its
 * items from its own cluster; each modality's features are the item's cluster centroid plus noise.
 * Split per user like MMRec: the last two picks go to valid and test.
 */
public final class PlantedData {
  private PlantedData() {}

  public static MmrecDataset generate(int users, int items, int clusters, int perUser, int[] dims, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    List<int[]> rows = new ArrayList<>();
    for (int u = 0; u < users; u++) {
      int c = u % clusters;
      java.util.Set<Integer> picked = new java.util.LinkedHashSet<>();
      while (picked.size() < perUser) {
        int item;
        if (rng.nextDouble() < 0.9) {
          // items of cluster c are c, c + clusters, ...; lower ones are more popular
          int slots = (items - c + clusters - 1) / clusters;
          int s = (int) Math.min(slots - 1, Math.floor(-Math.log(1 - rng.nextDouble()) * slots / 3.0));
          item = c + s * clusters;
        } else {
          item = rng.nextInt(items);
        }
        picked.add(item);
      }
      int k = 0;
      for (int item : picked) {
        int label = k < perUser - 2 ? 0 : (k == perUser - 2 ? 1 : 2);
        rows.add(new int[] {u, item, label});
        k++;
      }
    }
    List<FeatureMatrix> feats = new ArrayList<>();
    for (int m = 0; m < dims.length; m++) {
      int d = dims[m];
      float[][] centroids = new float[clusters][d];
      for (float[] cen : centroids) {
        for (int j = 0; j < d; j++) {
          cen[j] = (float) (rng.nextDouble() * 2 - 1);
        }
      }
      float[] data = new float[items * d];
      for (int i = 0; i < items; i++) {
        for (int j = 0; j < d; j++) {
          data[i * d + j] = centroids[i % clusters][j] + (float) ((rng.nextDouble() * 2 - 1) * 0.5);
        }
      }
      feats.add(new FeatureMatrix("m" + m, items, d, data));
    }
    return ToyData.dataset(users, items, rows.toArray(int[][]::new), feats);
  }
}
