package dev.crane.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.crane.embedded.EmbeddedRuntime;
import dev.crane.ops.connect.Reachability;
import dev.crane.ops.connect.UnreachableException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReachabilityTest {
  private static EmbeddedRuntime runtime;
  @TempDir static Path dir;

  @BeforeAll
  static void start() {
    runtime = EmbeddedRuntime.start(dir, 1);
  }

  @AfterAll
  static void stop() {
    runtime.close();
  }

  @Test
  void aRunningBrokerAndRegistryPass() {
    Reachability.kafka(runtime.bootstrapServers(), Duration.ofSeconds(10), "--b");
    Reachability.registry(runtime.schemaRegistryUrl(), Duration.ofSeconds(10), "--r");
  }

  @Test
  void aClosedPortFailsWithinTheBoundNamingAddressAndSetting() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort(); // free now, so nothing listens there
    }
    String address = "127.0.0.1:" + port;
    long t0 = System.nanoTime();
    assertThatThrownBy(() -> Reachability.kafka(address, Duration.ofSeconds(2), "--bootstrap-servers"))
        .isInstanceOf(UnreachableException.class)
        .hasMessage("cannot reach the Kafka broker at " + address + " within 2 s; set --bootstrap-servers");
    assertThat((System.nanoTime() - t0) / 1e9).isLessThan(6);

    assertThatThrownBy(() -> Reachability.registry("http://" + address, Duration.ofSeconds(2), "--registry"))
        .isInstanceOf(UnreachableException.class)
        .hasMessage("cannot reach the schema registry at http://" + address + " within 2 s (connection refused); set --registry");
  }

  @Test
  void anUnresolvableHostSaysSo() {
    assertThatThrownBy(() -> Reachability.kafka("no-such-host.invalid:9092", Duration.ofSeconds(2), "--b"))
        .isInstanceOf(UnreachableException.class)
        .hasMessageContaining("no-such-host.invalid:9092").hasMessageContaining("resolvable").hasMessageEndingWith("; set --b");
  }

  @Test
  void aServerThatIsNotTheRegistryApiGetsAHint() throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", ex -> {
      ex.sendResponseHeaders(404, -1);
      ex.close();
    });
    server.start();
    try {
      String url = "http://127.0.0.1:" + server.getAddress().getPort();
      assertThatThrownBy(() -> Reachability.registry(url, Duration.ofSeconds(2), "--r"))
          .isInstanceOf(UnreachableException.class)
          .hasMessageContaining("answered HTTP 404").hasMessageContaining("/apis/ccompat/v7");
    } finally {
      server.stop(0);
    }
  }
}
