package dev.crane.trainer.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import dev.crane.ingest.dataset.MmrecDataset;
import dev.crane.trainer.config.TrainConfig;
import dev.crane.trainer.data.PlantedData;
import dev.crane.trainer.data.Snapshots;
import dev.crane.trainer.data.TrainingData;
import dev.crane.trainer.model.core.Recommender;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A model trained on a first snapshot, carried over to a second one with new users and items. */
class RetrainingTest {
  static final MmrecDataset FULL = PlantedData.generate(300, 200, 5, 12, new int[] {16, 8}, 11);
  static final MmrecDataset FIRST = Snapshots.cut(FULL, u -> u < 250, i -> i < 180);
  static final MmrecDataset SECOND = Snapshots.cut(FULL, u -> true, i -> true);

  static TrainConfig.Builder builder(String model, int epochs) {
    return EndToEndTest.builder(model).epochs(epochs);
  }

  static TrainConfig config(String model, int epochs) {
    return builder(model, epochs).build();
  }

  private static Checkpoint trainFirst(String model, NDManager m) {
    TrainConfig c = config(model, 15);
    Retraining.Outcome first = Retraining.run(FIRST, c, c, null, false, m, TrainingListener.NONE, () -> false);
    assertThat(first.mode()).isEqualTo(Retraining.Mode.FULL);
    assertThat(first.why()).isEqualTo("no serving model");
    assertThat(first.baseline()).isEmpty();
    return Checkpoint.of(first.model(), first.parameters(), c, first.data().userIds(), first.data().itemIds(), Map.of());
  }

  @Test
  void oldRowsAreCarriedOverAndNewUsersAndItemsArePlacedByTheirItemsAndContent() {
    try (NDManager m = NDManager.newBaseManager()) {
      Checkpoint ckpt = trainFirst("lightgcn", m);
      TrainingData second = TrainingData.from(SECOND, new dev.crane.trainer.data.IdMapping(ckpt.meta().userIds),
          new dev.crane.trainer.data.IdMapping(ckpt.meta().itemIds));
      Recommender fresh = dev.crane.trainer.model.ModelFactory.create(config("lightgcn", 1), second, m,
          new java.util.SplittableRandom(3));
      WarmStart.Report r = WarmStart.apply(ckpt, fresh, second);
      assertThat(r.oldUsers()).isEqualTo(250);
      assertThat(r.newUsers()).isEqualTo(50);
      assertThat(r.oldItems()).isEqualTo(180);
      assertThat(r.newItems()).isEqualTo(20);
      assertThat(r.itemsFromContent()).isEqualTo(20);
      assertThat(r.usersFromItems()).isEqualTo(50);
      int d = 16;
      float[] users = fresh.parameters().get("user_embedding").toFloatArray();
      float[] items = fresh.parameters().get("item_embedding").toFloatArray();
      float[] oldUsers = ckpt.parameters().get("user_embedding");
      // an old user keeps its row, found by id
      String id = ckpt.meta().userIds.get(17);
      int row = second.userIds().row(id);
      assertThat(row).isEqualTo(17);
      assertThat(java.util.Arrays.copyOfRange(users, row * d, row * d + d))
          .containsExactly(java.util.Arrays.copyOfRange(oldUsers, 17 * d, 17 * d + d));
      // a new user's row is the mean of its training items' rows
      int u = 260;
      int[] own = second.trainItems(u);
      for (int c = 0; c < d; c++) {
        double mean = 0;
        for (int i : own) {
          mean += items[i * d + c] / own.length;
        }
        assertThat(users[u * d + c]).isCloseTo((float) mean, org.assertj.core.data.Offset.offset(1e-5f));
      }
    }
  }

  @Test
  void aFineTuneContinuesFromTheCheckpointsOptimizerStateUnlessAskedForAFreshOne(@org.junit.jupiter.api.io.TempDir
      java.nio.file.Path dir) throws Exception {
    try (NDManager m = NDManager.newBaseManager()) {
      TrainConfig c = config("lightgcn", 3);
      Retraining.Outcome first = Retraining.run(FIRST, c, c, null, false, m, TrainingListener.NONE, () -> false);
      Adam.State trained = first.optimizer();
      assertThat(trained).isNotNull();
      assertThat(trained.steps()).isPositive();
      Checkpoint.of(first.model(), first.parameters(), c, first.data().userIds(), first.data().itemIds(), Map.of())
          .withOptimizer(trained).save(dir.resolve("ckpt"));
      Checkpoint ckpt = Checkpoint.load(dir.resolve("ckpt"));
      // the moments come back as saved
      assertThat(ckpt.optimizer().steps()).isEqualTo(trained.steps());
      assertThat(ckpt.optimizer().v().get("item_embedding")).containsExactly(trained.v().get("item_embedding"));
      assertThat(ckpt.optimizer().m().keySet()).isEqualTo(first.parameters().keySet());

      TrainConfig one = config("lightgcn", 1);
      Retraining.Outcome carried = Retraining.run(SECOND, one, one, ckpt, false, m, TrainingListener.NONE, () -> false);
      assertThat(carried.warmOptimizer()).isTrue();
      int epochSteps = carried.result().history().get(0).batches();
      assertThat(carried.optimizer().steps()).isEqualTo(trained.steps() + epochSteps);
      // old rows' second moments continue from the saved ones; new items' started from zero
      float[] before = trained.v().get("item_embedding");
      float[] after = carried.optimizer().v().get("item_embedding");
      assertThat(after.length).isGreaterThan(before.length);
      double oldDecay = 0;
      for (int i = 0; i < before.length; i++) {
        oldDecay += after[i] - Math.pow(0.999, epochSteps) * before[i];
      }
      assertThat(oldDecay).as("an old row's v is at least the decayed saved one").isGreaterThanOrEqualTo(-1e-6 * before.length);

      one = one.toBuilder().warmOptimizer(false).build();
      Retraining.Outcome fresh = Retraining.run(SECOND, one, one, ckpt, false, m, TrainingListener.NONE, () -> false);
      assertThat(fresh.warmOptimizer()).isFalse();
      assertThat(fresh.optimizer().steps()).isEqualTo(epochSteps);
      // a checkpoint without optimizer state (written before it existed) fine-tunes from a fresh one
      Checkpoint plain = Checkpoint.of(first.model(), first.parameters(), c, first.data().userIds(),
          first.data().itemIds(), Map.of());
      plain.save(dir.resolve("plain"));
      assertThat(java.nio.file.Files.exists(dir.resolve("plain/optimizer.bin"))).isFalse();
      Checkpoint reread = Checkpoint.load(dir.resolve("plain"));
      assertThat(reread.optimizer()).isNull();
      one = one.toBuilder().warmOptimizer(true).build();
      Retraining.Outcome none = Retraining.run(SECOND, one, one, reread, false, m, TrainingListener.NONE, () -> false);
      assertThat(none.mode()).isEqualTo(Retraining.Mode.WARM);
      assertThat(none.warmOptimizer()).isFalse();
      assertThat(none.optimizer().steps()).isEqualTo(epochSteps);
    }
  }

  @Test
  void aWarmStartBeginsWhereTheServingModelWasAndAFullRetrainFromScratch() {
    try (NDManager m = NDManager.newBaseManager()) {
      Checkpoint ckpt = trainFirst("lightgcn", m);
      TrainConfig brief = builder("lightgcn", 2).maxBatches(2).build(); // two steps an epoch: a cold model is still near random, a warm one near the baseline
      Retraining.Outcome warm = Retraining.run(SECOND, brief, brief, ckpt, false, m, TrainingListener.NONE, () -> false);
      Retraining.Outcome full = Retraining.run(SECOND, brief, brief, ckpt, true, m, TrainingListener.NONE, () -> false);
      assertThat(warm.mode()).isEqualTo(Retraining.Mode.WARM);
      assertThat(full.mode()).isEqualTo(Retraining.Mode.FULL);
      assertThat(full.why()).isEqualTo("asked for");
      // both are gated against the same baseline: the serving model carried over, untrained
      assertThat(warm.baseline()).isEqualTo(full.baseline()).containsKey("recall@20");
      double random = 20.0 / 190;
      assertThat(warm.baselineRecall20()).isGreaterThan(random + 0.1);
      // after the first epoch the warm start is far ahead of the cold one
      double warmFirst = warm.result().history().get(0).valid().get("recall@20");
      double fullFirst = full.result().history().get(0).valid().get("recall@20");
      assertThat(warmFirst).isGreaterThan(fullFirst + 0.05);
      assertThat(warm.data().userIds().ids().subList(0, 250)).isEqualTo(ckpt.meta().userIds);
      assertThat(warm.validRecall20()).isEqualTo(warm.valid().get("recall@20"));
    }
  }

  @Test
  void aCheckpointOfAnotherModelOrWidthTrainsFromScratchAndSaysWhy() {
    try (NDManager m = NDManager.newBaseManager()) {
      Checkpoint ckpt = trainFirst("lightgcn", m);
      TrainConfig bprConfig = config("bpr", 1);
      Retraining.Outcome bpr = Retraining.run(SECOND, bprConfig, bprConfig, ckpt, false, m, TrainingListener.NONE,
          () -> false);
      assertThat(bpr.mode()).isEqualTo(Retraining.Mode.FULL);
      assertThat(bpr.why()).contains("lightgcn model, not bpr");
      assertThat(bpr.baseline()).containsKey("recall@20"); // the serving lightgcn model, carried over
      TrainConfig wide = builder("lightgcn", 1).embeddingDim(32).build();
      Retraining.Outcome other = Retraining.run(SECOND, wide, wide, ckpt, false, m, TrainingListener.NONE, () -> false);
      assertThat(other.mode()).isEqualTo(Retraining.Mode.FULL);
      assertThat(other.why()).contains("user_embedding").contains("other dimensions");
    }
  }

  @Test
  void theTimeBudgetCountsTheSetUpAndStillTrainsOneEpoch() {
    try (NDManager m = NDManager.newBaseManager()) {
      Checkpoint ckpt = trainFirst("lightgcn", m);
      // building the data and the warm start alone take longer than this budget
      TrainConfig spent = builder("lightgcn", 50).maxSeconds(0.001f).build();
      Retraining.Outcome o = Retraining.run(SECOND, spent, spent, ckpt, false, m, TrainingListener.NONE, () -> false);
      assertThat(o.mode()).isEqualTo(Retraining.Mode.WARM);
      assertThat(o.result().history()).hasSize(1);
      assertThat(o.result().stopReason()).isEqualTo("time-budget");
      TrainConfig ample = builder("lightgcn", 3).patience(10).maxSeconds(3600).build();
      Retraining.Outcome all = Retraining.run(SECOND, ample, ample, ckpt, false, m, TrainingListener.NONE, () -> false);
      assertThat(all.result().history()).hasSize(3);
      assertThat(all.result().stopReason()).isEqualTo("max-epochs");
    }
  }

  @Test
  void theBestEpochsHoldoutScoreIsTheOneItsParametersGiveAgain() {
    // CRANE's item graph takes its neighbours from the parameters once per epoch: an epoch's score must
    // not be computed with the previous parameters' neighbours, or the kept epoch is not what is published
    try (NDManager m = NDManager.newBaseManager()) {
      TrainConfig c = builder("crane", 4).patience(10).build();
      Retraining.Outcome o = Retraining.run(FIRST, c, c, null, false, m, TrainingListener.NONE, () -> false);
      assertThat(o.result().bestEpoch()).isGreaterThanOrEqualTo(1);
      assertThat(o.valid().get("recall@20")).isCloseTo(o.result().bestValid().get("recall@20"),
          org.assertj.core.data.Offset.offset(1e-9));
      assertThat(o.valid().get("ndcg@20")).isCloseTo(o.result().bestValid().get("ndcg@20"),
          org.assertj.core.data.Offset.offset(1e-9));
    }
  }
}
