package dev.crane.ingest.dataset;

/**
 * IEEE 754 binary16 ("half", NumPy {@code float16}) conversions. Java 17 has no
 * {@code Float.float16ToFloat} (added in Java 20), and TikTok's feature files are float16.
 */
public final class Half {
  private Half() {}

  /** Every half widens exactly to a float, so a 65,536-entry table is exact and fast for bulk reads. */
  private static final float[] TABLE = new float[1 << 16];

  static {
    for (int h = 0; h < TABLE.length; h++) {
      TABLE[h] = convert(h);
    }
  }

  /** The float with the same value as the half whose bits are the low 16 bits of {@code bits}. */
  public static float toFloat(short bits) {
    return TABLE[bits & 0xffff];
  }

  private static float convert(int h) {
    int sign = (h & 0x8000) << 16;
    int exp = (h >>> 10) & 0x1f;
    int mant = h & 0x3ff;
    if (exp == 0x1f) {
      // Inf (mant 0) or NaN; keep the payload in the top mantissa bits as widening hardware does.
      return Float.intBitsToFloat(sign | 0x7f80_0000 | (mant << 13));
    }
    if (exp == 0) {
      // Zero or subnormal: value = mant * 2^-24, exact in float (24-bit significand).
      float v = mant * 0x1p-24f;
      return sign != 0 ? -v : v;
    }
    // Normal: rebias the exponent from 15 to 127; the 10-bit mantissa fits in float's 23 bits.
    return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
  }

  /**
   * The half nearest to {@code f} (round half to even, overflow to infinity, NaN stays NaN), as
   * NumPy's {@code astype(float16)} does. Used to write float16 test data.
   */
  public static short fromFloat(float f) {
    int bits = Float.floatToRawIntBits(f);
    int sign = (bits >>> 16) & 0x8000;
    int exp = (bits >>> 23) & 0xff;
    int mant = bits & 0x7f_ffff;
    if (exp == 0xff) {
      // Inf stays Inf; NaN keeps its top payload bits and is forced quiet so it cannot become Inf.
      return (short) (sign | 0x7c00 | (mant == 0 ? 0 : 0x200 | (mant >>> 13)));
    }
    int e = exp - 127 + 15; // rebiased exponent of the half
    if (e >= 0x1f) {
      return (short) (sign | 0x7c00);
    }
    if (e <= 0) {
      // Subnormal half (or zero): shift the full significand right, then round to nearest even.
      if (e < -10) {
        return (short) sign; // below half the smallest subnormal: rounds to (signed) zero
      }
      int sig = mant | 0x80_0000; // implicit leading 1
      int shift = 14 - e; // 13 mantissa bits dropped plus (1 - e) for the subnormal scale
      return (short) (sign | roundShift(sig, shift));
    }
    // Normal: the carry out of rounding correctly bumps the exponent (and may reach Inf).
    return (short) (sign | roundShift((e << 23) | mant, 13));
  }

  /** value >> shift, rounded to nearest with ties to even. */
  private static int roundShift(int value, int shift) {
    int q = value >>> shift;
    int rem = value & ((1 << shift) - 1);
    int half = 1 << (shift - 1);
    if (rem > half || (rem == half && (q & 1) != 0)) {
      q++;
    }
    return q;
  }
}
