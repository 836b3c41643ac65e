package dev.crane.ingest.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.crane.schemas.Modality;
import dev.crane.schemas.Split;
import java.util.List;
import org.junit.jupiter.api.Test;

class MmrecDatasetTest {
  private static final InteractionTable T = new InteractionTable(
      new int[] {0, 2}, new int[] {1, 3}, null, null, new Split[] {Split.TRAIN, Split.TEST});

  private static FeatureMatrix f(String name, int rows) {
    return new FeatureMatrix(name, rows, 2, new float[rows * 2]);
  }

  @Test
  void ofAppliesMmrecSizingRule() {
    MmrecDataset plain = MmrecDataset.of("d", T, List.of());
    assertThat(plain.numUsers()).isEqualTo(3);
    assertThat(plain.numItems()).isEqualTo(4);
    MmrecDataset wide = MmrecDataset.of("d", T, List.of(f("image", 6)));
    assertThat(wide.numItems()).isEqualTo(6);
    assertThat(wide.modalities()).containsExactly(new Modality("image", 2));
  }

  @Test
  void rejectsIdsBeyondTheSizes() {
    assertThatThrownBy(() -> new MmrecDataset("d", 2, 4, T, List.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("max userID 2, numUsers 2");
    assertThatThrownBy(() -> new MmrecDataset("d", 3, 3, T, List.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("max itemID 3, numItems 3");
  }

  @Test
  void rejectsFeatureRowsOtherThanNumItems() {
    assertThatThrownBy(() -> new MmrecDataset("d", 3, 5, T, List.of(f("image", 4))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'image' has 4 rows");
    // a modality listed twice would make feature(name) ambiguous
    assertThatThrownBy(() -> new MmrecDataset("d", 3, 4, T, List.of(f("image", 4), f("image", 4))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("twice");
  }

  @Test
  void rejectsNegativeIds() {
    InteractionTable neg = new InteractionTable(new int[] {-1}, new int[] {0}, null, null, new Split[] {Split.TRAIN});
    assertThatThrownBy(() -> new MmrecDataset("d", 1, 1, neg, List.of())).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void featureLookupNamesTheAvailableModalities() {
    MmrecDataset d = MmrecDataset.of("d", T, List.of(f("image", 4)));
    assertThat(d.feature("image").rows()).isEqualTo(4);
    assertThatThrownBy(() -> d.feature("text")).hasMessageContaining("[image]");
  }
}
