package dev.crane.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crane.ingest.dataset.FeatureMatrix;
import dev.crane.ingest.dataset.InteractionTable;
import dev.crane.ingest.dataset.MmrecDataset;
import dev.crane.schemas.Split;
import java.util.List;
import org.junit.jupiter.api.Test;

class HoldoutTest {
  private static final Split U = Split.UNLABELLED;

  @Test
  void eachUsersLatestUnrepeatedUnlabelledRowIsHeldOutTheRestTrains() {
    // user 0: items 5 @ t30, 6 @ t10, 7 @ t20 -> 5 is held out
    // user 1: items 2 @ t50 twice and 3 @ t40 -> 2 repeats, so 3 (the latest unrepeated) is held out
    // user 2: one row -> kept for training
    // user 3: labelled rows keep their labels; its unlabelled rows at equal times: the later row is held out
    int[] users = {0, 0, 0, 1, 1, 1, 2, 3, 3, 3, 3};
    int[] items = {5, 6, 7, 2, 3, 2, 1, 4, 8, 9, 1};
    long[] times = {30, 10, 20, 50, 40, 50, 5, 1, 2, 60, 60};
    Split[] splits = {U, U, U, U, U, U, U, Split.TRAIN, Split.TEST, U, U};
    Split[] out = Holdout.assign(new InteractionTable(users, items, times, null, splits));
    assertThat(out).containsExactly(Split.VALID, Split.TRAIN, Split.TRAIN,
        Split.TRAIN, Split.VALID, Split.TRAIN,
        Split.TRAIN,
        Split.TRAIN, Split.TEST, Split.TRAIN, Split.VALID);
  }

  @Test
  void theRuleIsTheSameForEveryVersion() {
    int[] users = {0, 0, 1, 1};
    int[] items = {1, 2, 1, 3};
    long[] times = {1, 2, 1, 2};
    Split[] splits = {U, U, U, U};
    Split[] v1 = Holdout.assign(new InteractionTable(users, items, times, null, splits));
    // version 2 appends user 0's newer interaction: it becomes user 0's held-out row, item 2 trains
    Split[] v2 = Holdout.assign(new InteractionTable(new int[] {0, 0, 1, 1, 0}, new int[] {1, 2, 1, 3, 4},
        new long[] {1, 2, 1, 2, 3}, null, new Split[] {U, U, U, U, U}));
    assertThat(v1).containsExactly(Split.TRAIN, Split.VALID, Split.TRAIN, Split.VALID);
    assertThat(v2).containsExactly(Split.TRAIN, Split.TRAIN, Split.TRAIN, Split.VALID, Split.VALID);
  }

  @Test
  void aPreviousModelsUsersAndItemsKeepTheirRowsAndNewOnesAreAppended() {
    // the dataset lists ids in another order than the model's mapping, and has one new user and item
    MmrecDataset ds = new MmrecDataset("s", 3, 3,
        new InteractionTable(new int[] {0, 1, 2, 2}, new int[] {0, 1, 2, 1}, null, null,
            new Split[] {Split.TRAIN, Split.TRAIN, Split.TRAIN, Split.TRAIN}),
        List.of(new FeatureMatrix("image", 3, 1, new float[] {10, 20, 30})),
        List.of("new-user", "bob", "alice"), List.of("x", "new-item", "y"));
    TrainingData d = TrainingData.from(ds, new IdMapping(List.of("alice", "bob")), new IdMapping(List.of("y", "x")));
    assertThat(d.userIds().ids()).containsExactly("alice", "bob", "new-user");
    assertThat(d.itemIds().ids()).containsExactly("y", "x", "new-item");
    // dataset rows (new-user,x) (bob,new-item) (alice,y) (alice,new-item) in model rows
    assertThat(d.rowUsers()).containsExactly(2, 1, 0, 0);
    assertThat(d.rowItems()).containsExactly(1, 2, 0, 2);
    assertThat(d.features().get(0).data()).containsExactly(30, 10, 20); // y, x, new-item
  }
}
