package dev.crane.ingest.dataset;

import java.nio.file.Path;

/**
 * Bad dataset input. The message always starts with the file and, where it applies, the line of
 * the {@code .inter} file (1-based, the header is line 1) or the row of the {@code .npy} matrix
 * (0-based, = item id), e.g. {@code data/baby/baby.inter:17: x_label must be 0, 1 or 2, got '3'}.
 */
public class DatasetException extends RuntimeException {
  private final Path file;
  private final String location;
  private final BadReason reason;

  public DatasetException(Path file, String location, BadReason reason, String what) {
    super(format(file, location, what));
    this.file = file;
    this.location = location;
    this.reason = reason;
  }

  public DatasetException(Path file, String what) {
    this(file, null, null, what);
  }

  public DatasetException(Path file, String what, Throwable cause) {
    super(format(file, null, what), cause);
    this.file = file;
    this.location = null;
    this.reason = null;
  }

  static String format(Path file, String location, String what) {
    String where = file == null ? "" : file.toString();
    if (location != null) {
      where += ":" + location;
    }
    return where.isEmpty() ? what : where + ": " + what;
  }

  /** The offending file, or null when the problem is not tied to one file. */
  public Path file() {
    return file;
  }

  /** "17" for line 17, "row 5" for a matrix row, or null for a whole-file problem. */
  public String location() {
    return location;
  }

  /** The skippable reason, or null for a whole-file problem that skip mode cannot work around. */
  public BadReason reason() {
    return reason;
  }
}
