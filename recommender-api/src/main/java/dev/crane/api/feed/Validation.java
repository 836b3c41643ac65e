package dev.crane.api.feed;

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

  /** A user's or an item's record of a version (null parts are absent ones). */
  static String embedding(EmbeddingReader.Embedding e) {
    String bad = id("record", e.id());
    if (bad != null) {
      return bad;
    }
    int width = e.vector().length;
    if (width == 0) {
      return e.id() + ": empty vector";
    }
    if (e.collaborative() != null && e.collaborative().length != width) {
      return e.id() + ": collaborative part of width " + e.collaborative().length + " beside a vector of " + width;
    }
    if (e.semantic() != null && e.semantic().length != width) {
      return e.id() + ": semantic part of width " + e.semantic().length + " beside a vector of " + width;
    }
    if (e.degree() < 0) {
      return e.id() + ": negative degree " + e.degree();
    }
    for (float[] part : new float[][] {e.vector(), e.collaborative(), e.semantic(), e.content()}) {
      if (part != null) {
        for (float f : part) {
          if (!Float.isFinite(f)) {
            return e.id() + ": non-finite value (NaN or infinity)";
          }
        }
      }
    }
    return null;
  }
}
