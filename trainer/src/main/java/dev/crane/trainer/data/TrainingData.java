package dev.crane.trainer.data;

import dev.crane.ingest.dataset.FeatureMatrix;
import dev.crane.ingest.dataset.InteractionTable;
import dev.crane.ingest.dataset.MmrecDataset;
import dev.crane.schemas.Split;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Everything training and evaluation need from an MMRec dataset, as primitive arrays
 * (crane-spec.md §1, §5, §6). Immutable once built.
 *
 * <ul>
 *   <li>training rows in file order (batches are cut from these, duplicates included, as MMRec's
 *       data loader does);
 *   <li>distinct training edges sorted by (user, item): the rows of R and the edge list that edge
 *       pruning samples from (§2.2b);
 *   <li>degrees counted over distinct training edges (§2.2a);
 *   <li>per-user valid/test target sets with cold users dropped (§1.4);
 *   <li>the pool of items seen in training, from which negatives are drawn (§5.2.4).
 * </ul>
 */
public final class TrainingData {
  private final String name;
  private final int numUsers;
  private final int numItems;
  private final IdMapping userIds;
  private final IdMapping itemIds;
  private final int[] rowUsers;
  private final int[] rowItems;
  private final int[] edgeUsers;
  private final int[] edgeItems;
  private final int[][] userTrainItems;
  private final int[][] validTargets;
  private final int[][] testTargets;
  private final int[] userDegree;
  private final int[] itemDegree;
  private final int[] negativePool;
  private final List<FeatureMatrix> features;

  private TrainingData(Builder b) {
    this.name = b.name;
    this.numUsers = b.numUsers;
    this.numItems = b.numItems;
    this.userIds = b.userIds;
    this.itemIds = b.itemIds;
    this.rowUsers = b.rowUsers;
    this.rowItems = b.rowItems;
    this.edgeUsers = b.edgeUsers;
    this.edgeItems = b.edgeItems;
    this.userTrainItems = b.userTrainItems;
    this.validTargets = b.validTargets;
    this.testTargets = b.testTargets;
    this.userDegree = b.userDegree;
    this.itemDegree = b.itemDegree;
    this.negativePool = b.negativePool;
    this.features = b.features;
  }

  /** Builds the training structures; throws IllegalArgumentException when there is nothing to train on. */
  public static TrainingData from(MmrecDataset ds) {
    return from(ds, IdMapping.empty(), IdMapping.empty());
  }

  /**
   * Builds the training structures with rows assigned by the append-only id mappings: users and
   * items of {@code baseUsers}/{@code baseItems} (a previous model's) keep their rows, new ones get
   * the next rows in the dataset's order. Unlabelled rows are split by the {@link Holdout} rule.
   */
  public static TrainingData from(MmrecDataset ds, IdMapping baseUsers, IdMapping baseItems) {
    IdMapping userIds = baseUsers.extendedBy(ds.userIds(), "user");
    IdMapping itemIds = baseItems.extendedBy(ds.itemIds(), "item");
    int u = ds.numUsers();
    int n = ds.numItems();
    InteractionTable t = ds.interactions();
    int[] userRow = rowsOf(userIds, ds.userIds());
    int[] itemRow = rowsOf(itemIds, ds.itemIds());
    int[] users = remap(t.users(), userRow);
    int[] items = remap(t.items(), itemRow);
    Split[] splits = Holdout.assign(t);
    // ids in range and one feature row per item are guaranteed by the MmrecDataset record itself
    int trainRows = 0;
    for (Split s : splits) {
      trainRows += s == Split.TRAIN ? 1 : 0;
    }
    if (trainRows == 0) {
      throw new IllegalArgumentException("dataset " + ds.name() + " has no training interactions");
    }
    Builder b = new Builder();
    b.name = ds.name();
    b.numUsers = u;
    b.numItems = n;
    b.userIds = userIds;
    b.itemIds = itemIds;
    b.rowUsers = new int[trainRows];
    b.rowItems = new int[trainRows];
    long[] keys = new long[trainRows];
    int k = 0;
    for (int r = 0; r < t.size(); r++) {
      if (splits[r] == Split.TRAIN) {
        b.rowUsers[k] = users[r];
        b.rowItems[k] = items[r];
        keys[k] = (long) users[r] * n + items[r];
        k++;
      }
    }
    Arrays.sort(keys);
    int distinct = 0;
    for (int i = 0; i < keys.length; i++) {
      if (i == 0 || keys[i] != keys[i - 1]) {
        keys[distinct++] = keys[i];
      }
    }
    b.edgeUsers = new int[distinct];
    b.edgeItems = new int[distinct];
    b.userDegree = new int[u];
    b.itemDegree = new int[n];
    for (int e = 0; e < distinct; e++) {
      int eu = (int) (keys[e] / n);
      int ei = (int) (keys[e] % n);
      b.edgeUsers[e] = eu;
      b.edgeItems[e] = ei;
      b.userDegree[eu]++;
      b.itemDegree[ei]++;
    }
    b.userTrainItems = new int[u][];
    int e = 0;
    for (int user = 0; user < u; user++) {
      int from = e;
      while (e < distinct && b.edgeUsers[e] == user) {
        e++;
      }
      b.userTrainItems[user] = Arrays.copyOfRange(b.edgeItems, from, e);
    }
    b.validTargets = targets(users, items, splits, Split.VALID, u, b.userDegree);
    b.testTargets = targets(users, items, splits, Split.TEST, u, b.userDegree);
    int pool = 0;
    for (int d : b.itemDegree) {
      pool += d > 0 ? 1 : 0;
    }
    b.negativePool = new int[pool];
    for (int i = 0, p = 0; i < n; i++) {
      if (b.itemDegree[i] > 0) {
        b.negativePool[p++] = i;
      }
    }
    b.features = visualFirst(ds.features().stream().map(f -> permuteRows(f, itemRow)).toList());
    return new TrainingData(b);
  }

  /** The mapping's row of each of the dataset's ids. */
  private static int[] rowsOf(IdMapping mapping, List<String> ids) {
    int[] rows = new int[ids.size()];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = mapping.row(ids.get(i));
    }
    return rows;
  }

  private static boolean identity(int[] map) {
    for (int i = 0; i < map.length; i++) {
      if (map[i] != i) {
        return false;
      }
    }
    return true;
  }

  private static int[] remap(int[] ids, int[] map) {
    if (identity(map)) {
      return ids;
    }
    int[] out = new int[ids.length];
    for (int r = 0; r < ids.length; r++) {
      out[r] = map[ids[r]];
    }
    return out;
  }

  /** Row i of the dataset's matrix becomes row {@code map[i]}. */
  private static FeatureMatrix permuteRows(FeatureMatrix f, int[] map) {
    if (identity(map)) {
      return f;
    }
    int d = f.dim();
    float[] out = new float[f.data().length];
    for (int i = 0; i < map.length; i++) {
      System.arraycopy(f.data(), i * d, out, map[i] * d, d);
    }
    return new FeatureMatrix(f.modality(), f.rows(), d, out);
  }

  /** Names read as MMRec's v_feat, whose kNN graph gets mm_image_weight (§2.2c). */
  static final java.util.Set<String> VISUAL_NAMES = java.util.Set.of("image", "visual", "vision", "img", "v");

  /**
   * The dataset's modalities with a visual one moved to the front, the others keeping their order:
   * the first modality plays MMRec's v_feat (mixed with weight mm_image_weight = 0.1, §2.2c). The
   * reader lists files by name, which would put TikTok's audio before image.
   */
  static List<FeatureMatrix> visualFirst(List<FeatureMatrix> features) {
    List<FeatureMatrix> out = new ArrayList<>(features);
    for (int m = 0; m < out.size(); m++) {
      if (VISUAL_NAMES.contains(out.get(m).modality().toLowerCase(java.util.Locale.ROOT))) {
        out.add(0, out.remove(m));
        break;
      }
    }
    return List.copyOf(out);
  }

  /** Distinct sorted targets per user; users without training rows are dropped (§1.4). */
  private static int[][] targets(int[] users, int[] items, Split[] splits, Split split, int numUsers,
      int[] userDegree) {
    List<List<Integer>> per = new ArrayList<>(numUsers);
    for (int i = 0; i < numUsers; i++) {
      per.add(null);
    }
    for (int r = 0; r < users.length; r++) {
      int user = users[r];
      if (splits[r] == split && userDegree[user] > 0) {
        if (per.get(user) == null) {
          per.set(user, new ArrayList<>());
        }
        per.get(user).add(items[r]);
      }
    }
    int[][] out = new int[numUsers][];
    for (int user = 0; user < numUsers; user++) {
      List<Integer> l = per.get(user);
      out[user] = l == null ? new int[0] : l.stream().mapToInt(Integer::intValue).sorted().distinct().toArray();
    }
    return out;
  }

  /**
   * Paper Eq. 5: per user, the sum of the raw feature vectors of the distinct items in the
   * training split, U x dim row-major. Accumulated in double so that it equals the stream
   * processor's exact sums up to the final float rounding.
   */
  public float[] userFeatureSums(int modality) {
    FeatureMatrix f = features.get(modality);
    int d = f.dim();
    double[] acc = new double[d];
    float[] out = new float[numUsers * d];
    for (int user = 0; user < numUsers; user++) {
      Arrays.fill(acc, 0);
      for (int item : userTrainItems[user]) {
        int off = item * d;
        for (int j = 0; j < d; j++) {
          acc[j] += f.data()[off + j];
        }
      }
      for (int j = 0; j < d; j++) {
        out[user * d + j] = (float) acc[j];
      }
    }
    return out;
  }

  /** Users with at least one target in the split, ascending (§6 "evaluated users"). */
  public int[] evaluatedUsers(Split split) {
    int[][] targets = targets(split);
    return java.util.stream.IntStream.range(0, numUsers).filter(x -> targets[x].length > 0).toArray();
  }

  public int[][] targets(Split split) {
    return switch (split) {
      case VALID -> validTargets;
      case TEST -> testTargets;
      case TRAIN -> userTrainItems;
      case UNLABELLED -> throw new IllegalArgumentException("unlabelled rows are assigned by the holdout rule");
    };
  }

  public String name() { return name; }
  public int numUsers() { return numUsers; }
  public int numItems() { return numItems; }
  public int numNodes() { return numUsers + numItems; }
  public IdMapping userIds() { return userIds; }
  public IdMapping itemIds() { return itemIds; }
  public int numTrainRows() { return rowUsers.length; }
  public int[] rowUsers() { return rowUsers; }
  public int[] rowItems() { return rowItems; }
  public int numEdges() { return edgeUsers.length; }
  public int[] edgeUsers() { return edgeUsers; }
  public int[] edgeItems() { return edgeItems; }
  public int[] userDegree() { return userDegree; }
  public int[] itemDegree() { return itemDegree; }
  /** Distinct training items of a user, sorted ascending. */
  public int[] trainItems(int user) { return userTrainItems[user]; }
  public int[] negativePool() { return negativePool; }
  public List<FeatureMatrix> features() { return features; }

  private static final class Builder {
    String name;
    int numUsers;
    int numItems;
    IdMapping userIds;
    IdMapping itemIds;
    int[] rowUsers;
    int[] rowItems;
    int[] edgeUsers;
    int[] edgeItems;
    int[][] userTrainItems;
    int[][] validTargets;
    int[][] testTargets;
    int[] userDegree;
    int[] itemDegree;
    int[] negativePool;
    List<FeatureMatrix> features;
  }
}
