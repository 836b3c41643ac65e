package dev.crane.api.coldstart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import dev.crane.api.model.EmbeddingTable;
import dev.crane.api.model.Projection;
import dev.crane.api.model.VersionInfo;
import dev.crane.schemas.Modality;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ColdStartPlacerTest {
  // One modality "image" of 2 values, projected by the identity into a 2-d content space.
  private static final VersionInfo INFO = new VersionInfo(1, "crane", 2, 0, 3, Map.of(), 0, Map.of(),
      List.of(new Modality("image", 2)),
      List.of(new Projection("image", 2, 2, new float[] {1, 0, 0, 1}, new float[] {0, 0})));

  /** Items with content (1,0), (0,1), (-1,0); collaborative parts c, semantic parts s. */
  private static EmbeddingTable items() {
    float[] c = {1, 0, 0, 1, 5, 5};
    float[] s = {0, 2, 2, 0, 9, 9};
    float[] v = new float[6];
    for (int i = 0; i < 6; i++) {
      v[i] = c[i] + s[i];
    }
    return EmbeddingTable.of(new String[] {"a", "b", "c"}, 2, v, c, s, new int[] {3, 3, 3},
        new float[] {1, 0, 0, 1, -1, 0}, 2);
  }

  @Test
  void partsAreTheClippedNormalisedSimilarityWeightedSumsOfTheNearestItems() {
    // content (3, 1) -> unit (0.949, 0.316): cosines a 0.949, b 0.316, c -0.949 (clipped to 0)
    ColdStartPlacer.Outcome o = new ColdStartPlacer(3).place(INFO, items(), Map.of("image", new float[] {3, 1}));
    assertThat(o.unplaceable()).isNull();
    double wa = 3 / Math.sqrt(10);
    double wb = 1 / Math.sqrt(10);
    double a = wa / (wa + wb);
    double b = wb / (wa + wb);
    ColdStartPlacer.Placement p = o.placement();
    assertThat((double) p.collaborative()[0]).isCloseTo(a * 1, offset(1e-5));
    assertThat((double) p.collaborative()[1]).isCloseTo(b * 1, offset(1e-5));
    assertThat((double) p.semantic()[0]).isCloseTo(b * 2, offset(1e-5));
    assertThat((double) p.semantic()[1]).isCloseTo(a * 2, offset(1e-5));
    assertThat(p.vector()[0]).isCloseTo(p.collaborative()[0] + p.semantic()[0], offset(1e-6f));
  }

  @Test
  void onlyTheKNearestCount() {
    ColdStartPlacer.Placement p = new ColdStartPlacer(1).place(INFO, items(), Map.of("image", new float[] {3, 1}))
        .placement();
    assertThat(p.collaborative()).containsExactly(1f, 0f);
    assertThat(p.semantic()).containsExactly(0f, 2f);
  }

  @Test
  void itemsThatCannotBePlacedSayWhy() {
    ColdStartPlacer placer = new ColdStartPlacer(3);
    assertThat(placer.place(INFO, items(), Map.of("audio", new float[] {1, 1})).unplaceable())
        .contains("modality image is missing");
    assertThat(placer.place(INFO, items(), Map.of("image", new float[] {1, 1, 1})).unplaceable())
        .contains("3 values").contains("expects 2");
    assertThat(placer.place(INFO, items(), Map.of("image", new float[] {Float.NaN, 1})).unplaceable())
        .contains("non-finite");
    assertThat(placer.place(INFO, items(), Map.of("image", new float[] {0, 0})).unplaceable()).contains("zero");
    VersionInfo noContent = new VersionInfo(1, "lightgcn", 2, 0, 3, Map.of(), 0, Map.of(), List.of(), List.of());
    assertThat(placer.place(noContent, items(), Map.of("image", new float[] {1, 1})).unplaceable())
        .contains("no content space");
  }
}
