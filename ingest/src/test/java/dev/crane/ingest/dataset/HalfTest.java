package dev.crane.ingest.dataset;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HalfTest {

  /** An independent formulation: (-1)^s * 2^(e-15) * (1 + m/1024), or 2^-14 * m/1024 for e = 0. */
  private static double reference(int h) {
    int s = h >>> 15;
    int e = (h >>> 10) & 0x1f;
    int m = h & 0x3ff;
    double mag = e == 0 ? Math.scalb(m / 1024.0, -14) : Math.scalb(1 + m / 1024.0, e - 15);
    return s == 1 ? -mag : mag;
  }

  @Test
  void everyFiniteHalfConvertsExactly() {
    for (int h = 0; h < 1 << 16; h++) {
      if (((h >>> 10) & 0x1f) == 0x1f) {
        continue; // Inf and NaN are checked below
      }
      float f = Half.toFloat((short) h);
      assertThat((double) f).as("half 0x%04x", h).isEqualTo(reference(h));
      // Signed zero must survive too (equals on doubles does not tell 0.0 from -0.0).
      assertThat(Float.floatToRawIntBits(f) >>> 31).as("sign of 0x%04x", h).isEqualTo(h >>> 15);
    }
  }

  @Test
  void specialValues() {
    assertThat(Half.toFloat((short) 0x3c00)).isEqualTo(1.0f);
    assertThat(Half.toFloat((short) 0xc000)).isEqualTo(-2.0f);
    assertThat(Half.toFloat((short) 0x7bff)).isEqualTo(65504.0f); // largest half
    assertThat(Half.toFloat((short) 0x0400)).isEqualTo(0x1p-14f); // smallest normal
    assertThat(Half.toFloat((short) 0x0001)).isEqualTo(0x1p-24f); // smallest subnormal
    assertThat(Half.toFloat((short) 0x03ff)).isEqualTo(1023 * 0x1p-24f); // largest subnormal
    assertThat(Float.floatToRawIntBits(Half.toFloat((short) 0x8000))).isEqualTo(0x8000_0000); // -0
    assertThat(Half.toFloat((short) 0x7c00)).isEqualTo(Float.POSITIVE_INFINITY);
    assertThat(Half.toFloat((short) 0xfc00)).isEqualTo(Float.NEGATIVE_INFINITY);
    assertThat(Half.toFloat((short) 0x7e00)).isNaN();
    assertThat(Half.toFloat((short) 0xfc01)).isNaN(); // signalling-style payload is still NaN, not Inf
  }

  @Test
  void fromFloatInvertsToFloatForEveryHalf() {
    for (int h = 0; h < 1 << 16; h++) {
      float f = Half.toFloat((short) h);
      short back = Half.fromFloat(f);
      if (Float.isNaN(f)) {
        assertThat(Float.isNaN(Half.toFloat(back))).as("NaN 0x%04x", h).isTrue();
      } else {
        assertThat(back & 0xffff).as("half 0x%04x", h).isEqualTo(h);
      }
    }
  }

  @Test
  void fromFloatRoundsToNearestEven() {
    // 1 + 2^-11 is exactly halfway between 1 and the next half (1 + 2^-10): ties go to even (1).
    assertThat(Half.fromFloat(1 + 0x1p-11f)).isEqualTo((short) 0x3c00);
    // 1 + 3*2^-11 is halfway between 1+2^-10 (odd) and 1+2^-9 (even): rounds up.
    assertThat(Half.fromFloat(1 + 3 * 0x1p-11f)).isEqualTo((short) 0x3c02);
    assertThat(Half.fromFloat(1 + 0x1p-11f + 0x1p-20f)).isEqualTo((short) 0x3c01);
    assertThat(Half.fromFloat(65520f)).isEqualTo((short) 0x7c00); // halfway to 2^16 rounds to Inf
    assertThat(Half.fromFloat(65519f)).isEqualTo((short) 0x7bff);
    assertThat(Half.fromFloat(0x1p-25f)).isEqualTo((short) 0); // half the smallest subnormal: tie to 0
    assertThat(Half.fromFloat(0x1.000002p-25f)).isEqualTo((short) 1);
    assertThat(Half.fromFloat(-1e-10f)).isEqualTo((short) 0x8000);
    assertThat(Half.fromFloat(0x1.ffcp-15f)).isEqualTo((short) 0x0400); // rounds up into the normals
    assertThat(Half.toFloat(Half.fromFloat(Float.NaN))).isNaN();
  }

  @Test
  void readsNumpyFloat16SpecialsFile(@TempDir Path dir) throws Exception {
    // np.array([[inf, -inf, nan, 65504, 6.103515625e-05, 2**-24, -0.0, 1.0]], dtype=float16)
    FeatureMatrix m = Npy.readMatrix(Fixtures.npy("f16_specials.npy", dir.resolve("x.npy")), "x");
    float[] v = m.row(0);
    assertThat(v[0]).isEqualTo(Float.POSITIVE_INFINITY);
    assertThat(v[1]).isEqualTo(Float.NEGATIVE_INFINITY);
    assertThat(v[2]).isNaN();
    assertThat(v[3]).isEqualTo(65504f);
    assertThat(v[4]).isEqualTo(0x1p-14f);
    assertThat(v[5]).isEqualTo(0x1p-24f);
    assertThat(Float.floatToRawIntBits(v[6])).isEqualTo(0x8000_0000);
    assertThat(v[7]).isEqualTo(1f);
  }
}
