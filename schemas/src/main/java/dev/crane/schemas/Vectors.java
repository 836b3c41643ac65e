package dev.crane.schemas;

import dev.crane.schemas.avro.DoubleVector;
import dev.crane.schemas.avro.FloatVector;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Packing of dense vectors into the little-endian {@code bytes} fields of the Avro records. */
public final class Vectors {
  private Vectors() {}

  public static FloatVector floatVector(String modality, float[] values, int offset, int dim) {
    ByteBuffer buf = ByteBuffer.allocate(dim * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    buf.asFloatBuffer().put(values, offset, dim);
    return new FloatVector(modality, dim, buf);
  }

  public static DoubleVector doubleVector(String modality, double[] values) {
    ByteBuffer buf = ByteBuffer.allocate(values.length * Double.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    buf.asDoubleBuffer().put(values);
    return new DoubleVector(modality, values.length, buf);
  }

  /** The values of {@code v}; fails when the byte length disagrees with the declared dimension. */
  public static float[] floats(FloatVector v) {
    ByteBuffer data = v.getData().duplicate().order(ByteOrder.LITTLE_ENDIAN);
    if (data.remaining() != v.getDim() * Float.BYTES) {
      throw new IllegalArgumentException("modality " + v.getModality() + ": " + data.remaining()
          + " bytes for dim " + v.getDim() + " (expected " + v.getDim() * Float.BYTES + ")");
    }
    float[] out = new float[v.getDim()];
    data.asFloatBuffer().get(out);
    return out;
  }

  public static double[] doubles(DoubleVector v) {
    ByteBuffer data = v.getData().duplicate().order(ByteOrder.LITTLE_ENDIAN);
    if (data.remaining() != v.getDim() * Double.BYTES) {
      throw new IllegalArgumentException("modality " + v.getModality() + ": " + data.remaining()
          + " bytes for dim " + v.getDim() + " (expected " + v.getDim() * Double.BYTES + ")");
    }
    double[] out = new double[v.getDim()];
    data.asDoubleBuffer().get(out);
    return out;
  }
}
