package dev.crane.api.store;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The stored form of one user or item record of a version: little-endian
 * {@code dim, degree, flags, contentDim}, then the vector and the parts the flags announce.
 * Compact (no schema, no registry needed to read it back after a restart).
 */
public final class EmbeddingCodec {
  static final int COLLABORATIVE = 1;
  static final int SEMANTIC = 2;
  static final int CONTENT = 4;
  private static final int HEADER = 4 + 4 + 1 + 4;

  private EmbeddingCodec() {}

  /** A decoded record; absent parts are null. */
  public record Entry(float[] vector, float[] collaborative, float[] semantic, int degree, float[] content) {}

  public static byte[] encode(Entry e) {
    int dim = e.vector().length;
    int flags = (e.collaborative() != null ? COLLABORATIVE : 0) | (e.semantic() != null ? SEMANTIC : 0)
        | (e.content() != null ? CONTENT : 0);
    int contentDim = e.content() == null ? 0 : e.content().length;
    int floats = dim * (1 + (e.collaborative() != null ? 1 : 0) + (e.semantic() != null ? 1 : 0)) + contentDim;
    ByteBuffer b = ByteBuffer.allocate(HEADER + floats * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(dim).putInt(e.degree()).put((byte) flags).putInt(contentDim);
    put(b, e.vector());
    put(b, e.collaborative());
    put(b, e.semantic());
    put(b, e.content());
    return b.array();
  }

  public static Entry decode(byte[] bytes) {
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    int dim = b.getInt();
    int degree = b.getInt();
    int flags = b.get();
    int contentDim = b.getInt();
    float[] v = get(b, dim);
    float[] c = (flags & COLLABORATIVE) != 0 ? get(b, dim) : null;
    float[] s = (flags & SEMANTIC) != 0 ? get(b, dim) : null;
    float[] content = (flags & CONTENT) != 0 ? get(b, contentDim) : null;
    return new Entry(v, c, s, degree, content);
  }

  private static void put(ByteBuffer b, float[] a) {
    if (a != null) {
      b.asFloatBuffer().put(a);
      b.position(b.position() + a.length * Float.BYTES);
    }
  }

  private static float[] get(ByteBuffer b, int n) {
    float[] a = new float[n];
    b.asFloatBuffer().get(a);
    b.position(b.position() + n * Float.BYTES);
    return a;
  }
}
