package dev.crane.stream.snapshot;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * NumPy .npy v1.0 headers (little-endian, C order), so that snapshot matrices open with
 * {@code numpy.load} and with the project's own Npy reader. The header has a fixed size of 128
 * bytes, so it can be written before the row count is known and patched afterwards.
 */
public final class Npy {
  public static final int HEADER_BYTES = 128;

  private Npy() {}

  /** @param descr {@code <f4} or {@code <f8} */
  public static byte[] header(String descr, long rows, int cols) {
    String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + rows + ", " + cols + "), }";
    int headerLen = HEADER_BYTES - 10;
    if (dict.length() + 1 > headerLen) {
      throw new IllegalArgumentException("npy header too long: " + dict);
    }
    StringBuilder sb = new StringBuilder(dict);
    while (sb.length() < headerLen - 1) {
      sb.append(' ');
    }
    sb.append('\n');
    byte[] out = new byte[HEADER_BYTES];
    out[0] = (byte) 0x93;
    byte[] magic = "NUMPY".getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(magic, 0, out, 1, 5);
    out[6] = 1;
    out[7] = 0;
    out[8] = (byte) (headerLen & 0xff);
    out[9] = (byte) (headerLen >>> 8);
    byte[] d = sb.toString().getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(d, 0, out, 10, d.length);
    return out;
  }

  public static void writeHeader(OutputStream out, String descr, long rows, int cols) throws IOException {
    out.write(header(descr, rows, cols));
  }
}
