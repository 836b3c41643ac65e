package dev.crane.api.foldin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import org.junit.jupiter.api.Test;

class FoldInTest {
  @Test
  void oneFoldFollowsTheContractsFormula() {
    // n = 3, c = (1, 2), s = (0.5, -1), item: collaborative (4, 0), semantic (1, 1), degree 8
    UserState u = new UserState(new float[] {1, 2}, new float[] {0.5f, -1}, 3, new float[] {1.5f, 1}, 0);
    UserState f = FoldIn.apply(u, new float[] {4, 0}, new float[] {1, 1}, 8);
    double keep = Math.sqrt(3.0 / 4);
    double add = 1 / Math.sqrt(4 * 8.0);
    assertThat((double) f.collaborative()[0]).isCloseTo(1 * keep + 4 * add, offset(1e-6));
    assertThat((double) f.collaborative()[1]).isCloseTo(2 * keep, offset(1e-6));
    assertThat((double) f.semantic()[0]).isCloseTo((3 * 0.5 + 1) / 4, offset(1e-6));
    assertThat((double) f.semantic()[1]).isCloseTo((3 * -1.0 + 1) / 4, offset(1e-6));
    assertThat(f.degree()).isEqualTo(4);
    assertThat(f.folded()).isEqualTo(1);
    assertThat(f.vector()[0]).isCloseTo(f.collaborative()[0] + f.semantic()[0], offset(1e-6f));
  }

  @Test
  void anUnknownUsersFirstItemGivesThatItemsDirection() {
    UserState f = FoldIn.apply(UserState.unknown(2, false), new float[] {3, 4}, null, 0);
    // n = 0, d_j = max(1, 0) = 1: c = item / 1
    assertThat(f.vector()).containsExactly(3f, 4f);
    assertThat(f.semantic()).isNull();
  }

  @Test
  void foldsCommute() {
    UserState u = new UserState(new float[] {1, -1}, new float[] {0, 2}, 5, new float[] {1, 1}, 0);
    float[] a = {2, 3};
    float[] b = {-1, 4};
    UserState ab = FoldIn.apply(FoldIn.apply(u, a, b, 3), b, a, 7);
    UserState ba = FoldIn.apply(FoldIn.apply(u, b, a, 7), a, b, 3);
    for (int i = 0; i < 2; i++) {
      assertThat(ab.vector()[i]).isCloseTo(ba.vector()[i], offset(1e-5f));
    }
  }

  @Test
  void aWidthMismatchIsRefused() {
    assertThatThrownBy(() -> FoldIn.apply(UserState.unknown(3, false), new float[] {1, 2}, null, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("width 2");
  }
}
