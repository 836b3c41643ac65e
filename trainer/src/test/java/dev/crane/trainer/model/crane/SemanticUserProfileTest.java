package dev.crane.trainer.model.crane;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.crane.trainer.data.ToyData;
import dev.crane.trainer.data.TrainingData;
import org.junit.jupiter.api.Test;

class SemanticUserProfileTest {
  @Test
  void usersAverageTheirTrainingItemsAndChosenRowsMatchTheFullProduct() {
    // user 0: items 0, 2; user 1: items 1, 2, 3; user 2: no training item (only a validation row)
    TrainingData data = TrainingData.from(ToyData.dataset(3, 4,
        new int[][] {{0, 0, 0}, {0, 2, 0}, {1, 1, 0}, {1, 2, 0}, {1, 3, 0}, {2, 0, 1}, {0, 3, 2}}));
    int d = 3;
    float[] sem = new float[data.numItems() * d];
    for (int k = 0; k < sem.length; k++) {
      sem[k] = (k * 7 % 11) - 5;
    }
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray items = m.create(sem, new Shape(data.numItems(), d));
      SemanticUserProfile profile = new SemanticUserProfile(data, false, m);
      float[] all = profile.of(items).toFloatArray();
      for (int u = 0; u < data.numUsers(); u++) {
        int[] seen = data.trainItems(u);
        for (int j = 0; j < d; j++) {
          double mean = 0;
          for (int i : seen) {
            mean += sem[i * d + j];
          }
          mean = seen.length == 0 ? 0 : mean / seen.length;
          assertThat((double) all[u * d + j]).as("user %d dim %d", u, j).isCloseTo(mean, org.assertj.core.data.Offset.offset(1e-5));
        }
      }
      long[] chosen = {data.numUsers() - 1, 0, 1};
      float[] rows = profile.of(chosen, items).toFloatArray();
      assertThat(rows).hasSize(chosen.length * d);
      for (int r = 0; r < chosen.length; r++) {
        for (int j = 0; j < d; j++) {
          assertThat(rows[r * d + j]).isEqualTo(all[(int) chosen[r] * d + j]);
        }
      }
    }
  }
}
