package dev.crane.ingest.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NpyTest {
  @TempDir Path dir;

  /** np.arange(12, dtype=float32).reshape(3, 4) / 8 - 0.5, as in make_fixtures.py. */
  private static float[] f32Values() {
    float[] v = new float[12];
    for (int i = 0; i < 12; i++) {
      v[i] = i / 8f - 0.5f;
    }
    return v;
  }

  private FeatureMatrix read(String fixture) throws IOException {
    return Npy.readMatrix(Fixtures.npy(fixture, dir.resolve(fixture)), "m");
  }

  @Test
  void readsFloat16AsNumpyCastsIt() throws IOException {
    FeatureMatrix m = read("f16_3x4.npy");
    assertThat(m.rows()).isEqualTo(3);
    assertThat(m.dim()).isEqualTo(4);
    // Bit patterns of numpy's astype(float32) of the float16 array (see make_fixtures.py).
    int[] expected = {0x3f800000, 0xc0200000, 0x3eaaa000, 0x477fe000, 0x33800000, 0x80000000, 0x387fc000,
        0x38800000, 0xc77fe000, 0x3dccc000, 0x447a2000, 0xb4a00000};
    for (int i = 0; i < 12; i++) {
      assertThat(Float.floatToRawIntBits(m.data()[i])).as("element %d", i).isEqualTo(expected[i]);
    }
  }

  @Test
  void readsFloat64RoundedToFloat32AsNumpyDoes() throws IOException {
    FeatureMatrix m = read("f64_3x4.npy");
    // numpy astype(float32) bit patterns, including a float32 subnormal (-1e-40) and underflow (1e-50 -> 0).
    int[] expected = {0x3dcccccd, 0x3eaaaaab, 0xc0200000, 0x4ceb79a3, 0x0, 0x800116c2, 0x7f7fc99e, 0x0,
        0x40490fdb, 0xc02df854, 0x501502f9, 0x40e00000};
    for (int i = 0; i < 12; i++) {
      assertThat(Float.floatToRawIntBits(m.data()[i])).as("element %d", i).isEqualTo(expected[i]);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"f32_3x4.npy", "f32_3x4_v2.npy", "f32_3x4_v3.npy", "f32_3x4_be.npy"})
  void readsFloat32InEveryVersionAndByteOrder(String fixture) throws IOException {
    FeatureMatrix m = read(fixture);
    assertThat(m.rows()).isEqualTo(3);
    assertThat(m.data()).containsExactly(f32Values());
  }

  @Test
  void headerReportsVersionAndAlignment() throws IOException {
    Npy.Header v1 = Npy.readHeader(Fixtures.npy("f32_3x4.npy", dir.resolve("a.npy")));
    Npy.Header v3 = Npy.readHeader(Fixtures.npy("f32_3x4_v3.npy", dir.resolve("b.npy")));
    assertThat(v1.major()).isEqualTo(1);
    assertThat(v1.dataOffset()).isEqualTo(128);
    assertThat(v3.major()).isEqualTo(3);
    assertThat(v3.dataOffset()).isEqualTo(128);
    assertThat(v3.dtype()).isEqualTo(Npy.Dtype.FLOAT32);
  }

  @Test
  void readsEmptyMatrix() throws IOException {
    FeatureMatrix m = read("f32_0x7.npy");
    assertThat(m.rows()).isZero();
    assertThat(m.dim()).isEqualTo(7);
  }

  @Test
  void writerOutputIsByteIdenticalToNumpySave() throws IOException {
    Path a = Fixtures.matrix(dir.resolve("a.npy"), 3, 4, f32Values());
    assertThat(Files.readAllBytes(a)).isEqualTo(Fixtures.npyBytes("f32_3x4.npy"));
    float[] big = new float[3000];
    for (int i = 0; i < big.length; i++) {
      big[i] = i * 0.25f;
    }
    Path b = Fixtures.matrix(dir.resolve("b.npy"), 1000, 3, big);
    assertThat(Files.readAllBytes(b)).isEqualTo(Fixtures.npyBytes("f32_1000x3.npy"));
  }

  @Test
  void writerAlignsDataTo64BytesForAnyShape() throws IOException {
    for (long rows : new long[] {0, 1, 9, 10, 12345, 123456789012L}) {
      for (long cols : new long[] {1, 128, 4096, 1234567}) {
        byte[] h = Npy.float32Header(rows, cols);
        assertThat(h.length % 64).as("%d x %d", rows, cols).isZero();
        assertThat(h[h.length - 1]).isEqualTo((byte) '\n');
        String text = new String(h, 10, h.length - 10, StandardCharsets.ISO_8859_1);
        assertThat(text).startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (" + rows + ", " + cols + "), }");
      }
    }
  }

  @Test
  void readsAcrossChunkBoundaries() throws IOException {
    // 3 M float32 = 12 MB: more than one 8 MB read buffer.
    int rows = 30_000;
    int cols = 100;
    float[] v = new float[rows * cols];
    for (int i = 0; i < v.length; i++) {
      v[i] = i * 0.5f - 7;
    }
    Path f = Fixtures.matrix(dir.resolve("big.npy"), rows, cols, v);
    assertThat(Npy.readMatrix(f, "big").data()).isEqualTo(v);
  }

  @Test
  void readsFloat16AcrossChunkBoundaries() throws IOException {
    // 4.5 M halves = 9 MB of data: crosses the 8 MB buffer, and covers every bit pattern repeatedly.
    int rows = 4500;
    int cols = 1000;
    ByteBuffer data = ByteBuffer.allocate(rows * cols * 2).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < rows * cols; i++) {
      int h = i % 0x7c00; // finite positive halves
      data.putShort((short) h);
    }
    Path f = dir.resolve("h.npy");
    writeRaw(f, "{'descr': '<f2', 'fortran_order': False, 'shape': (4500, 1000), }", data.array());
    float[] m = Npy.readMatrix(f, "h").data();
    for (int i = 0; i < rows * cols; i += 997) {
      assertThat(m[i]).isEqualTo(Half.toFloat((short) (i % 0x7c00)));
    }
    assertThat(m[rows * cols - 1]).isEqualTo(Half.toFloat((short) ((rows * cols - 1) % 0x7c00)));
  }

  @Test
  void acceptsPython2LongSuffixAndDoubleQuotes() throws IOException {
    Path f = dir.resolve("p2.npy");
    writeRaw(f, "{\"descr\": \"<f4\", \"fortran_order\": False, \"shape\": (2L, 1L)}", floats(1.5f, -2f));
    assertThat(Npy.readMatrix(f, "p").data()).containsExactly(1.5f, -2f);
  }

  @Test
  void rejectsFortranOrder() {
    assertThatThrownBy(() -> read("f32_3x4_fortran.npy"))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining("f32_3x4_fortran.npy")
        .hasMessageContaining("Fortran");
  }

  @Test
  void rejectsOneDimensionalArray() {
    assertThatThrownBy(() -> read("f32_1d.npy"))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining("f32_1d.npy")
        .hasMessageContaining("2-D")
        .hasMessageContaining("(5,)");
  }

  @Test
  void rejectsIntegerDtype() {
    assertThatThrownBy(() -> read("i32_3x4.npy"))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining("i32_3x4.npy")
        .hasMessageContaining("'<i4'");
  }

  @Test
  void rejectsNotApplicableByteOrderForFloats() throws IOException {
    Path f = dir.resolve("pipe.npy");
    writeRaw(f, "{'descr': '|f4', 'fortran_order': False, 'shape': (1, 2), }", floats(1, 2));
    assertThatThrownBy(() -> Npy.readMatrix(f, "x")).isInstanceOf(DatasetException.class).hasMessageContaining("'|'");
  }

  @Test
  void acceptsNativeByteOrder() throws IOException {
    Path f = dir.resolve("native.npy");
    writeRaw(f, "{'descr': '=f4', 'fortran_order': False, 'shape': (1, 2), }", floats(3, 4));
    assertThat(Npy.readMatrix(f, "x").data()).containsExactly(3f, 4f);
  }

  @Test
  void rejectsStructuredDtype() throws IOException {
    Path f = dir.resolve("rec.npy");
    writeRaw(f, "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2, 1), }", floats(1, 2));
    assertThatThrownBy(() -> Npy.readMatrix(f, "x")).isInstanceOf(DatasetException.class).hasMessageContaining("structured");
  }

  @Test
  void rejectsTruncatedData() throws IOException {
    byte[] full = Fixtures.npyBytes("f32_3x4.npy");
    Path f = dir.resolve("trunc.npy");
    Files.write(f, java.util.Arrays.copyOf(full, full.length - 20)); // ends inside row 1
    assertThatThrownBy(() -> Npy.readMatrix(f, "x"))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining("trunc.npy:row 1")
        .hasMessageContaining("truncated");
  }

  @Test
  void rejectsTrailingBytes() throws IOException {
    byte[] full = Fixtures.npyBytes("f32_3x4.npy");
    Path f = dir.resolve("long.npy");
    Files.write(f, java.util.Arrays.copyOf(full, full.length + 4));
    assertThatThrownBy(() -> Npy.readMatrix(f, "x")).isInstanceOf(DatasetException.class).hasMessageContaining("4 bytes after");
  }

  @Test
  void rejectsFilesThatAreNotNpy() throws IOException {
    Path f = Files.writeString(dir.resolve("text.npy"), "userID\titemID\tx_label\n0\t0\t0\n");
    assertThatThrownBy(() -> Npy.readMatrix(f, "x")).isInstanceOf(DatasetException.class).hasMessageContaining("not an .npy");
    Path tiny = Files.write(dir.resolve("tiny.npy"), new byte[] {(byte) 0x93, 'N'});
    assertThatThrownBy(() -> Npy.readMatrix(tiny, "x")).isInstanceOf(DatasetException.class).hasMessageContaining("tiny.npy");
  }

  @Test
  void rejectsUnknownVersion() throws IOException {
    byte[] b = Fixtures.npyBytes("f32_3x4.npy");
    b[6] = 9;
    Path f = Files.write(dir.resolve("v9.npy"), b);
    assertThatThrownBy(() -> Npy.readMatrix(f, "x")).isInstanceOf(DatasetException.class).hasMessageContaining("version 9.0");
  }

  @Test
  void rejectsGarbledHeader() throws IOException {
    Path f = dir.resolve("garbled.npy");
    writeRaw(f, "{'descr': '<f4', 'fortran_order': Flase, 'shape': (1, 2), }", floats(1, 2));
    assertThatThrownBy(() -> Npy.readMatrix(f, "x"))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining("garbled.npy")
        .hasMessageContaining("unreadable .npy header")
        .hasMessageContaining("Flase");
    Path g = dir.resolve("nokey.npy");
    writeRaw(g, "{'descr': '<f4', 'shape': (1, 2), }", floats(1, 2));
    assertThatThrownBy(() -> Npy.readMatrix(g, "x")).isInstanceOf(DatasetException.class).hasMessageContaining("fortran_order");
    Path h = dir.resolve("hugelen.npy");
    byte[] b = Fixtures.npyBytes("f32_3x4.npy");
    b[8] = (byte) 0xff;
    b[9] = (byte) 0xff;
    Files.write(h, b);
    assertThatThrownBy(() -> Npy.readMatrix(h, "x")).isInstanceOf(DatasetException.class).hasMessageContaining("header length");
  }

  @Test
  void rejectsShapesTooLargeForOneArray() throws IOException {
    Path f = dir.resolve("huge.npy");
    writeRaw(f, "{'descr': '<f4', 'fortran_order': False, 'shape': (100000, 100000), }", floats(1));
    assertThatThrownBy(() -> Npy.readHeader(f)).isInstanceOf(DatasetException.class).hasMessageContaining("too many");
    // 2^33 x 2^31 overflows a long product: must still be rejected, not wrap around to a small size
    Path g = dir.resolve("overflow.npy");
    writeRaw(g, "{'descr': '<f4', 'fortran_order': False, 'shape': (8589934592, 2147483648), }", floats(1));
    assertThatThrownBy(() -> Npy.readHeader(g)).isInstanceOf(DatasetException.class).hasMessageContaining("too many");
  }

  private static byte[] floats(float... v) {
    ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float x : v) {
      b.putFloat(x);
    }
    return b.array();
  }

  /** A version 1.0 file with the given header text (padded to 64 bytes) and raw data. */
  static void writeRaw(Path file, String header, byte[] data) throws IOException {
    StringBuilder h = new StringBuilder(header);
    while ((10 + h.length() + 1) % 64 != 0) {
      h.append(' ');
    }
    h.append('\n');
    byte[] text = h.toString().getBytes(StandardCharsets.ISO_8859_1);
    ByteBuffer b = ByteBuffer.allocate(10 + text.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
    b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) text.length).put(text).put(data);
    Files.write(file, b.array());
  }
}
