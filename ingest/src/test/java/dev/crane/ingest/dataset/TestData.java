package dev.crane.ingest.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Locates the real datasets (Baby, TikTok) for tests that need them; they skip when absent.
 *
 * <p>Where: the system property {@code crane.data.dir} (e.g. {@code mvn test
 * -Dcrane.data.dir=/data/crane}), else the environment variable {@code CRANE_DATA_DIR}, else the
 * first {@code shared/data} found walking up from the working directory (the module directory under
 * Maven, so {@code <repo>/shared/data} and {@code <repo>/../shared/data} are both found). An
 * explicitly configured directory that lacks the dataset fails the test rather than skipping it,
 * so a wrong CI setting cannot pass silently.
 */
public final class TestData {
  private TestData() {}

  static final String PROPERTY = "crane.data.dir";
  static final String ENV = "CRANE_DATA_DIR";

  /** The dataset directory {@code <data>/<name>}, or a skipped test explaining where it looked. */
  public static Path dataset(String name) {
    String configured = System.getProperty(PROPERTY, System.getenv(ENV));
    if (configured != null && !configured.isBlank()) {
      Path dir = Path.of(configured).resolve(name);
      assertThat(dir).as("dataset '%s' under %s=%s (or %s)", name, PROPERTY, configured, ENV).isDirectory();
      return dir;
    }
    List<Path> tried = new ArrayList<>();
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      Path candidate = p.resolve("shared").resolve("data").resolve(name);
      tried.add(candidate);
      if (Files.isDirectory(candidate)) {
        return candidate;
      }
    }
    assumeTrue(false, "real dataset '" + name + "' not found, test skipped; set -D" + PROPERTY
        + "=<dir holding " + name + "/> or " + ENV + " (looked in " + tried + ")");
    return null;
  }

  /** Fails unless {@code file} matches its line in {@code <data>/SHA256SUMS} (when that file exists). */
  static void checkSha256(Path dataRoot, Path file) throws Exception {
    Path sums = dataRoot.resolve("SHA256SUMS");
    if (!Files.exists(sums)) {
      return;
    }
    String rel = dataRoot.relativize(file).toString().replace('\\', '/');
    String expected = Files.readAllLines(sums).stream()
        .filter(l -> l.endsWith(" " + rel))
        .map(l -> l.substring(0, l.indexOf(' ')))
        .findFirst().orElse(null);
    if (expected == null) {
      return;
    }
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buf = new byte[1 << 16];
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    assertThat(HexFormat.of().formatHex(md.digest()))
        .as("%s differs from %s: the expected values in this test are for that version", file, sums)
        .isEqualTo(expected);
  }
}
