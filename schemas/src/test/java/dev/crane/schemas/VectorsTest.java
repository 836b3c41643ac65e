package dev.crane.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.crane.schemas.avro.FloatVector;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class VectorsTest {
  @Test
  void packsASliceLittleEndianAndReadsItBack() {
    float[] rows = {1f, 2f, 3f, -0.5f, Float.MIN_VALUE, 7f};
    FloatVector v = Vectors.floatVector("text", rows, 3, 3);
    assertThat(v.getDim()).isEqualTo(3);
    ByteBuffer data = v.getData();
    assertThat(data.remaining()).isEqualTo(12);
    // -0.5f = 0xBF000000, little-endian: 00 00 00 BF
    assertThat(new byte[] {data.get(0), data.get(1), data.get(2), data.get(3)})
        .containsExactly(0, 0, 0, (byte) 0xBF);
    assertThat(Vectors.floats(v)).containsExactly(-0.5f, Float.MIN_VALUE, 7f);
  }

  @Test
  void doublesRoundTrip() {
    double[] sums = {1e-300, 3.141592653589793, -2};
    assertThat(Vectors.doubles(Vectors.doubleVector("visual", sums))).containsExactly(sums);
  }

  @Test
  void rejectsBytesThatDisagreeWithTheDimension() {
    FloatVector v = new FloatVector("visual", 4, ByteBuffer.allocate(12));
    assertThatThrownBy(() -> Vectors.floats(v))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("visual").hasMessageContaining("12 bytes for dim 4");
  }
}
