package dev.crane.clitests;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A long-running role (one of the service jars) as a child process that can be SIGKILLed and
 * started again on the same state, settings and ports, with its stdout and stderr appended to one
 * log per start.
 */
final class Role {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  final String name;
  private final Jar jar;
  private final List<String> args;
  private final Path logs;
  final int metricsPort;
  private Process process;
  private int starts;

  /** {@code args} must set {@code metrics.port} to {@link #metricsPort}: {@link #healthy} reads its /health. */
  Role(String name, Jar jar, Path logs, int metricsPort, List<String> args) {
    this.name = name;
    this.jar = jar;
    this.logs = logs;
    this.metricsPort = metricsPort;
    this.args = new ArrayList<>(args);
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  void start() throws IOException {
    Files.createDirectories(logs);
    starts++;
    process = jar.start(logs.resolve(name + "-" + starts + ".out"), logs.resolve(name + "-" + starts + ".err"),
        args.toArray(String[]::new));
  }

  /**
   * SIGKILL of the process a person started (the trainer's jar runs its work in a child JVM): no
   * shutdown hook, no commit, no close; open transactions and dirty local state stay behind. Any
   * process it had started must end on its own within seconds.
   */
  void kill() throws InterruptedException {
    List<ProcessHandle> workers = process.descendants().toList();
    process.destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new AssertionError(name + " did not die within 30 s of SIGKILL");
    }
    for (ProcessHandle w : workers) {
      try {
        w.onExit().get(15, TimeUnit.SECONDS);
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
        w.destroyForcibly();
        throw new AssertionError(name + ": process " + w.pid() + " was still running 15 s after its launcher was killed");
      }
    }
  }

  /** SIGTERM, then SIGKILL after a minute. */
  void stop() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroy();
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    }
  }

  boolean alive() {
    return process != null && process.isAlive();
  }

  /** The role's own word: /health answers 200. */
  boolean healthy() {
    try {
      HttpRequest r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/health"))
          .timeout(Duration.ofSeconds(2)).build();
      return HTTP.send(r, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** The last lines of the newest start's stderr, for failure messages. */
  String tail() {
    try {
      List<String> lines = Files.readAllLines(logs.resolve(name + "-" + starts + ".err"));
      return name + " (start " + starts + ", " + (alive() ? "running" : "exited") + "):\n"
          + String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException e) {
      return name + ": no log";
    }
  }
}
