package dev.crane.api.feed;

import java.util.List;

/** Checks of incoming records, each returning what is wrong or null. */
final class Validation {
  private Validation() {}

  static String id(String what, String id) {
    if (id == null || id.isBlank()) {
      return what + " id is empty";
    }
    if (id.indexOf('\0') >= 0) {
      return what + " id contains a NUL character";
    }
    return null;
  }

  static String embedding(String id, List<Float> vector, List<Float> collaborative, List<Float> semantic,
      List<Float> content, int degree) {
    String bad = id("record", id);
    if (bad != null) {
      return bad;
    }
    if (vector.isEmpty()) {
      return id + ": empty vector";
    }
    if (collaborative != null && collaborative.size() != vector.size()) {
      return id + ": collaborative part of width " + collaborative.size() + " beside a vector of " + vector.size();
    }
    if (semantic != null && semantic.size() != vector.size()) {
      return id + ": semantic part of width " + semantic.size() + " beside a vector of " + vector.size();
    }
    if (degree < 0) {
      return id + ": negative degree " + degree;
    }
    for (List<Float> part : new List[] {vector, collaborative, semantic, content}) {
      if (part != null) {
        for (Float f : part) {
          if (f == null || !Float.isFinite(f)) {
            return id + ": non-finite value (NaN or infinity)";
          }
        }
      }
    }
    return null;
  }

  static float[] floats(List<Float> values) {
    if (values == null) {
      return null;
    }
    float[] out = new float[values.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = values.get(i);
    }
    return out;
  }
}
