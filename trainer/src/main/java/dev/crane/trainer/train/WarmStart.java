package dev.crane.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.crane.trainer.data.TrainingData;
import dev.crane.trainer.engine.Autograd;
import dev.crane.trainer.engine.Scalars;
import dev.crane.trainer.engine.Tensors;
import dev.crane.trainer.model.core.ContentMap;
import dev.crane.trainer.model.core.ContentSpace;
import dev.crane.trainer.model.core.Parameters;
import dev.crane.trainer.model.core.Parameters.Rows;
import dev.crane.trainer.model.core.Recommender;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Carries an accepted model over to a later snapshot, whose id mappings extend the model's
 * (design.md: append-only). The model is built on the new data first, then:
 *
 * <ul>
 *   <li>shared weights (projections, attention) and the rows of old users and items are the
 *       checkpoint's;
 *   <li>a new item's learned row is what the item graph would give it (crane-spec.md Eq. 14-15): the
 *       weighted mean of the rows of its k nearest old items by cosine in the model's content space,
 *       weights the clipped, row-normalised similarities; without features, the mean of the rows of
 *       the old users who interacted with it;
 *   <li>a new user's learned row is the mean of its training items' rows (LightGCN's view of a user
 *       as the sum of its neighbours, normalised);
 *   <li>rows taken from the data (fine-tuned raw features) start from the new item's own data.
 * </ul>
 *
 * Anything left without a source (a new user with no training item, a new item with neither content
 * nor old users) keeps the model's own initialisation. The optimizer state starts afresh.
 */
public final class WarmStart {
  /** Neighbours per new item (FREEDOM's and the paper's k are 10 to 15). */
  static final int NEIGHBOURS = 10;

  /** What a warm start did. */
  public record Report(int oldUsers, int newUsers, int oldItems, int newItems, int itemsFromContent,
      int itemsFromUsers, int usersFromItems) {
    @Override
    public String toString() {
      return String.format("%,d old + %,d new users (%,d placed by their items), %,d old + %,d new items "
          + "(%,d placed by content, %,d by their users)", oldUsers, newUsers, usersFromItems, oldItems, newItems,
          itemsFromContent, itemsFromUsers);
    }
  }

  private WarmStart() {}

  /** Why {@code ckpt} cannot seed {@code model}, or empty when it can. */
  public static Optional<String> incompatibility(Checkpoint ckpt, Recommender model, TrainingData data) {
    Checkpoint.Meta m = ckpt.meta();
    if (!m.model.equals(model.name())) {
      return Optional.of("the checkpoint is a " + m.model + " model, not " + model.name());
    }
    Parameters ps = model.parameters();
    if (!ps.all().keySet().equals(ckpt.parameters().keySet())) {
      return Optional.of("the checkpoint's parameters " + ckpt.parameters().keySet() + " are not the model's "
          + ps.all().keySet() + " (other modalities or another configuration)");
    }
    if (!prefix(m.userIds, data.userIds().ids()) || !prefix(m.itemIds, data.itemIds().ids())) {
      return Optional.of("the data's id mappings do not extend the checkpoint's");
    }
    for (int k = 0; k < m.parameterNames.size(); k++) {
      String name = m.parameterNames.get(k);
      long[] old = m.parameterShapes.get(k);
      long[] now = ps.get(name).getShape().getShape();
      Rows rows = ps.rows(name);
      long expectedRows = switch (rows) {
        case SHARED -> now[0];
        case USER -> m.userIds.size();
        case ITEM, ITEM_DATA -> m.itemIds.size();
      };
      boolean same = old.length == now.length && old[0] == expectedRows;
      for (int d = 1; same && d < old.length; d++) {
        same = old[d] == now[d];
      }
      if (!same) {
        return Optional.of("parameter " + name + " has shape " + java.util.Arrays.toString(old) + " in the checkpoint and "
            + java.util.Arrays.toString(now) + " in the model (other dimensions)");
      }
    }
    return Optional.empty();
  }

  private static boolean prefix(List<String> old, List<String> now) {
    return now.size() >= old.size() && now.subList(0, old.size()).equals(old);
  }

  /** Sets {@code model}'s parameters from {@code ckpt} as the class comment says; check {@link #incompatibility} first. */
  public static Report apply(Checkpoint ckpt, Recommender model, TrainingData data) {
    incompatibility(ckpt, model, data).ifPresent(why -> {
      throw new IllegalArgumentException("cannot warm-start: " + why);
    });
    Parameters ps = model.parameters();
    int oldUsers = ckpt.meta().userIds.size();
    int oldItems = ckpt.meta().itemIds.size();
    int[] counts = new int[3];
    Autograd.noGrad(() -> {
      // shared weights first: a learned content map is then the checkpoint's
      for (Map.Entry<String, NDArray> e : ps.all().entrySet()) {
        if (ps.rows(e.getKey()) == Rows.SHARED) {
          Tensors.assign(e.getValue(), ckpt.parameters().get(e.getKey()));
        }
      }
      for (Map.Entry<String, NDArray> e : ps.all().entrySet()) {
        if (ps.rows(e.getKey()) == Rows.ITEM_DATA) {
          Tensors.assign(e.getValue(), withOldRows(e.getValue(), ckpt.parameters().get(e.getKey()), oldItems));
        }
      }
      String userParam = only(ps, Rows.USER);
      String itemParam = only(ps, Rows.ITEM);
      float[] users = withOldRows(ps.get(userParam), ckpt.parameters().get(userParam), oldUsers);
      float[] items = itemParam == null ? null
          : withOldRows(ps.get(itemParam), ckpt.parameters().get(itemParam), oldItems);
      int d = (int) ps.get(userParam).getShape().get(1);
      if (items != null) {
        boolean[] placed = new boolean[data.numItems() - oldItems];
        counts[0] = placeByContent(model, data, items, oldItems, d, placed);
        counts[1] = placeByUsers(data, items, users, oldItems, oldUsers, d, placed);
        Tensors.assign(ps.get(itemParam), items);
        counts[2] = placeUsersByItems(data, users, items, oldUsers, d);
      }
      Tensors.assign(ps.get(userParam), users);
    });
    return new Report(oldUsers, data.numUsers() - oldUsers, oldItems, data.numItems() - oldItems, counts[0], counts[1],
        counts[2]);
  }

  private static String only(Parameters ps, Rows kind) {
    List<String> names = ps.all().keySet().stream().filter(n -> ps.rows(n) == kind).toList();
    if (names.size() > 1) {
      throw new IllegalStateException("a warm start expects at most one parameter of rows " + kind + ", found " + names);
    }
    return names.isEmpty() ? null : names.get(0);
  }

  /** The fresh model's values with the first {@code oldRows} rows replaced by the checkpoint's. */
  private static float[] withOldRows(NDArray fresh, float[] old, int oldRows) {
    float[] out = fresh.toFloatArray();
    System.arraycopy(old, 0, out, 0, (int) Math.min(old.length, (long) oldRows * (out.length / fresh.getShape().get(0))));
    return out;
  }

  /** New items' rows from their nearest old items in the content space; returns how many were placed. */
  private static int placeByContent(Recommender model, TrainingData data, float[] items, int oldItems, int d,
      boolean[] placed) {
    int total = data.numItems();
    if (total == oldItems || oldItems == 0 || data.features().isEmpty()) {
      return 0;
    }
    List<ContentMap> maps = model.contentMaps(data.features());
    NDManager manager = model.parameters().manager();
    int count = 0;
    try (NDScope scope = new NDScope()) {
      NDArray unit = Scalars.unitRows(ContentSpace.of(manager, data.features(), maps));
      NDArray old = unit.get("0:" + oldItems);
      NDArray fresh = unit.get(oldItems + ":" + total);
      int k = Math.min(NEIGHBOURS, oldItems);
      NDArray sims = fresh.matMul(old.transpose());
      NDArray[] top = sims.topK(k, 1, true, true).toArray(new NDArray[0]);
      float[] w = top[0].toFloatArray();
      long[] idx = top[1].toLongArray();
      for (int n = 0; n < total - oldItems; n++) {
        double sum = 0;
        for (int j = 0; j < k; j++) {
          sum += Math.max(0, w[n * k + j]);
        }
        if (sum <= 0) {
          continue; // nothing alike: left to its users or its initialisation
        }
        int row = (oldItems + n) * d;
        java.util.Arrays.fill(items, row, row + d, 0f);
        for (int j = 0; j < k; j++) {
          float weight = (float) (Math.max(0, w[n * k + j]) / sum);
          int src = (int) idx[n * k + j] * d;
          for (int c = 0; c < d; c++) {
            items[row + c] += weight * items[src + c];
          }
        }
        placed[n] = true;
        count++;
      }
    }
    return count;
  }

  /** New items still unplaced whose training users include old ones: the mean of those users' rows. */
  private static int placeByUsers(TrainingData data, float[] items, float[] users, int oldItems, int oldUsers, int d,
      boolean[] placedByContent) {
    int total = data.numItems();
    float[] sum = new float[(total - oldItems) * d];
    int[] count = new int[total - oldItems];
    for (int e = 0; e < data.numEdges(); e++) {
      int i = data.edgeItems()[e];
      int u = data.edgeUsers()[e];
      if (i >= oldItems && u < oldUsers) {
        for (int c = 0; c < d; c++) {
          sum[(i - oldItems) * d + c] += users[u * d + c];
        }
        count[i - oldItems]++;
      }
    }
    int placed = 0;
    for (int n = 0; n < count.length; n++) {
      if (count[n] > 0 && !placedByContent[n]) {
        for (int c = 0; c < d; c++) {
          items[(oldItems + n) * d + c] = sum[n * d + c] / count[n];
        }
        placed++;
      }
    }
    return placed;
  }

  /** New users with training items: the mean of those items' rows. */
  private static int placeUsersByItems(TrainingData data, float[] users, float[] items, int oldUsers, int d) {
    int placed = 0;
    for (int u = oldUsers; u < data.numUsers(); u++) {
      int[] own = data.trainItems(u);
      if (own.length == 0) {
        continue;
      }
      int row = u * d;
      java.util.Arrays.fill(users, row, row + d, 0f);
      for (int i : own) {
        for (int c = 0; c < d; c++) {
          users[row + c] += items[i * d + c] / own.length;
        }
      }
      placed++;
    }
    return placed;
  }
}
