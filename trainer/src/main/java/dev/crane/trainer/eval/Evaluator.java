package dev.crane.trainer.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.crane.schemas.Split;
import dev.crane.trainer.data.TrainingData;
import dev.crane.trainer.engine.Autograd;
import java.util.Arrays;
import java.util.Map;

/**
 * Full-ranking evaluation exactly as MMRec (crane-spec.md §6): every item is a candidate, the
 * user's training items get score -1e10 (items of the other held-out split stay candidates), the
 * top 50 are ranked, and metrics are averaged over the users that have targets in the split. The
 * caller computes the final embeddings once per evaluation; scoring runs in user batches.
 */
public final class Evaluator {
  static final float MASKED = -1e10f;
  /**
   * Score matrices stay at or below 16 M floats (64 MB): at Electronics size MMRec's 4096-user batch
   * is a 1 GB matrix plus its masked copy, which the training step's freed (smaller) blocks cannot
   * hold, so every evaluation grew the heap by gigabytes. The batch size changes no figure.
   */
  static final long MAX_SCORES = 1L << 24;
  private final TrainingData data;
  private final int userBatch;

  public Evaluator(TrainingData data, int userBatch) {
    this.data = data;
    this.userBatch = batchFor(userBatch, data.numItems());
  }

  /** Users scored at once: at most {@code requested}, and at most {@link #MAX_SCORES} scores. */
  public static int batchFor(int requested, int numItems) {
    return (int) Math.max(1, Math.min(requested, MAX_SCORES / Math.max(1, numItems)));
  }

  /**
   * @param users final user vectors, U x d (paper Eq. 17)
   * @param items final item vectors, I x d
   */
  public Map<String, Double> evaluate(NDArray users, NDArray items, Split split) {
    int[] evalUsers = data.evaluatedUsers(split);
    int[][] targets = data.targets(split);
    RankingMetrics metrics = new RankingMetrics();
    int numItems = data.numItems();
    int k = Math.min(RankingMetrics.MAX_K, numItems);
    Autograd.noGrad(() -> {
      try (NDScope scope = new NDScope()) {
        NDManager m = users.getManager();
        NDArray itemsT = items.transpose();
        for (int from = 0; from < evalUsers.length; from += userBatch) {
          int[] batch = Arrays.copyOfRange(evalUsers, from, Math.min(evalUsers.length, from + userBatch));
          try (NDScope inner = new NDScope()) {
            NDArray idx = m.create(Arrays.stream(batch).asLongStream().toArray()).toDevice(users.getDevice(), false);
            NDArray scores = users.get(new NDIndex("{}", idx)).matMul(itemsT);
            long[] flat = maskPositions(batch, numItems);
            if (flat.length > 0) {
              NDArray pos = m.create(flat).toDevice(users.getDevice(), false);
              NDArray fill = m.full(new Shape(flat.length), MASKED, DataType.FLOAT32).toDevice(users.getDevice(), false);
              scores = scores.put(pos, fill);
            }
            long[] top = scores.topK(k, 1, true, true).get(1).toDevice(ai.djl.Device.cpu(), false).toLongArray();
            for (int b = 0; b < batch.length; b++) {
              metrics.add(Arrays.copyOfRange(top, b * k, (b + 1) * k), targets[batch[b]]);
            }
          }
        }
      }
    });
    return metrics.result();
  }

  /** Flat (row * I + item) positions of the batch users' training items. */
  private long[] maskPositions(int[] batch, int numItems) {
    int total = 0;
    for (int u : batch) {
      total += data.trainItems(u).length;
    }
    long[] flat = new long[total];
    int p = 0;
    for (int b = 0; b < batch.length; b++) {
      for (int item : data.trainItems(batch[b])) {
        flat[p++] = (long) b * numItems + item;
      }
    }
    return flat;
  }
}
