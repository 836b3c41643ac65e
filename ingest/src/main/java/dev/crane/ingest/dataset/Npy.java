package dev.crane.ingest.dataset;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;

/**
 * NumPy {@code .npy} files holding a 2-D float matrix: reads format versions 1.0, 2.0 and 3.0 with
 * dtype float16, float32 or float64 (either byte order) into float32; writes float32 version 1.0
 * byte for byte as {@code numpy.save} does.
 */
public final class Npy {
  private Npy() {}

  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  /** NumPy aligns the start of the data to 64 bytes. */
  private static final int ALIGN = 64;
  /** NumPy leaves room for this many digits of the first axis so the header can grow in place. */
  private static final int GROWTH_DIGITS = 21;
  /** Larger headers mean a corrupt length field (a 2-D float header is about 100 bytes). */
  private static final int MAX_HEADER = 1 << 20;
  /** Largest Java array length that HotSpot allocates. */
  private static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;
  private static final int CHUNK = 1 << 23;

  /** Element types accepted in a feature file. */
  public enum Dtype {
    FLOAT16(2), FLOAT32(4), FLOAT64(8);

    public final int size;

    Dtype(int size) {
      this.size = size;
    }
  }

  /** A parsed header; {@code dataOffset} is where the first element starts. */
  public record Header(
      int major, int minor, String descr, Dtype dtype, ByteOrder order, boolean fortranOrder,
      long rows, long cols, long dataOffset) {

    public long dataBytes() {
      return rows * cols * dtype.size;
    }
  }

  /** Reads and validates the header of a 2-D float .npy file. */
  public static Header readHeader(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      return readHeader(file, ch);
    }
  }

  private static Header readHeader(Path file, FileChannel ch) throws IOException {
    long size = ch.size();
    ByteBuffer pre = ByteBuffer.allocate((int) Math.min(12, size)).order(ByteOrder.LITTLE_ENDIAN);
    readFully(file, ch, pre, 0);
    for (int i = 0; i < MAGIC.length; i++) {
      if (i >= pre.capacity() || pre.get(i) != MAGIC[i]) {
        throw new DatasetException(file, "not an .npy file (it does not start with \\x93NUMPY)");
      }
    }
    if (size < 12) {
      throw new DatasetException(file, "truncated .npy header (the file has only " + size + " bytes)");
    }
    int major = pre.get(6) & 0xff;
    int minor = pre.get(7) & 0xff;
    long headerLen;
    long start;
    if (major == 1) {
      headerLen = pre.getShort(8) & 0xffff;
      start = 10;
    } else if (major == 2 || major == 3) {
      headerLen = pre.getInt(8) & 0xffff_ffffL;
      start = 12;
    } else {
      throw new DatasetException(file, "unsupported .npy format version " + major + "." + minor + " (1, 2 and 3 are supported)");
    }
    if (headerLen > MAX_HEADER || start + headerLen > size) {
      throw new DatasetException(file, "corrupt .npy header: header length " + headerLen + " does not fit the file (" + size + " bytes)");
    }
    ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
    readFully(file, ch, hb, start);
    // Versions 1 and 2 store the header in latin-1, version 3 in UTF-8.
    String text = new String(hb.array(), major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    Object parsed;
    try {
      parsed = PyLiteral.parse(text);
    } catch (IllegalArgumentException e) {
      throw new DatasetException(file, "unreadable .npy header: " + e.getMessage());
    }
    if (!(parsed instanceof Map<?, ?> dict)) {
      throw new DatasetException(file, "unreadable .npy header: not a dict: " + text.strip());
    }
    for (String key : List.of("descr", "fortran_order", "shape")) {
      if (!dict.containsKey(key)) {
        throw new DatasetException(file, "unreadable .npy header: no '" + key + "' in " + text.strip());
      }
    }
    if (!(dict.get("descr") instanceof String descr)) {
      throw new DatasetException(file, "unsupported dtype " + dict.get("descr")
          + " (structured dtypes are not supported; feature files must be float16, float32 or float64)");
    }
    if (!(dict.get("fortran_order") instanceof Boolean fortran)) {
      throw new DatasetException(file, "unreadable .npy header: fortran_order is " + dict.get("fortran_order"));
    }
    if (fortran) {
      throw new DatasetException(file, "array is stored in Fortran (column-major) order; save it in C order, "
          + "e.g. numpy.save(path, numpy.ascontiguousarray(a))");
    }
    Object shapeObj = dict.get("shape");
    if (!(shapeObj instanceof List<?> shape) || shape.size() != 2
        || !(shape.get(0) instanceof Long rows) || !(shape.get(1) instanceof Long cols)) {
      throw new DatasetException(file, "expected a 2-D matrix (items x dim), but shape is " + pythonShape(shapeObj));
    }
    if (rows < 0 || cols <= 0) {
      throw new DatasetException(file, "bad shape (" + rows + ", " + cols + "): need rows >= 0 and dim > 0");
    }
    if (rows > MAX_ELEMENTS / cols) { // rows * cols could overflow a long for a corrupt header
      throw new DatasetException(file, "shape (" + rows + ", " + cols + ") has more than " + MAX_ELEMENTS
          + " elements, too many for one float32 array");
    }
    ByteOrder order = byteOrder(file, descr);
    Dtype dtype = switch (descr.substring(1)) {
      case "f2" -> Dtype.FLOAT16;
      case "f4" -> Dtype.FLOAT32;
      case "f8" -> Dtype.FLOAT64;
      default -> throw new DatasetException(file, "unsupported dtype '" + descr
          + "'; feature files must be float16, float32 or float64 ('<f2', '<f4', '<f8')");
    };
    Header h = new Header(major, minor, descr, dtype, order, false, rows, cols, start + headerLen);
    long expected = h.dataOffset() + h.dataBytes();
    if (size < expected) {
      long rowBytes = cols * dtype.size;
      long completeRows = (size - h.dataOffset()) / rowBytes;
      throw new DatasetException(file, "row " + completeRows, null, "truncated: shape (" + rows + ", " + cols
          + ") needs " + expected + " bytes but the file has " + size + " (it ends in row " + completeRows + ")");
    }
    if (size > expected) {
      throw new DatasetException(file, (size - expected) + " bytes after the data of shape (" + rows + ", " + cols
          + ") " + descr + "; the header does not match the data");
    }
    return h;
  }

  /** A shape as Python prints it, e.g. (5,) or (2, 3). */
  private static String pythonShape(Object shape) {
    if (!(shape instanceof List<?> list)) {
      return String.valueOf(shape);
    }
    StringBuilder sb = new StringBuilder("(");
    for (int i = 0; i < list.size(); i++) {
      sb.append(i > 0 ? ", " : "").append(list.get(i));
    }
    return sb.append(list.size() == 1 ? ",)" : ")").toString();
  }

  private static ByteOrder byteOrder(Path file, String descr) {
    char c = descr.isEmpty() ? '?' : descr.charAt(0);
    return switch (c) {
      case '<' -> ByteOrder.LITTLE_ENDIAN;
      case '>' -> ByteOrder.BIG_ENDIAN;
      case '=' -> ByteOrder.nativeOrder(); // "native" of the writer; every platform NumPy targets today is little-endian
      case '|' -> throw new DatasetException(file, "dtype '" + descr
          + "': byte order '|' (not applicable) is only valid for 1-byte types; expected '<f2', '<f4' or '<f8'");
      default -> throw new DatasetException(file, "unsupported dtype '" + descr
          + "'; feature files must be float16, float32 or float64 ('<f2', '<f4', '<f8')");
    };
  }

  /**
   * Reads a 2-D float .npy file into a float32 matrix (values are not checked for NaN/Inf here).
   * Bulk buffered reads: an Amazon-size 63k x 4096 float32 file reads at disk speed.
   */
  public static FeatureMatrix readMatrix(Path file, String modality) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      Header h = readHeader(file, ch);
      int rows = (int) h.rows();
      int cols = (int) h.cols();
      float[] data = new float[Math.multiplyExact(rows, cols)];
      int elementsPerChunk = CHUNK / h.dtype().size;
      ByteBuffer buf = ByteBuffer.allocateDirect(elementsPerChunk * h.dtype().size).order(h.order());
      long position = h.dataOffset();
      int done = 0;
      while (done < data.length) {
        int n = Math.min(elementsPerChunk, data.length - done);
        buf.clear().limit(n * h.dtype().size);
        readFully(file, ch, buf, position);
        position += (long) n * h.dtype().size;
        buf.flip();
        decode(h.dtype(), buf, data, done, n);
        done += n;
      }
      return new FeatureMatrix(modality, rows, cols, data);
    }
  }

  /** A float64 matrix read without narrowing (the stream processor's exact profile sums). */
  public record DoubleMatrix(int rows, int cols, double[] data) {}

  /** Reads a 2-D .npy file of dtype float64 as it is; any other dtype is an error. */
  public static DoubleMatrix readFloat64(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      Header h = readHeader(file, ch);
      if (h.dtype() != Dtype.FLOAT64) {
        throw new DatasetException(file, "has dtype " + h.descr() + " but float64 ('<f8') is expected");
      }
      int rows = (int) h.rows();
      int cols = (int) h.cols();
      double[] data = new double[Math.multiplyExact(rows, cols)];
      int perChunk = CHUNK / 8;
      ByteBuffer buf = ByteBuffer.allocateDirect(perChunk * 8).order(h.order());
      long position = h.dataOffset();
      for (int done = 0; done < data.length; ) {
        int n = Math.min(perChunk, data.length - done);
        buf.clear().limit(n * 8);
        readFully(file, ch, buf, position);
        position += n * 8L;
        buf.flip();
        buf.asDoubleBuffer().get(data, done, n);
        done += n;
      }
      return new DoubleMatrix(rows, cols, data);
    }
  }

  private static void decode(Dtype dtype, ByteBuffer buf, float[] out, int at, int n) {
    switch (dtype) {
      case FLOAT32 -> buf.asFloatBuffer().get(out, at, n);
      case FLOAT64 -> {
        DoubleBuffer d = buf.asDoubleBuffer();
        for (int k = 0; k < n; k++) {
          out[at + k] = (float) d.get(k);
        }
      }
      case FLOAT16 -> {
        ShortBuffer s = buf.asShortBuffer();
        for (int k = 0; k < n; k++) {
          out[at + k] = Half.toFloat(s.get(k));
        }
      }
    }
  }

  private static void readFully(Path file, FileChannel ch, ByteBuffer buf, long position) throws IOException {
    long p = position;
    while (buf.hasRemaining()) {
      int n = ch.read(buf, p);
      if (n < 0) {
        throw new DatasetException(file, "unexpected end of file at byte " + p);
      }
      p += n;
    }
  }

  /** The header numpy.save writes for a C-order float32 matrix, padded so the data is 64-byte aligned. */
  static byte[] float32Header(long rows, long cols) {
    StringBuilder dict = new StringBuilder("{'descr': '<f4', 'fortran_order': False, 'shape': (")
        .append(rows).append(", ").append(cols).append("), }");
    dict.append(" ".repeat(Math.max(0, GROWTH_DIGITS - Long.toString(rows).length())));
    int prefix = MAGIC.length + 2 + 2; // magic, version, uint16 header length
    int unpadded = prefix + dict.length() + 1; // + the final newline
    dict.append(" ".repeat((ALIGN - unpadded % ALIGN) % ALIGN)).append('\n');
    byte[] text = dict.toString().getBytes(StandardCharsets.ISO_8859_1);
    ByteBuffer b = ByteBuffer.allocate(prefix + text.length).order(ByteOrder.LITTLE_ENDIAN);
    b.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) text.length).put(text);
    return b.array();
  }

  /** Writes a row-major float32 matrix as a version 1.0 .npy file, as numpy.save would. */
  public static void writeFloat32(Path file, int rows, int cols, float[] data) throws IOException {
    if (data.length != (long) rows * cols) {
      throw new IllegalArgumentException(data.length + " values for shape " + rows + "x" + cols);
    }
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      writeFully(ch, ByteBuffer.wrap(float32Header(rows, cols)));
      ByteBuffer buf = ByteBuffer.allocateDirect(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
      FloatBuffer fb = buf.asFloatBuffer();
      for (int done = 0; done < data.length; ) {
        int n = Math.min(CHUNK / 4, data.length - done);
        fb.clear();
        fb.put(data, done, n);
        buf.clear().limit(n * 4);
        writeFully(ch, buf);
        done += n;
      }
    }
  }

  private static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
    while (buf.hasRemaining()) {
      ch.write(buf);
    }
  }
}
