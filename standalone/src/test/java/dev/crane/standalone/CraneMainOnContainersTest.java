package dev.crane.standalone;

import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.github.dockerjava.api.exception.NotFoundException;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.output.Slf4jLogConsumer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/**
 * The main job's scenario ({@link WalkthroughRun}) on a Kafka broker and a schema registry running in
 * containers, through Testcontainers, instead of the in-process ones: the images are this machine's own
 * builds (deploy/images/build.sh; Docker Hub is out of reach, so Ryuk and the start-up checks are off in
 * this module's surefire settings). The containers use the host network, as docker-compose.yml does, on
 * free ports picked here.
 *
 * <p>Skips, saying why, where no Docker engine answers or the images are not built; {@code .ci/run} starts an
 * engine, builds the images and sets {@code CRANE_CONTAINERS=required}, which turns both skips into failures.
 */
class CraneMainOnContainersTest {
  static final String KAFKA_IMAGE = "crane/kafka:4.3.1";
  static final String REGISTRY_IMAGE = "crane/apicurio-registry:2.6.13";
  private static final Duration START_TIMEOUT = Duration.ofMinutes(3);

  @TempDir Path dir;

  @Test
  @Timeout(value = 10, unit = TimeUnit.MINUTES) // a hung container start must not stall CI
  void theMainJobRunsOnKafkaAndRegistryContainers() throws IOException {
    requireOrSkip(DockerClientFactory.instance().isDockerAvailable(), "no Docker engine answers (DOCKER_HOST="
        + System.getenv("DOCKER_HOST") + "); .ci/run starts one (deploy/docker-daemon.sh)");
    for (String image : List.of(KAFKA_IMAGE, REGISTRY_IMAGE)) {
      requireOrSkip(imageExists(image), "image " + image + " is not built here: deploy/images/build.sh debian jre kafka registry");
    }
    int[] ports = freePorts(3);
    int kafkaPort = ports[0];
    int controllerPort = ports[1];
    int registryPort = ports[2];
    try (GenericContainer<?> kafka = new GenericContainer<>(DockerImageName.parse(KAFKA_IMAGE))
            .withNetworkMode("host")
            .withEnv("KAFKA_LISTENERS", "PLAINTEXT://:" + kafkaPort + ",CONTROLLER://:" + controllerPort)
            .withEnv("KAFKA_ADVERTISED_LISTENERS", "PLAINTEXT://localhost:" + kafkaPort)
            .withEnv("KAFKA_CONTROLLER_QUORUM_VOTERS", "1@localhost:" + controllerPort)
            // as in docker-compose.yml: the main job creates its topics with their partitions and policies
            .withEnv("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false")
            .withEnv("KAFKA_HEAP_OPTS", "-Xmx512m -Xms128m")
            .withLogConsumer(new Slf4jLogConsumer(LoggerFactory.getLogger("container.kafka")))
            .waitingFor(Wait.forLogMessage(".*Kafka Server started.*", 1).withStartupTimeout(START_TIMEOUT));
        GenericContainer<?> registry = new GenericContainer<>(DockerImageName.parse(REGISTRY_IMAGE))
            .withNetworkMode("host")
            .withEnv("SCHEMA_REGISTRY_LISTENERS", "http://0.0.0.0:" + registryPort)
            .withLogConsumer(new Slf4jLogConsumer(LoggerFactory.getLogger("container.registry")))
            .waitingFor(Wait.forLogMessage(".*Listening on: http.*", 1).withStartupTimeout(START_TIMEOUT))) {
      kafka.start();
      registry.start();
      String text = WalkthroughRun.run("--data-dir", dir.toString(),
          "--bootstrap-servers", "localhost:" + kafkaPort,
          "--schema-registry-url", "http://localhost:" + registryPort + "/apis/ccompat/v7");
      org.assertj.core.api.Assertions.assertThat(text).contains("Using your cluster", "localhost:" + kafkaPort);
      WalkthroughRun.assertReported(text);
    }
  }

  /** Skips saying why, unless .ci/run said the containers must run here. */
  private static void requireOrSkip(boolean condition, String why) {
    if (!condition && "required".equals(System.getenv("CRANE_CONTAINERS"))) {
      fail("CRANE_CONTAINERS=required but " + why);
    }
    assumeTrue(condition, why);
  }

  private static boolean imageExists(String image) {
    try {
      DockerClientFactory.instance().client().inspectImageCmd(image).exec();
      return true;
    } catch (NotFoundException e) {
      return false;
    }
  }

  /** Distinct free ports: every socket is held until all are picked, so no two picks return the same one. */
  private static int[] freePorts(int n) throws IOException {
    ServerSocket[] sockets = new ServerSocket[n];
    try {
      int[] ports = new int[n];
      for (int i = 0; i < n; i++) {
        sockets[i] = new ServerSocket(0);
        ports[i] = sockets[i].getLocalPort();
      }
      return ports;
    } finally {
      for (ServerSocket s : sockets) {
        if (s != null) {
          s.close();
        }
      }
    }
  }
}
