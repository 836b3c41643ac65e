package dev.crane.stream.codec;

import dev.crane.schemas.Modality;
import dev.crane.schemas.avro.FloatVector;
import dev.crane.schemas.avro.ItemFeatures;
import dev.crane.stream.deadletter.Reason;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * An item's features checked against the configured modalities: either usable (one float32 LE
 * slice per configured modality, pointing into the decoded record's buffers) or rejected with a
 * dead-letter reason. Modalities the configuration does not name are ignored.
 */
public final class ItemView {
  private final byte[][] arrays;
  private final int[] offsets;
  private final Reason rejection;
  private final String detail;

  private ItemView(byte[][] arrays, int[] offsets, Reason rejection, String detail) {
    this.arrays = arrays;
    this.offsets = offsets;
    this.rejection = rejection;
    this.detail = detail;
  }

  public static ItemView rejected(Reason reason, String detail) {
    return new ItemView(null, null, reason, detail);
  }

  public static ItemView of(ItemFeatures item, List<Modality> modalities) {
    int n = modalities.size();
    byte[][] arrays = new byte[n][];
    int[] offsets = new int[n];
    for (int m = 0; m < n; m++) {
      Modality mod = modalities.get(m);
      FloatVector v = find(item.getFeatures(), mod.name());
      if (v == null) {
        return rejected(Reason.WRONG_DIMENSION, "item " + item.getItemId() + " has no '" + mod.name()
            + "' vector (configured modalities " + modalities + ")");
      }
      ByteBuffer data = v.getData();
      if (v.getDim() != mod.dim() || data.remaining() != 4 * mod.dim()) {
        return rejected(Reason.WRONG_DIMENSION, "item " + item.getItemId() + " modality " + mod.name() + ": dim "
            + v.getDim() + " with " + data.remaining() + " bytes, expected dim " + mod.dim() + " (" + 4 * mod.dim()
            + " bytes)");
      }
      byte[] a;
      int off;
      if (data.hasArray()) {
        a = data.array();
        off = data.arrayOffset() + data.position();
      } else {
        a = new byte[data.remaining()];
        data.duplicate().get(a);
        off = 0;
      }
      for (int i = 0; i < mod.dim(); i++) {
        float f = LE.getFloat(a, off + 4 * i);
        if (!Float.isFinite(f)) {
          return rejected(Reason.NON_FINITE, "item " + item.getItemId() + " modality " + mod.name() + ": value " + f
              + " at index " + i);
        }
      }
      arrays[m] = a;
      offsets[m] = off;
    }
    return new ItemView(arrays, offsets, null, null);
  }

  private static FloatVector find(List<FloatVector> vs, String name) {
    for (FloatVector v : vs) {
      if (name.contentEquals(v.getModality())) {
        return v;
      }
    }
    return null;
  }

  public boolean usable() {
    return rejection == null;
  }

  public Reason rejection() {
    return rejection;
  }

  public String detail() {
    return detail;
  }

  public byte[] array(int m) {
    return arrays[m];
  }

  public int offset(int m) {
    return offsets[m];
  }
}
