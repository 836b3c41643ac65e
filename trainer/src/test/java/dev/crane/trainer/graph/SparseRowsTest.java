package dev.crane.trainer.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.crane.trainer.engine.Scalars;
import dev.crane.trainer.engine.Tape;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SparseRowsTest {
  /** Autograd's gradient, and the written-out one (a tape) into a leaf and on through a recorded input. */
  enum Path { AUTOGRAD, TAPE_INTO_A_LEAF, TAPE_THROUGH_A_GRAPH }

  @ParameterizedTest
  @EnumSource(Path.class)
  void theProductAndItsGradientEqualTheDenseOnesForUnorderedEntriesRepeatsAndEmptyRows(Path path) {
    SplittableRandom rng = new SplittableRandom(11);
    int rows = 9;
    int cols = 6;
    int width = 4;
    int nnz = 20;
    long[] r = new long[nnz];
    long[] c = new long[nnz];
    float[] v = new float[nnz];
    for (int k = 0; k < nnz; k++) {
      r[k] = rng.nextInt(rows - 2); // the last two rows stay empty
      c[k] = rng.nextInt(cols); // repeated (row, col) pairs add up, as in a COO product
      v[k] = (float) rng.nextDouble(-1, 1);
    }
    SparseMatrix s = new SparseMatrix(rows, cols, r, c, v);
    float[] dense = new float[cols * width];
    for (int k = 0; k < dense.length; k++) {
      dense[k] = (float) rng.nextDouble(-1, 1);
    }
    float[] upstream = new float[rows * width];
    for (int k = 0; k < upstream.length; k++) {
      upstream[k] = (float) rng.nextDouble(-1, 1);
    }
    float[] a = s.toDense();
    try (NDManager m = NDManager.newBaseManager(); SparseRows sr = SparseRows.withTranspose(s, m)) {
      NDArray x = m.create(dense, new Shape(cols, width));
      x.setRequiresGradient(true);
      float[] out;
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        Tape tape = new Tape();
        NDArray y = switch (path) {
          case AUTOGRAD -> sr.times(x);
          case TAPE_INTO_A_LEAF -> sr.times(x, tape);
          case TAPE_THROUGH_A_GRAPH -> sr.times(Scalars.mul(x, 1f), tape);
        };
        assertThat(y.getShape()).isEqualTo(new Shape(rows, width));
        out = y.toFloatArray();
        gc.backward(y.mul(m.create(upstream, new Shape(rows, width))).sum());
        tape.run();
      }
      float[] dx = x.getGradient().toFloatArray();
      for (int i = 0; i < rows; i++) {
        for (int j = 0; j < width; j++) {
          double want = 0;
          for (int k = 0; k < cols; k++) {
            want += a[i * cols + k] * dense[k * width + j];
          }
          assertThat((double) out[i * width + j]).as("(%d, %d)", i, j).isCloseTo(want, within(1e-5));
        }
      }
      for (int k = 0; k < cols; k++) {
        for (int j = 0; j < width; j++) {
          double want = 0; // Aᵀ upstream
          for (int i = 0; i < rows; i++) {
            want += a[i * cols + k] * upstream[i * width + j];
          }
          assertThat((double) dx[k * width + j]).as("gradient (%d, %d)", k, j).isCloseTo(want, within(1e-5));
        }
      }
    }
  }

  @Test
  void columnsOutsideTheMatrixAndATapeWithoutTheTransposeAreRefused() {
    try (NDManager m = NDManager.newBaseManager()) {
      assertThatThrownBy(() -> SparseRows.of(1, 3, new long[] {3}, new long[] {0}, new float[] {1}, m))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("column 3 outside a matrix of 3 columns");
      try (SparseRows plain = SparseRows.of(1, 3, new long[] {2}, new long[] {0}, new float[] {1}, m);
          GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray x = m.ones(new Shape(3, 2));
        x.setRequiresGradient(true);
        assertThatThrownBy(() -> plain.times(x, new Tape())).isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("withTranspose");
      }
    }
  }

  @Test
  void rowStartsThatDoNotRiseFromZeroAreRefused() {
    try (NDManager m = NDManager.newBaseManager()) {
      long[] col = {0, 1, 2};
      float[] val = {1, 1, 1};
      assertThatThrownBy(() -> SparseRows.of(3, 3, col, new long[] {0, 2, 1}, val, m))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("row 2 starts at 1");
      assertThatThrownBy(() -> SparseRows.of(2, 3, col, new long[] {1, 2}, val, m))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("row 0 starts at 1");
      assertThatThrownBy(() -> SparseRows.of(2, 3, col, new long[] {0, 4}, val, m))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most 3");
    }
  }

  @Test
  void aDenseSideOfTheWrongHeightIsRefused() {
    SparseMatrix s = new SparseMatrix(2, 3, new long[] {0, 1}, new long[] {2, 0}, new float[] {1, 1});
    try (NDManager m = NDManager.newBaseManager(); SparseRows sr = SparseRows.withTranspose(s, m)) {
      assertThatThrownBy(() -> sr.times(m.zeros(new Shape(4, 2))))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("2 x 3").hasMessageContaining("(4, 2)");
    }
  }
}
