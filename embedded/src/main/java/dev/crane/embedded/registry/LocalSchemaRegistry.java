package dev.crane.embedded.registry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Apicurio Registry server (in-memory storage) running as a child process on a free
 * loopback port, for the embedded default and integration tests. Its Confluent-compatible API is
 * at {@link #url()}, which is what {@code schema.registry.url} should be set to.
 *
 * <pre>{@code
 * try (LocalSchemaRegistry registry = LocalSchemaRegistry.start()) {
 *   props.put("schema.registry.url", registry.url());
 *   ...
 * }
 * }</pre>
 *
 * <p>The distribution zip is unpacked once under {@code ~/.cache/crane}; the server's output goes
 * to {@link #logFile()}. {@link #close()} stops it, and a shutdown hook does so if the JVM exits
 * first. Data lives only as long as the process.
 */
public final class LocalSchemaRegistry implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LocalSchemaRegistry.class);
  /** Confluent Schema Registry API v7 as Apicurio 2.x serves it. */
  public static final String CCOMPAT_PATH = "/apis/ccompat/v7";
  private static final int PORT_ATTEMPTS = 3;
  private static final int LOGS_KEPT = 10;

  /** Launch settings; {@link #defaults()} suits tests and the embedded default. */
  public record Options(Path cacheRoot, Path logDir, String maxHeap, Duration startupTimeout, Duration stopTimeout) {
    public static Options defaults() {
      Path cache = ApicurioDistribution.defaultCacheRoot();
      // ~10 s on a quiet machine; beyond 90 s with both cores busy (load average 7, training jobs running)
      return new Options(cache, cache.resolve("logs"), "512m", Duration.ofSeconds(240), Duration.ofSeconds(10));
    }

    public Options withLogDir(Path dir) {
      return new Options(cacheRoot, dir, maxHeap, startupTimeout, stopTimeout);
    }

    public Options withStartupTimeout(Duration timeout) {
      return new Options(cacheRoot, logDir, maxHeap, timeout, stopTimeout);
    }
  }

  private final Process process;
  private final int port;
  private final Path logFile;
  private final Duration stopTimeout;
  private final Thread shutdownHook;
  private final Duration startedIn;

  private LocalSchemaRegistry(Process process, int port, Path logFile, Duration stopTimeout, Duration startedIn) {
    this.process = process;
    this.port = port;
    this.logFile = logFile;
    this.stopTimeout = stopTimeout;
    this.startedIn = startedIn;
    this.shutdownHook = new Thread(() -> stop(Duration.ofSeconds(3)), "local-schema-registry-stop");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  public static LocalSchemaRegistry start() {
    return start(Options.defaults());
  }

  /**
   * Unpacks the distribution if needed, launches the server and waits until its Confluent API
   * answers.
   *
   * @throws IllegalStateException when the zip is missing or the server does not come up in
   *     time (the message carries the tail of its log)
   */
  public static LocalSchemaRegistry start(Options options) {
    Path home = ApicurioDistribution.unpacked(ApicurioDistribution.locateZip(), options.cacheRoot());
    Path jar = ApicurioDistribution.launcherJar(home);
    try {
      Files.createDirectories(options.logDir());
      pruneOldLogs(options.logDir());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create log directory " + options.logDir(), e);
    }
    IllegalStateException portClash = null;
    for (int attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
      int port = freePort();
      Path log = options.logDir().resolve("apicurio-registry-" + System.currentTimeMillis() + "-" + port + ".log");
      long t0 = System.nanoTime();
      Process p = launch(jar, port, log, options);
      try {
        waitUntilReady(p, port, log, options.startupTimeout());
      } catch (IllegalStateException e) {
        destroy(p, options.stopTimeout());
        // The free port can be taken between our probe and the server's bind: try another.
        String recent = tail(log, 200);
        if (recent.contains("already in use") || recent.contains("Port already bound")) {
          portClash = e;
          continue;
        }
        throw e;
      }
      Duration took = Duration.ofNanos(System.nanoTime() - t0);
      LOG.info("Apicurio Registry {} up at http://127.0.0.1:{}{} in {} ms (log {})", ApicurioDistribution.VERSION,
          port, CCOMPAT_PATH, took.toMillis(), log);
      return new LocalSchemaRegistry(p, port, log, options.stopTimeout(), took);
    }
    throw portClash;
  }

  private static Process launch(Path jar, int port, Path log, Options options) {
    String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>(List.of(java,
        "-Xmx" + options.maxHeap(),
        // A registry answers a handful of calls per schema: C1 and the serial GC halve its start-up
        // (about 5 s instead of 10) and leave the cores to the build and the broker.
        "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError",
        "-Dquarkus.http.host=127.0.0.1",
        "-Dquarkus.http.port=" + port,
        // The default pool opens 20 connections to the in-memory H2 database up front.
        "-Dquarkus.datasource.jdbc.initial-size=1",
        "-Dquarkus.datasource.jdbc.min-size=1",
        "-jar", jar.toString()));
    ProcessBuilder pb = new ProcessBuilder(cmd)
        .directory(log.getParent().toFile())
        .redirectErrorStream(true)
        .redirectOutput(log.toFile());
    // Its application.properties reads the port from HTTP_PORT in the prod profile.
    pb.environment().put("HTTP_PORT", Integer.toString(port));
    try {
      return pb.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot launch " + String.join(" ", cmd), e);
    }
  }

  private static void waitUntilReady(Process p, int port, Path log, Duration timeout) {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1))
        .version(HttpClient.Version.HTTP_1_1).build();
    HttpRequest probe = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + CCOMPAT_PATH + "/subjects"))
        .timeout(Duration.ofSeconds(2)).GET().build();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!p.isAlive()) {
        throw new IllegalStateException("Apicurio Registry exited with code " + p.exitValue()
            + " before it was ready. Last lines of " + log + ":\n" + tail(log, 40));
      }
      try {
        if (http.send(probe, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        destroy(p, Duration.ofSeconds(1));
        throw new IllegalStateException("interrupted while waiting for Apicurio Registry to start", e);
      }
      sleep(200);
    }
    throw new IllegalStateException("Apicurio Registry did not become ready on port " + port + " within "
        + timeout.toSeconds() + " s. Last lines of " + log + ":\n" + tail(log, 40));
  }

  /** Confluent-compatible base URL, for {@code schema.registry.url}. */
  public String url() {
    return baseUrl() + CCOMPAT_PATH;
  }

  /** The server root (Apicurio's own API under /apis/registry/v2, health under /health). */
  public String baseUrl() {
    return "http://127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  public Path logFile() {
    return logFile;
  }

  public long pid() {
    return process.pid();
  }

  public boolean isRunning() {
    return process.isAlive();
  }

  /** Time from launch until the API answered. */
  public Duration startupTime() {
    return startedIn;
  }

  /** Stops the server: SIGTERM, then a forced kill after the stop timeout. Idempotent. */
  @Override
  public void close() {
    stop(stopTimeout);
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // already shutting down: the hook runs (harmlessly) anyway
    }
  }

  private void stop(Duration grace) {
    if (process.isAlive()) {
      destroy(process, grace);
      LOG.info("Apicurio Registry on port {} stopped", port);
    }
  }

  private static void destroy(Process p, Duration grace) {
    p.destroy();
    try {
      if (!p.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free loopback port", e);
    }
  }

  static String tail(Path file, int lines) {
    try {
      // Lenient decoding: a crashing server may leave a torn multi-byte character behind.
      List<String> all = new String(Files.readAllBytes(file), StandardCharsets.UTF_8).lines().toList();
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(cannot read " + file + ": " + e + ")";
    }
  }

  /** Each start writes a log; keep the most recent few so the cache does not grow forever. */
  private static void pruneOldLogs(Path dir) throws IOException {
    try (Stream<Path> logs = Files.list(dir)) {
      List<Path> old = logs.filter(p -> p.getFileName().toString().startsWith("apicurio-registry-"))
          .sorted(Comparator.comparing((Path p) -> p.toFile().lastModified()).reversed())
          .skip(LOGS_KEPT - 1).toList();
      for (Path p : old) {
        Files.deleteIfExists(p);
      }
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
