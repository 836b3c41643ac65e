package dev.crane.ingest.dataset;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Small test data: committed .npy fixtures (see resources/npy/make_fixtures.py) and text files. */
final class Fixtures {
  private Fixtures() {}

  /** Copies resource npy/{@code name} to {@code target}. */
  static Path npy(String name, Path target) {
    try (InputStream in = Fixtures.class.getResourceAsStream("/npy/" + name)) {
      if (in == null) {
        throw new IllegalStateException("missing test resource npy/" + name);
      }
      Files.createDirectories(target.getParent());
      Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static byte[] npyBytes(String name) {
    try (InputStream in = Fixtures.class.getResourceAsStream("/npy/" + name)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes text lines joined by '\n' (a trailing newline included). */
  static Path text(Path file, String... lines) {
    try {
      Files.createDirectories(file.getParent());
      return Files.writeString(file, String.join("\n", lines) + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Path matrix(Path file, int rows, int cols, float... values) {
    try {
      Files.createDirectories(file.getParent());
      Npy.writeFloat32(file, rows, cols, values);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
