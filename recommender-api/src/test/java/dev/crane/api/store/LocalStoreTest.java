package dev.crane.api.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crane.api.model.VersionData;
import dev.crane.api.model.VersionInfo;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalStoreTest {
  private static VersionInfo info(long v, int users, int items, int dim) {
    return new VersionInfo(v, "crane", dim, users, items, Map.of(), 0, Map.of(0, 5L), List.of(), List.of());
  }

  private static byte[] entry(float... v) {
    return EmbeddingCodec.encode(new EmbeddingCodec.Entry(v, v, new float[v.length], 2, null));
  }

  @Test
  void codecRoundTripsEveryPart() {
    EmbeddingCodec.Entry e = EmbeddingCodec.decode(EmbeddingCodec.encode(new EmbeddingCodec.Entry(
        new float[] {1, 2}, null, new float[] {3, 4}, 7, new float[] {5, 6, 7})));
    assertThat(e.vector()).containsExactly(1, 2);
    assertThat(e.collaborative()).isNull();
    assertThat(e.semantic()).containsExactly(3, 4);
    assertThat(e.degree()).isEqualTo(7);
    assertThat(e.content()).containsExactly(5, 6, 7);
  }

  @Test
  void aVersionLoadsOnlyWhenItsCountsAndWidthsMatchAndEverythingSurvivesAReopen(@TempDir Path dir) {
    try (LocalStore store = LocalStore.open(dir)) {
      try (LocalStore.Batch b = store.batch()) {
        b.putUser(3, "u1", entry(1, 0));
        b.putItem(3, "i1", entry(0, 1));
        b.putItem(4, "i1", entry(0, 1, 2)); // another version, another width
        b.putSeen("u1", "i1", 2, 41);
        b.putOffset("interactions", 2, 42);
        b.putCurrent(3);
        b.putRetained(Map.of(2L, 99L));
        store.write(b);
      }
      VersionLoader loader = new VersionLoader(store);
      assertThat(loader.load(info(3, 1, 2, 2)).problem()).contains("holds 1 of 2 item records");
      assertThat(loader.load(info(4, 0, 1, 2)).problem()).contains("width 3");
      VersionData d = loader.load(info(3, 1, 1, 2)).data();
      assertThat(d.users().ids().toArray()).containsExactly("u1");
      assertThat(d.items().vector(0)).containsExactly(0f, 1f);
      assertThat(d.items().semanticPart(0)).containsExactly(0f, 0f);
    }
    try (LocalStore store = LocalStore.open(dir)) {
      assertThat(store.offsets("interactions")).containsEntry(2, 42L);
      assertThat(store.current()).hasValue(3);
      assertThat(store.retained()).containsEntry(2L, 99L);
      List<String> seen = new ArrayList<>();
      store.forEachSeen((u, i, p, o) -> seen.add(u + "/" + i + "/" + p + "/" + o));
      assertThat(seen).containsExactly("u1/i1/2/41");
      store.deleteVersionsBelow(4);
      assertThat(new VersionLoader(store).load(info(3, 1, 1, 2)).problem()).contains("holds 0 of 1 user");
      assertThat(new VersionLoader(store).load(info(4, 0, 1, 3)).data()).isNotNull();
    }
  }
}
