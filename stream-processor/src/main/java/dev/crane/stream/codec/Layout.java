package dev.crane.stream.codec;

/**
 * Changelogged values start with a format byte, so that a value written by one release is read
 * correctly by the next: a decoder dispatches on it and keeps reading the layouts before it. The
 * layouts written before the format byte existed are told apart by a rule of each codec (their
 * length, or a field no versioned value can have), documented there.
 */
final class Layout {
  private Layout() {}

  /** The error for a value no layout of this release matches (e.g. written by a newer release). */
  static IllegalStateException unknown(String what, byte[] b) {
    return new IllegalStateException(what + ": no known layout matches a value of " + b.length + " bytes"
        + (b.length > 0 ? " with format byte " + b[0] : "")
        + " (written by a newer release? state from a newer release cannot be read by an older one)");
  }
}
