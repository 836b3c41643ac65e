package dev.crane.embedded.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Lifecycle of the real Apicurio server: starts, answers, stops, and fails clearly. */
class LocalSchemaRegistryTest {
  @TempDir Path logs;

  @Test
  void startsAnswersTheConfluentApiAndStops() throws Exception {
    LocalSchemaRegistry registry = LocalSchemaRegistry.start(LocalSchemaRegistry.Options.defaults().withLogDir(logs));
    int port = registry.port();
    try {
      System.out.printf("Apicurio Registry started in %d ms%n", registry.startupTime().toMillis());
      assertThat(registry.url()).isEqualTo("http://127.0.0.1:" + port + "/apis/ccompat/v7");
      assertThat(registry.isRunning()).isTrue();
      HttpResponse<String> subjects = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create(registry.url() + "/subjects")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(subjects.statusCode()).isEqualTo(200);
      assertThat(subjects.body().trim()).isEqualTo("[]");
      assertThat(registry.logFile()).startsWith(logs).isRegularFile();
      assertThat(Files.readString(registry.logFile())).contains("Listening on: http://127.0.0.1:" + port);
    } finally {
      registry.close();
    }
    assertThat(registry.isRunning()).isFalse();
    assertThat(ProcessHandle.of(registry.pid()).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    assertThatThrownBy(() -> new Socket(InetAddress.getLoopbackAddress(), port).close())
        .isInstanceOf(java.net.ConnectException.class);
    registry.close(); // idempotent
  }

  @Test
  void shutdownHookStopsTheServerWhenTheJvmExits() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process child = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
        StartAndExit.class.getName(), logs.toString()).redirectErrorStream(true).start();
    String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(child.waitFor(120, TimeUnit.SECONDS)).isTrue();
    Matcher m = Pattern.compile("registry-pid=(\\d+)").matcher(out);
    assertThat(m.find()).as("child output:%n%s", out).isTrue();
    long pid = Long.parseLong(m.group(1));

    Optional<ProcessHandle> server = ProcessHandle.of(pid);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (server.map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    boolean alive = server.map(ProcessHandle::isAlive).orElse(false);
    server.filter(ProcessHandle::isAlive).ifPresent(ProcessHandle::destroyForcibly); // never leak it
    assertThat(alive).as("registry process %d outlived its JVM", pid).isFalse();
  }

  @Test
  void missingZipSaysWhatToDo() {
    String previous = System.getProperty(ApicurioDistribution.ZIP_PROPERTY);
    System.setProperty(ApicurioDistribution.ZIP_PROPERTY, logs.resolve("nope.zip").toString());
    try {
      assertThatThrownBy(LocalSchemaRegistry::start)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("nope.zip")
          .hasMessageContaining(ApicurioDistribution.ZIP_PROPERTY);
    } finally {
      restore(ApicurioDistribution.ZIP_PROPERTY, previous);
    }
  }

  @Test
  void zipAbsentFromTheMavenRepositorySaysRunMvnInstall() {
    String previous = System.getProperty("maven.repo.local");
    System.setProperty("maven.repo.local", logs.toString());
    try {
      if (System.getenv(ApicurioDistribution.ZIP_ENV) == null
          && System.getProperty(ApicurioDistribution.ZIP_PROPERTY) == null) {
        assertThatThrownBy(ApicurioDistribution::locateZip)
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining(logs.resolve("io/apicurio/apicurio-registry-app/2.6.13.Final").toString())
            .hasMessageContaining("mvn install");
      }
    } finally {
      restore("maven.repo.local", previous);
    }
  }

  private static void restore(String key, String value) {
    if (value == null) {
      System.clearProperty(key);
    } else {
      System.setProperty(key, value);
    }
  }
}
