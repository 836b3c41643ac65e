package dev.crane.embedded.kafka;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node KRaft Kafka broker (combined broker + controller) running inside this JVM, on
 * loopback ports chosen at start. The log directory is formatted on first use and reused when it
 * already holds a formatted cluster, so a restarted broker keeps its data (crash-recovery tests and
 * a persistent embedded default both need that).
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);
  private static final int PORT_ATTEMPTS = 3;

  private final KafkaRaftServer server;
  private final String bootstrapServers;
  private final Path logDir;

  private EmbeddedKafkaBroker(KafkaRaftServer server, String bootstrapServers, Path logDir) {
    this.server = server;
    this.bootstrapServers = bootstrapServers;
    this.logDir = logDir;
  }

  /**
   * Formats {@code dataDir} if needed and starts the broker.
   *
   * @param overrides extra broker properties (they win over the defaults below)
   */
  public static EmbeddedKafkaBroker start(Path dataDir, Map<String, String> overrides) {
    return start(dataDir, overrides, EmbeddedKafkaBroker::freePort);
  }

  /**
   * As {@link #start(Path, Map)}, with the loopback ports drawn from {@code ports}. A probed free port
   * can be taken before the broker binds it (the registry and client sockets draw from the same
   * ephemeral range, and start beside it): on a bind failure the broker is stopped and started again on
   * new ports, up to {@value #PORT_ATTEMPTS} times.
   */
  static EmbeddedKafkaBroker start(Path dataDir, Map<String, String> overrides, PortSource ports) {
    try {
      Files.createDirectories(dataDir);
      RuntimeException clash = null;
      for (int attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
        int brokerPort = ports.next();
        int controllerPort = ports.next();
        while (controllerPort == brokerPort) {
          controllerPort = ports.next();
        }
        try {
          return startOn(dataDir, overrides, brokerPort, controllerPort);
        } catch (RuntimeException e) {
          if (!isBindFailure(e)) {
            throw e;
          }
          LOG.warn("Embedded Kafka broker could not bind port {} or {} ({}); retrying on other ports",
              brokerPort, controllerPort, e.getMessage());
          clash = e;
        }
      }
      throw new IllegalStateException("embedded Kafka broker: no free loopback ports after "
          + PORT_ATTEMPTS + " attempts", clash);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare broker directory " + dataDir, e);
    }
  }

  /** One start on the given ports; a broker that fails to start is shut down before the exception leaves. */
  private static EmbeddedKafkaBroker startOn(Path dataDir, Map<String, String> overrides, int brokerPort,
      int controllerPort) throws IOException {
    Path logDir = dataDir.resolve("kraft-logs");
    Properties props = brokerProperties(logDir, brokerPort, controllerPort);
    overrides.forEach(props::setProperty);
    Path configFile = dataDir.resolve("server.properties");
    try (Writer w = Files.newBufferedWriter(configFile)) {
      props.store(w, "embedded single-node KRaft broker");
    }
    if (!Files.exists(logDir.resolve("meta.properties"))) {
      format(configFile, clusterId(dataDir));
    }
    KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
    try {
      server.startup();
    } catch (RuntimeException e) {
      shutdownQuietly(server);
      throw e;
    }
    String bootstrap = "127.0.0.1:" + brokerPort;
    LOG.info("Embedded Kafka broker up at {} (data in {})", bootstrap, logDir);
    return new EmbeddedKafkaBroker(server, bootstrap, logDir);
  }

  /** Loopback ports to try, one per call. */
  @FunctionalInterface
  interface PortSource {
    int next() throws IOException;
  }

  private static boolean isBindFailure(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof BindException) {
        return true;
      }
    }
    return false;
  }

  private static void shutdownQuietly(KafkaRaftServer server) {
    try {
      server.shutdown();
      server.awaitShutdown();
    } catch (RuntimeException e) {
      LOG.debug("shutting down a broker that failed to start", e);
    }
  }

  static Properties brokerProperties(Path logDir, int brokerPort, int controllerPort) {
    Map<String, String> p = new HashMap<>();
    p.put("process.roles", "broker,controller");
    p.put("node.id", "1");
    p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
    p.put("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
    p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
    p.put("controller.listener.names", "CONTROLLER");
    p.put("inter.broker.listener.name", "PLAINTEXT");
    p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    p.put("log.dirs", logDir.toString());
    // One node: every internal topic has a single replica.
    p.put("offsets.topic.replication.factor", "1");
    p.put("offsets.topic.num.partitions", "5");
    p.put("transaction.state.log.replication.factor", "1");
    p.put("transaction.state.log.min.isr", "1");
    p.put("transaction.state.log.num.partitions", "5");
    p.put("share.coordinator.state.topic.replication.factor", "1");
    p.put("share.coordinator.state.topic.min.isr", "1");
    p.put("group.initial.rebalance.delay.ms", "0");
    // Topics are created explicitly with the partitions and cleanup policy design.md asks for.
    p.put("auto.create.topics.enable", "false");
    p.put("num.network.threads", "2");
    p.put("num.io.threads", "4");
    Properties props = new Properties();
    props.putAll(p);
    return props;
  }

  private static void format(Path configFile, String clusterId) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int rc = StorageTool.execute(
        new String[] {"format", "-t", clusterId, "-c", configFile.toString()},
        new PrintStream(out, true, StandardCharsets.UTF_8));
    if (rc != 0) {
      throw new IllegalStateException(
          "formatting the embedded broker's storage failed (rc " + rc + "): " + out.toString(StandardCharsets.UTF_8));
    }
  }

  /** A stable cluster id per data directory, so a reformat never happens behind the user's back. */
  private static String clusterId(Path dataDir) throws IOException {
    Path idFile = dataDir.resolve("cluster.id");
    if (Files.exists(idFile)) {
      return Files.readString(idFile).trim();
    }
    String id = Uuid.randomUuid().toString();
    Files.writeString(idFile, id);
    return id;
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    }
  }

  public String bootstrapServers() {
    return bootstrapServers;
  }

  public Path logDir() {
    return logDir;
  }

  @Override
  public void close() {
    server.shutdown();
    server.awaitShutdown();
    LOG.info("Embedded Kafka broker at {} stopped", bootstrapServers);
  }
}
