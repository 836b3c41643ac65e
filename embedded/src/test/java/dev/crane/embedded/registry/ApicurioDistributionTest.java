package dev.crane.embedded.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Unpack-once into the cache, on a small zip shaped like the distribution. */
class ApicurioDistributionTest {
  @TempDir Path dir;

  private Path zip(String name, String... entries) throws Exception {
    Path zip = dir.resolve(name);
    try (OutputStream os = Files.newOutputStream(zip); ZipOutputStream z = new ZipOutputStream(os)) {
      for (String e : entries) {
        z.putNextEntry(new ZipEntry(e));
        if (!e.endsWith("/")) {
          z.write(("content of " + e).getBytes(StandardCharsets.UTF_8));
        }
        z.closeEntry();
      }
    }
    return zip;
  }

  @Test
  void unpacksOnceAndFindsTheRunnerJar() throws Exception {
    Path zip = zip("app-1.0-all.zip", "lib/", "lib/a.jar", "app-1.0-runner.jar");
    Path cache = dir.resolve("cache");

    Path home = ApicurioDistribution.unpacked(zip, cache);

    assertThat(home).isEqualTo(cache.resolve("app-1.0-all"));
    assertThat(Files.readString(home.resolve("lib/a.jar"))).isEqualTo("content of lib/a.jar");
    assertThat(ApicurioDistribution.launcherJar(home)).isEqualTo(home.resolve("app-1.0-runner.jar"));
    // A second call reuses the tree: a file added to it survives.
    Files.writeString(home.resolve("touched"), "x");
    assertThat(ApicurioDistribution.unpacked(zip, cache)).isEqualTo(home);
    assertThat(home.resolve("touched")).exists();
    try (Stream<Path> left = Files.list(cache)) {
      assertThat(left).containsExactly(home); // no temporary directories left behind
    }
  }

  @Test
  void concurrentUnpacksAgreeOnOneCompleteTree() throws Exception {
    List<String> entries = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      entries.add("lib/dep-" + i + ".jar");
    }
    entries.add("app-runner.jar");
    Path zip = zip("app-all.zip", entries.toArray(String[]::new));
    Path cache = dir.resolve("cache");
    ExecutorService pool = Executors.newFixedThreadPool(4);
    CountDownLatch go = new CountDownLatch(1);
    try {
      List<Future<Path>> results = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        results.add(pool.submit(() -> {
          go.await();
          return ApicurioDistribution.unpacked(zip, cache);
        }));
      }
      go.countDown();
      for (Future<Path> r : results) {
        Path home = r.get();
        assertThat(home.resolve(ApicurioDistribution.COMPLETE_MARKER)).exists();
        try (Stream<Path> libs = Files.list(home.resolve("lib"))) {
          assertThat(libs).hasSize(200);
        }
      }
    } finally {
      pool.shutdownNow();
    }
    try (Stream<Path> left = Files.list(cache)) {
      assertThat(left).hasSize(1);
    }
  }

  @Test
  void aTreeWithoutTheMarkerIsReplaced() throws Exception {
    Path zip = zip("app-all.zip", "app-runner.jar");
    Path cache = dir.resolve("cache");
    Files.createDirectories(cache.resolve("app-all"));
    Files.writeString(cache.resolve("app-all/half-written"), "x"); // e.g. a crash mid-copy by hand

    Path home = ApicurioDistribution.unpacked(zip, cache);

    assertThat(home.resolve("half-written")).doesNotExist();
    assertThat(home.resolve("app-runner.jar")).exists();
  }

  @Test
  void rejectsEntriesEscapingTheTree() throws Exception {
    Path zip = zip("evil-all.zip", "../outside.txt");
    assertThatThrownBy(() -> ApicurioDistribution.unpacked(zip, dir.resolve("cache")))
        .hasStackTraceContaining("escapes the target directory");
    assertThat(dir.resolve("outside.txt")).doesNotExist();
  }

  @Test
  void notADistribution() throws Exception {
    Path home = ApicurioDistribution.unpacked(zip("x-all.zip", "readme.txt"), dir.resolve("cache"));
    assertThatThrownBy(() -> ApicurioDistribution.launcherJar(home))
        .hasMessageContaining("not an Apicurio Registry distribution");
  }
}
