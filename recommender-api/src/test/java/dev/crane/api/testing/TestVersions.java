package dev.crane.api.testing;

import dev.crane.api.bench.SyntheticModel;
import dev.crane.api.model.EmbeddingTable;
import dev.crane.api.model.VersionData;
import dev.crane.api.model.VersionInfo;
import java.util.List;
import java.util.Map;

/** Versions built in memory from {@link SyntheticModel}, for tests that need no broker. */
public final class TestVersions {
  private TestVersions() {}

  public static VersionData synthetic(SyntheticModel model, long version, int users, int items, int dim) {
    String[] uid = new String[users];
    float[] uv = new float[users * dim];
    int[] ud = new int[users];
    for (int u = 0; u < users; u++) {
      uid[u] = SyntheticModel.userId(u);
      System.arraycopy(model.userVector(u, version), 0, uv, u * dim, dim);
      ud[u] = 10;
    }
    String[] iid = new String[items];
    float[] iv = new float[items * dim];
    int[] id = new int[items];
    for (int i = 0; i < items; i++) {
      iid[i] = SyntheticModel.itemId(i);
      System.arraycopy(model.itemVector(i, version), 0, iv, i * dim, dim);
      id[i] = model.itemDegree(i);
    }
    VersionInfo info = new VersionInfo(version, "bpr", dim, users, items, Map.of("holdout_recall@20", 0.1), 1000L,
        Map.of(), List.of(), List.of());
    return new VersionData(info, EmbeddingTable.of(uid, dim, uv, null, null, ud, null, 0),
        EmbeddingTable.of(iid, dim, iv, null, null, id, null, 0));
  }

  /** Inner product. */
  public static float dot(float[] a, float[] b) {
    float s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }
}
