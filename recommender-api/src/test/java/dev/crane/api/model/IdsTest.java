package dev.crane.api.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class IdsTest {
  @Test
  void everyIdFindsItsRowAndOthersFindNone() {
    SplittableRandom r = new SplittableRandom(5);
    int n = 100_000;
    String[] ids = new String[n];
    Map<String, Integer> expected = new HashMap<>();
    for (int i = 0; i < n; i++) {
      // numeric ids like the datasets' and random ones of varied length
      ids[i] = i % 2 == 0 ? "item_" + i : Long.toString(r.nextLong(), 36) + "/" + i;
      expected.put(ids[i], i);
    }
    Ids index = Ids.of(ids);
    assertThat(index.size()).isEqualTo(n);
    for (int i = 0; i < n; i++) {
      assertThat(index.row(ids[i])).isEqualTo(i);
      assertThat(index.id(i)).isEqualTo(ids[i]);
    }
    for (int i = 0; i < 10_000; i++) {
      String other = "item_" + (n + i);
      assertThat(index.row(other)).isEqualTo(expected.getOrDefault(other, -1));
      assertThat(index.row("item_" + (2 * i + 1))).isEqualTo(-1); // odd numbers have the other form
    }
    assertThat(index.toArray()).containsExactly(ids);
  }

  @Test
  void equalHashesPrefixesEmptyAndNonAsciiIdsStayApart() {
    // "Aa" and "BB" share a String hash, as do "AaAa", "BBBB", "AaBB" and "BBAa"
    Ids index = Ids.of("Aa", "BB", "AaAa", "BBBB", "AaBB", "", "A", "ß-😀", "BBAa");
    assertThat(index.row("Aa")).isEqualTo(0);
    assertThat(index.row("BB")).isEqualTo(1);
    assertThat(index.row("BBBB")).isEqualTo(3);
    assertThat(index.row("BBAa")).isEqualTo(8);
    assertThat(index.row("")).isEqualTo(5);
    assertThat(index.row("ß-😀")).isEqualTo(7);
    assertThat(index.id(7)).isEqualTo("ß-😀");
    assertThat(index.row("AaA")).isEqualTo(-1);
    assertThat(index.row("B")).isEqualTo(-1);
    assertThat(Ids.of().row("x")).isEqualTo(-1);
  }

  @Test
  void repeatedOrNullIdsAreRefused() {
    assertThatThrownBy(() -> Ids.of("a", "b", "a")).hasMessageContaining("duplicate id a at rows 0 and 2");
    assertThatThrownBy(() -> Ids.of("a", null)).hasMessageContaining("null id at row 1");
  }

  @Test
  void theBuilderGrowsPastItsExpectedSize() {
    Ids.Builder b = new Ids.Builder(1);
    for (int i = 0; i < 1000; i++) {
      b.add("a-rather-long-identifier-" + i);
    }
    Ids index = b.build();
    assertThat(index.size()).isEqualTo(1000);
    assertThat(index.row("a-rather-long-identifier-999")).isEqualTo(999);
    assertThat(index.id(0)).isEqualTo("a-rather-long-identifier-0");
  }
}
