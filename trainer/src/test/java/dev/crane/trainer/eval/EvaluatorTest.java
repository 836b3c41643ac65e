package dev.crane.trainer.eval;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.crane.schemas.Split;
import dev.crane.trainer.data.ToyData;
import dev.crane.trainer.data.TrainingData;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EvaluatorTest {
  @Test
  void masksTrainingItemsOnlyAndAveragesOverUsersWithTargets() {
    int[][] rows = {
      {0, 0, 0}, {1, 5, 0}, {2, 1, 0},
      {0, 1, 1}, {0, 3, 1}, {1, 0, 1},
      {0, 2, 2}, {2, 4, 2},
    };
    TrainingData d = TrainingData.from(ToyData.dataset(3, 6, rows));
    try (NDManager m = NDManager.newBaseManager()) {
      // identity item vectors, so user vectors are the score rows
      float[] eye = new float[36];
      for (int i = 0; i < 6; i++) {
        eye[i * 6 + i] = 1;
      }
      NDArray items = m.create(eye, new Shape(6, 6));
      NDArray users = m.create(new float[] {
        10, 5, 4, 3, 2, 1, // u0: item 0 (train) would rank first unmasked
        0, 6, 5, 4, 3, 9,  // u1: item 5 (train) masked, target 0 at rank 5
        0, 9, 1, 1, 1, 1,
      }, new Shape(3, 6));
      Map<String, Double> r = new Evaluator(d, 2).evaluate(users, items, Split.VALID);
      // u0: ranking 1,2,3,4,5 with targets {1,3}: hits at 1, 3; u1: hit at 5; u2 has no valid target
      assertThat(r.get("recall@5")).isEqualTo(1.0);
      assertThat(r.get("precision@5")).isEqualTo(0.3);
      // (1.5/1.630930 + (1/log2 6)/1) / 2 = (0.919721 + 0.386853) / 2
      assertThat(r.get("ndcg@5")).isEqualTo(0.6533);
      assertThat(r.get("map@5")).isEqualTo(0.5167); // ((1 + 2/3)/2 + 1/5) / 2
      Map<String, Double> t = new Evaluator(d, 4096).evaluate(users, items, Split.TEST);
      // u0 test {2}: valid items 1 and 3 are NOT masked, so 2 ranks 2nd; u2 test {4}: item 1 masked,
      // scores 0,9(masked),1,1,1,1 -> items 2,3,4,5 tie at 1: rank of 4 depends on tie order, 2..5
      assertThat(t.get("recall@5")).isEqualTo(1.0);
      assertThat(t.get("ndcg@1" + "0")).isGreaterThan(0.5);
    }
  }

  @Test
  void scoreBlocksAreCappedAndTheBatchChangesNoFigure() {
    assertThat(Evaluator.batchFor(4096, 63_001)).isEqualTo(266); // 266 x 63,001 scores <= 16 M floats
    assertThat(Evaluator.batchFor(4096, 6_710)).isEqualTo(2500);
    assertThat(Evaluator.batchFor(4096, 100)).isEqualTo(4096);
    assertThat(Evaluator.batchFor(8, 1 << 30)).isEqualTo(1);
    TrainingData d = TrainingData.from(dev.crane.trainer.data.PlantedData.generate(50, 30, 3, 6, new int[] {4}, 2));
    try (NDManager m = NDManager.newBaseManager()) {
      java.util.SplittableRandom rng = new java.util.SplittableRandom(4);
      NDArray users = m.create(dev.crane.trainer.model.core.Init.uniform(rng, 50 * 8, 1.0), new Shape(50, 8));
      NDArray items = m.create(dev.crane.trainer.model.core.Init.uniform(rng, 30 * 8, 1.0), new Shape(30, 8));
      Map<String, Double> one = new Evaluator(d, 1).evaluate(users, items, Split.TEST);
      Map<String, Double> all = new Evaluator(d, 4096).evaluate(users, items, Split.TEST);
      assertThat(one).isEqualTo(all);
      assertThat(all.get("recall@20")).isGreaterThan(0.0);
    }
  }
}
