package dev.crane.ingest.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.crane.schemas.Split;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class InteractionTableTest {

  private static InteractionTable table(long... timestamps) {
    int n = timestamps.length;
    int[] ids = IntStream.range(0, n).toArray();
    Split[] splits = new Split[n];
    Arrays.fill(splits, Split.TRAIN);
    return new InteractionTable(ids, ids.clone(), timestamps, null, splits);
  }

  @Test
  void publishOrderSortsByTimestampKeepingFileOrderOnTies() {
    InteractionTable t = table(30, 10, 20, 10, 30, 5);
    assertThat(t.publishOrder()).containsExactly(5, 1, 3, 2, 0, 4);
  }

  @Test
  void publishOrderMatchesAStableLibrarySortOnRandomData() {
    SplittableRandom r = new SplittableRandom(7);
    for (int n : new int[] {0, 1, 2, 3, 17, 1000, 4099}) {
      long[] ts = new long[n];
      for (int i = 0; i < n; i++) {
        ts[i] = r.nextInt(50); // many ties
      }
      // List.sort is a stable merge sort: the reference.
      List<Integer> expected = IntStream.range(0, n).boxed().sorted(Comparator.comparingLong(i -> ts[i])).toList();
      assertThat(table(ts).publishOrder()).as("n=%d", n).containsExactly(expected.stream().mapToInt(i -> i).toArray());
    }
  }

  @Test
  void publishOrderIsFileOrderWithoutTimestamps() {
    Split[] s = {Split.TRAIN, Split.TEST, Split.VALID};
    InteractionTable t = new InteractionTable(new int[] {2, 1, 0}, new int[] {0, 0, 0}, null, null, s);
    assertThat(t.publishOrder()).containsExactly(0, 1, 2);
  }

  @Test
  void equalityComparesContents() {
    assertThat(table(1, 2, 3)).isEqualTo(table(1, 2, 3)).hasSameHashCodeAs(table(1, 2, 3));
    assertThat(table(1, 2, 3)).isNotEqualTo(table(1, 2, 4));
    assertThat(table(1, 2, 3).toString()).isEqualTo("InteractionTable[3 rows, timestamps]");
  }

  @Test
  void columnsMustHaveEqualLength() {
    assertThatThrownBy(() -> new InteractionTable(new int[2], new int[2], new long[1], null, new Split[2]))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void countsPerSplitAndMaxIds() {
    Split[] s = {Split.TRAIN, Split.TEST, Split.TRAIN};
    InteractionTable t = new InteractionTable(new int[] {4, 1, 0}, new int[] {0, 9, 3}, null, null, s);
    assertThat(t.count(Split.TRAIN)).isEqualTo(2);
    assertThat(t.count(Split.VALID)).isZero();
    assertThat(t.maxUser()).isEqualTo(4);
    assertThat(t.maxItem()).isEqualTo(9);
  }
}
