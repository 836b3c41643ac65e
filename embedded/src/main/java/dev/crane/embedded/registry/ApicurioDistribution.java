package dev.crane.embedded.registry;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Finds the Apicurio Registry server distribution (a zip that Maven downloads as a dependency of
 * this module) and unpacks it once into a cache directory. Unpacking goes to a temporary sibling
 * that is renamed into place, so a concurrent or crashed run never sees half a tree.
 */
final class ApicurioDistribution {
  static final String VERSION = "2.6.13.Final";
  static final String ZIP_PROPERTY = "crane.apicurio.zip";
  static final String ZIP_ENV = "CRANE_APICURIO_ZIP";
  /** Written last into a finished tree; its absence means "not unpacked yet". */
  static final String COMPLETE_MARKER = ".unpacked";

  private ApicurioDistribution() {}

  /** The zip: system property, then environment variable, then the local Maven repository. */
  static Path locateZip() {
    String explicit = System.getProperty(ZIP_PROPERTY);
    String source = "system property " + ZIP_PROPERTY;
    if (explicit == null || explicit.isBlank()) {
      explicit = System.getenv(ZIP_ENV);
      source = "environment variable " + ZIP_ENV;
    }
    if (explicit != null && !explicit.isBlank()) {
      Path zip = Paths.get(explicit);
      if (!Files.isRegularFile(zip)) {
        throw new IllegalStateException("Apicurio Registry zip not found at " + zip + " (from " + source + ")");
      }
      return zip;
    }
    Path zip = mavenRepository().resolve("io/apicurio/apicurio-registry-app/" + VERSION
        + "/apicurio-registry-app-" + VERSION + "-all.zip");
    if (!Files.isRegularFile(zip)) {
      throw new IllegalStateException("Apicurio Registry " + VERSION + " distribution not found at " + zip
          + ". It is a Maven dependency of the embedded module (io.apicurio:apicurio-registry-app:"
          + VERSION + ":zip:all): run `mvn install` (or `mvn -pl embedded dependency:resolve`) once with "
          + "network access, or point -D" + ZIP_PROPERTY + " / " + ZIP_ENV + " at the zip.");
    }
    return zip;
  }

  private static Path mavenRepository() {
    String local = System.getProperty("maven.repo.local");
    if (local != null && !local.isBlank()) {
      return Paths.get(local);
    }
    return Paths.get(System.getProperty("user.home"), ".m2", "repository");
  }

  static Path defaultCacheRoot() {
    return Paths.get(System.getProperty("user.home"), ".cache", "crane");
  }

  /**
   * The unpacked tree of {@code zip} under {@code cacheRoot}, unpacking it first if needed. The
   * directory is named after the zip, so a different distribution never reuses another's tree.
   */
  static Path unpacked(Path zip, Path cacheRoot) {
    String name = zip.getFileName().toString().replaceFirst("\\.zip$", "");
    Path target = cacheRoot.resolve(name);
    if (Files.exists(target.resolve(COMPLETE_MARKER))) {
      return target;
    }
    try {
      Files.createDirectories(cacheRoot);
      Path tmp = Files.createTempDirectory(cacheRoot, name + ".unpacking-");
      try {
        extract(zip, tmp);
        Files.createFile(tmp.resolve(COMPLETE_MARKER));
        if (Files.exists(target) && !Files.exists(target.resolve(COMPLETE_MARKER))) {
          deleteTree(target); // an unfinished tree from before atomic renames: never trust it
        }
        try {
          Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
          throw new IOException("cannot rename within " + cacheRoot + " atomically", e);
        } catch (IOException e) {
          // Another process finished first (rename onto its non-empty tree fails with ENOTEMPTY,
          // which the JDK reports as a plain FileSystemException): its tree is complete.
          if (!Files.exists(target.resolve(COMPLETE_MARKER))) {
            throw e;
          }
        }
      } finally {
        if (Files.exists(tmp)) {
          deleteTree(tmp);
        }
      }
      if (!Files.exists(target.resolve(COMPLETE_MARKER))) {
        throw new IOException("unpacked tree " + target + " is incomplete");
      }
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot unpack " + zip + " into " + cacheRoot, e);
    }
  }

  private static void extract(Path zip, Path into) throws IOException {
    try (ZipFile zf = new ZipFile(zip.toFile())) {
      Enumeration<? extends ZipEntry> entries = zf.entries();
      while (entries.hasMoreElements()) {
        ZipEntry e = entries.nextElement();
        Path out = into.resolve(e.getName()).normalize();
        if (!out.startsWith(into)) {
          throw new IOException("zip entry escapes the target directory: " + e.getName());
        }
        if (e.isDirectory()) {
          Files.createDirectories(out);
          continue;
        }
        Files.createDirectories(out.getParent());
        try (InputStream in = zf.getInputStream(e)) {
          Files.copy(in, out);
        }
      }
    }
  }

  /**
   * The server's launcher jar in an unpacked tree: a legacy {@code *-runner.jar} (what 2.6.x
   * ships, with its {@code lib/}) or a Quarkus fast-jar {@code quarkus-app/quarkus-run.jar}.
   */
  static Path launcherJar(Path home) {
    Path fastJar = home.resolve("quarkus-app/quarkus-run.jar");
    if (Files.isRegularFile(fastJar)) {
      return fastJar;
    }
    try (Stream<Path> files = Files.list(home)) {
      Optional<Path> runner = files.filter(p -> p.getFileName().toString().endsWith("-runner.jar")).findFirst();
      return runner.orElseThrow(() -> new IllegalStateException("no *-runner.jar or quarkus-app/quarkus-run.jar in "
          + home + ": not an Apicurio Registry distribution?"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
