package dev.crane.clitests;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every role that talks to Kafka, pointed at a port where nothing listens: one line on stderr that
 * names the address and the setting to change, exit status 3, within the configured bound (3 s here)
 * plus the JVM's start, and nothing on stdout.
 */
class UnreachableBrokerTest {
  private static final int BOUND_S = 3;
  private static String nowhere;
  @TempDir Path dir;

  @BeforeAll
  static void aClosedPort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      nowhere = "127.0.0.1:" + s.getLocalPort();
    }
  }

  private static void assertOneLineWithin(Jar.Run r, String setting) {
    assertThat(r.exit()).as(r.both()).isEqualTo(3);
    assertThat(r.errLines()).as(r.both()).containsExactly("error: cannot reach the Kafka broker at " + nowhere
        + " within " + BOUND_S + " s; set " + setting);
    assertThat(r.out()).as(r.both()).isEmpty();
    assertThat(r.seconds()).as(r.both()).isLessThan(BOUND_S + 12);
  }

  @Test
  void ingestSynthetic() throws Exception {
    Jar.Run r = Jar.INGEST.run(dir, Duration.ofSeconds(60), "synthetic", "--bootstrap-servers", nowhere,
        "--connect-timeout", Integer.toString(BOUND_S));
    assertOneLineWithin(r, "--bootstrap-servers or CRANE_BOOTSTRAP_SERVERS");
  }

  @Test
  void ingestDataset() throws Exception {
    Path data = Files.createDirectories(dir.resolve("tiny"));
    Files.writeString(data.resolve("tiny.inter"), "userID\titemID\tx_label\n0\t0\t0\n1\t0\t0\n");
    Jar.Run r = Jar.INGEST.run(dir, Duration.ofSeconds(60), "dataset", "--path", data.toString(),
        "--bootstrap-servers", nowhere, "--connect-timeout", Integer.toString(BOUND_S));
    assertOneLineWithin(r, "--bootstrap-servers or CRANE_BOOTSTRAP_SERVERS");
  }

  @Test
  void streamProcessor() throws Exception {
    Jar.Run r = Jar.STREAM_PROCESSOR.run(dir, Duration.ofSeconds(60), "--set", "bootstrap.servers=" + nowhere,
        "--set", "connect.timeout.ms=" + BOUND_S * 1000);
    assertOneLineWithin(r, "bootstrap.servers (--set bootstrap.servers=HOST:PORT or CRANE_STREAM_BOOTSTRAP_SERVERS)");
  }

  @Test
  void trainerServiceAndStatus() throws Exception {
    for (String command : new String[] {"serve", "status"}) {
      Jar.Run r = Jar.TRAINER.run(dir, Duration.ofSeconds(60), command, "--set", "bootstrap.servers=" + nowhere,
          "--set", "connect.timeout.ms=" + BOUND_S * 1000);
      assertOneLineWithin(r, "bootstrap.servers (--set bootstrap.servers=HOST:PORT or CRANE_TRAINER_BOOTSTRAP_SERVERS)");
    }
  }

  @Test
  void recommenderApi() throws Exception {
    Jar.Run r = Jar.RECOMMENDER_API.run(dir, Duration.ofSeconds(60), "serve", "--set", "bootstrap.servers=" + nowhere,
        "--set", "connect.timeout.ms=" + BOUND_S * 1000);
    assertOneLineWithin(r, "bootstrap.servers (--set bootstrap.servers=HOST:PORT or CRANE_API_BOOTSTRAP_SERVERS)");
  }

  @Test
  void verboseAddsTheStackTrace() throws Exception {
    Jar.Run r = Jar.INGEST.run(dir, Duration.ofSeconds(60), "synthetic", "--bootstrap-servers", nowhere,
        "--connect-timeout", "1", "--verbose");
    assertThat(r.exit()).as(r.both()).isEqualTo(3);
    assertThat(r.errLines().get(0)).startsWith("error: cannot reach the Kafka broker");
    assertThat(r.err()).contains("UnreachableException").contains("\tat ");
  }
}
