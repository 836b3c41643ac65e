package dev.crane.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.crane.ingest.dataset.FeatureMatrix;
import dev.crane.schemas.Split;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrainingDataTest {
  // user 3 has no training row: its valid row must be dropped (§1.4); (0,1) appears twice in train
  static final int[][] ROWS = {
    {0, 1, 0}, {0, 2, 0}, {0, 1, 0}, {1, 0, 0}, {2, 3, 0}, {2, 1, 0},
    {0, 3, 1}, {1, 2, 1}, {3, 0, 1},
    {0, 0, 2}, {2, 0, 2}, {2, 2, 2},
  };

  @Test
  void splitsEdgesDegreesAndColdUsers() {
    TrainingData d = TrainingData.from(ToyData.dataset(4, 5, ROWS));
    assertThat(d.numTrainRows()).isEqualTo(6);
    assertThat(d.numEdges()).isEqualTo(5);
    assertThat(d.edgeUsers()).containsExactly(0, 0, 1, 2, 2);
    assertThat(d.edgeItems()).containsExactly(1, 2, 0, 1, 3);
    assertThat(d.userDegree()).containsExactly(2, 1, 2, 0);
    assertThat(d.itemDegree()).containsExactly(1, 2, 1, 1, 0);
    assertThat(d.trainItems(2)).containsExactly(1, 3);
    assertThat(d.targets(Split.VALID)[3]).isEmpty();
    assertThat(d.evaluatedUsers(Split.VALID)).containsExactly(0, 1);
    assertThat(d.evaluatedUsers(Split.TEST)).containsExactly(0, 2);
    assertThat(d.targets(Split.TEST)[2]).containsExactly(0, 2);
    assertThat(d.negativePool()).containsExactly(0, 1, 2, 3);
    assertThatThrownBy(() -> TrainingData.from(ToyData.dataset(4, 5, new int[][] {{0, 1, 1}, {1, 2, 2}})))
        .hasMessageContaining("no training interactions");
  }

  @Test
  void userFeatureSumsOverDistinctTrainingItems() {
    float[] f = new float[5 * 2];
    for (int i = 0; i < 5; i++) {
      f[2 * i] = i;
      f[2 * i + 1] = 10 * i + 0.5f;
    }
    TrainingData d = TrainingData.from(ToyData.dataset(4, 5, ROWS, List.of(new FeatureMatrix("v", 5, 2, f))));
    float[] sums = d.userFeatureSums(0);
    // user 0: items 1 and 2 (the duplicate row counts once); user 2: items 1 and 3; user 3: none
    assertThat(sums).containsExactly(3, 31, 0, 0.5f, 4, 41, 0, 0);
  }

  @Test
  void outOfRangeIdsAndFeatureRowMismatchCannotReachTraining() {
    assertThatThrownBy(() -> TrainingData.from(ToyData.dataset(2, 5, ROWS)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ids exceed");
    assertThatThrownBy(() -> TrainingData.from(
        ToyData.dataset(4, 5, ROWS, List.of(new FeatureMatrix("v", 4, 1, new float[4])))))
        .hasMessageContaining("'v' has 4 rows");
  }

  @Test
  void visualModalityComesFirstSoItGetsTheImageWeight() {
    FeatureMatrix audio = new FeatureMatrix("audio", 5, 1, new float[5]);
    FeatureMatrix image = new FeatureMatrix("image", 5, 1, new float[5]);
    FeatureMatrix text = new FeatureMatrix("text", 5, 1, new float[5]);
    TrainingData d = TrainingData.from(ToyData.dataset(4, 5, ROWS, List.of(audio, image)));
    assertThat(d.features()).extracting(FeatureMatrix::modality).containsExactly("image", "audio");
    TrainingData noVisual = TrainingData.from(ToyData.dataset(4, 5, ROWS, List.of(text, audio)));
    assertThat(noVisual.features()).extracting(FeatureMatrix::modality).containsExactly("text", "audio");
  }
}
