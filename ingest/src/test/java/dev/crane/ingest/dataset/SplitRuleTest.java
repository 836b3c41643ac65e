package dev.crane.ingest.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.crane.schemas.Split;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SplitRuleTest {

  @ParameterizedTest
  @CsvSource({
      "3, 1, 1, 1", "5, 3, 1, 1", "9, 7, 1, 1", // n < 10: n-2, 1, 1
      "10, 8, 1, 1", "14, 12, 1, 1", // v = 2
      "15, 12, 1, 2", // v = 3: the odd one goes to test
      "20, 16, 2, 2", "29, 24, 2, 3", "100, 80, 10, 10", "101, 81, 10, 10", "104, 84, 10, 10"})
  void countsFollowMmrecsRule(int n, int train, int valid, int test) {
    assertThat(SplitRule.counts(n)).containsExactly(train, valid, test);
  }

  @Test
  void everyUserGetsAllThreeSplitsAndCountsAddUp() {
    for (int n = 3; n < 500; n++) {
      int[] c = SplitRule.counts(n);
      assertThat(c[0] + c[1] + c[2]).isEqualTo(n);
      assertThat(Arrays.stream(c).min().getAsInt()).isGreaterThanOrEqualTo(1);
      assertThat(c[2]).isBetween(c[1], c[1] + 1);
    }
  }

  @Test
  void tooFewRowsIsAnError() {
    assertThatThrownBy(() -> SplitRule.counts(2)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3");
  }

  @Test
  void assignShufflesButKeepsTheCounts() {
    Split[] a = SplitRule.assign(40, new SplittableRandom(1));
    Split[] b = SplitRule.assign(40, new SplittableRandom(2));
    assertThat(a).isEqualTo(SplitRule.assign(40, new SplittableRandom(1))); // same rng, same labels
    assertThat(a).isNotEqualTo(b);
    for (Split[] s : new Split[][] {a, b}) {
      assertThat(Arrays.stream(s).filter(x -> x == Split.TRAIN).count()).isEqualTo(32);
      assertThat(Arrays.stream(s).filter(x -> x == Split.VALID).count()).isEqualTo(4);
      assertThat(Arrays.stream(s).filter(x -> x == Split.TEST).count()).isEqualTo(4);
    }
  }
}
