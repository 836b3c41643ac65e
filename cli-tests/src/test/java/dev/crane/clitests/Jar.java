package dev.crane.clitests;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One of the project's runnable jars, started as README.md shows ({@code java -jar
 * <module>/target/<module>.jar ...}) in a child process whose stdout and stderr go to files, as when
 * a person redirects them: no terminal, so no progress bars, and whatever is not flushed is lost.
 */
record Jar(String module) {
  static final Jar INGEST = new Jar("ingest");
  static final Jar STREAM_PROCESSOR = new Jar("stream-processor");
  static final Jar TRAINER = new Jar("trainer");
  static final Jar STANDALONE = new Jar("standalone");
  static final Jar RECOMMENDER_API = new Jar("recommender-api");

  /** What a finished run printed. */
  record Run(int exit, String out, String err, double seconds) {
    List<String> outLines() {
      return out.lines().toList();
    }

    List<String> errLines() {
      return err.lines().toList();
    }

    /** Both streams, for assertion messages. */
    String both() {
      return "exit " + exit + " after " + seconds + " s\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  Path path() {
    Path root = Path.of(System.getProperty("crane.root", "..")).toAbsolutePath().normalize();
    Path jar = root.resolve(module).resolve("target").resolve(module + ".jar");
    assertThat(jar).as("%s is built by `mvn package` before these tests run", jar).isRegularFile();
    return jar;
  }

  private List<String> command(String... args) {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-jar", path().toString()));
    cmd.addAll(List.of(args));
    return cmd;
  }

  /** Runs to completion (killed after {@code timeout}) with stdout and stderr in files under {@code dir}. */
  Run run(Path dir, Duration timeout, String... args) throws IOException, InterruptedException {
    Files.createDirectories(dir);
    Path out = Files.createTempFile(dir, module + "-", ".out");
    Path err = Files.createTempFile(dir, module + "-", ".err");
    long t0 = System.nanoTime();
    Process p = new ProcessBuilder(command(args)).directory(dir.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
        .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      p.destroyForcibly().waitFor();
      throw new AssertionError(module + " " + String.join(" ", args) + " did not finish within " + timeout
          + "\n--- stdout\n" + Files.readString(out) + "--- stderr\n" + Files.readString(err));
    }
    return new Run(p.exitValue(), Files.readString(out), Files.readString(err), (System.nanoTime() - t0) / 1e9);
  }

  /** Starts a long-running role; the caller stops it with {@link Process#destroy()} (SIGTERM). */
  Process start(Path out, Path err, String... args) throws IOException {
    return new ProcessBuilder(command(args)).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
        .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
  }
}
