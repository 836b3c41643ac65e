package dev.crane.api.bench;

import dev.crane.schemas.Topics;
import dev.crane.schemas.avro.ItemEmbedding;
import dev.crane.schemas.avro.UserEmbedding;
import dev.crane.schemas.serde.AvroSerializer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A synthetic version published from a child JVM at the lowest CPU priority: the trainer's side of
 * a swap. The child runs under {@code SCHED_IDLE} ({@code chrt --idle 0}) where the host allows it,
 * else at {@code nice -n 19}: on Linux 6.6 and later (EEVDF) a niced task keeps the core for up to
 * its slice when a query thread wakes, while an idle-class task yields at once, which is the
 * nearest this host comes to a publisher on another machine. In a deployment the trainer
 * serialises and sends a version on its own machine; on this 2-core host a publisher inside the
 * serving JVM takes the serving cores for the half second it sends (docs/benchmarks.md), which is
 * the harness's cost, not the service's.
 * The child makes its records and its transactional producer first and says {@code ready}; it
 * publishes when told (a line on its stdin), says {@code published} and exits. The broker's append
 * stays where the broker is (in the benchmark's JVM).
 */
public final class PublisherProcess implements AutoCloseable {
  static final String READY = "crane-publisher: ready";
  static final String PUBLISHED = "crane-publisher: published";
  private static final List<List<String>> LOWEST_PRIORITY = List.of(
      List.of("/usr/bin/chrt", "--idle", "0"), List.of("/usr/bin/nice", "-n", "19"));
  private static volatile List<String> prefix;

  private final Process process;
  private final CompletableFuture<Void> ready = new CompletableFuture<>();
  private final CompletableFuture<Void> published = new CompletableFuture<>();
  private final List<String> lastLines = new ArrayList<>();

  private PublisherProcess(Process process) {
    this.process = process;
    Thread reader = new Thread(this::readOutput, "publisher-process-" + process.pid());
    reader.setDaemon(true);
    reader.start();
  }

  /** How children are started here: the first of {@link #LOWEST_PRIORITY} that runs, or nothing. */
  static List<String> priorityPrefix() {
    if (prefix == null) {
      List<String> found = List.of();
      for (List<String> candidate : LOWEST_PRIORITY) {
        if (runs(candidate)) {
          found = candidate;
          break;
        }
      }
      prefix = found;
    }
    return prefix;
  }

  /** The children's priority, for the report. */
  public static String priority() {
    List<String> p = priorityPrefix();
    return p.isEmpty() ? "child JVM (no lower priority available here)" : "child JVM, " + String.join(" ", p);
  }

  private static boolean runs(List<String> command) {
    if (!Files.isExecutable(Path.of(command.get(0)))) {
      return false;
    }
    List<String> probe = new ArrayList<>(command);
    probe.add("true");
    try {
      Process p = new ProcessBuilder(probe).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .start();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return false;
      }
      return p.exitValue() == 0; // chrt fails where the policy is refused
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * Starts a child that will publish version {@code version} of {@link SyntheticModel} with
   * {@code users} users and {@code items} items, and waits until it is ready to send.
   */
  public static PublisherProcess start(String bootstrapServers, String schemaRegistryUrl, long version, int users,
      int items, Duration timeout) {
    List<String> cmd = new ArrayList<>(priorityPrefix());
    cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx1g", "-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError",
        "-cp", System.getProperty("java.class.path"), PublisherProcess.class.getName(),
        bootstrapServers, schemaRegistryUrl, Long.toString(version), Integer.toString(users),
        Integer.toString(items)));
    Process p;
    try {
      p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot launch " + String.join(" ", cmd), e);
    }
    PublisherProcess child = new PublisherProcess(p);
    try {
      child.await(child.ready, timeout, "ready");
    } catch (RuntimeException e) {
      p.destroyForcibly(); // not left running with its heap and its broker connection
      throw e;
    }
    return child;
  }

  /** Tells the child to publish and waits until its transaction is committed. */
  public void publish(Duration timeout) {
    try {
      OutputStream in = process.getOutputStream();
      in.write("go\n".getBytes(StandardCharsets.US_ASCII));
      in.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("the publisher child is gone: " + lastLines(), e);
    }
    await(published, timeout, "published");
  }

  private void await(CompletableFuture<Void> f, Duration timeout, String what) {
    try {
      f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new IllegalStateException("the publisher child did not say " + what + " within " + timeout
          + "; its last lines: " + lastLines());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the publisher child", e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
    }
  }

  /** Drains the child's output (its log included), watching for the two markers. */
  private void readOutput() {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        if (!line.startsWith("\tat ") && !line.startsWith("\t... ")) { // a stack's frames would push out its messages
          synchronized (lastLines) {
            lastLines.add(line);
            if (lastLines.size() > 20) {
              lastLines.remove(0);
            }
          }
        }
        if (line.equals(READY)) {
          ready.complete(null);
        } else if (line.equals(PUBLISHED)) {
          published.complete(null);
        }
      }
    } catch (IOException e) {
      // the child is gone: reported below
    }
    IllegalStateException gone = new IllegalStateException("the publisher child ended before it was done; its last lines: "
        + lastLines());
    ready.completeExceptionally(gone);
    published.completeExceptionally(gone);
  }

  private String lastLines() {
    synchronized (lastLines) {
      return String.join(" | ", lastLines);
    }
  }

  @Override
  public void close() throws InterruptedException {
    try {
      process.getOutputStream().close();
    } catch (IOException e) {
      // already closed
    }
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
  }

  /**
   * Serialises every record once, unsent, before the child says ready: a trainer's publisher is a
   * long-lived process whose serialisation code is compiled, and a cold child would spend the
   * swap's first second in the JIT compiler instead.
   */
  private static void warmUp(String registryUrl, List<UserEmbedding> users, List<ItemEmbedding> items) {
    try (AvroSerializer<UserEmbedding> u = new AvroSerializer<>(); AvroSerializer<ItemEmbedding> i = new AvroSerializer<>()) {
      Map<String, Object> config = Map.of("schema.registry.url", registryUrl, "auto.register.schemas", true);
      u.configure(config, false);
      i.configure(config, false);
      for (int round = 0; round < 2; round++) {
        users.forEach(e -> u.serialize(Topics.USER_EMBEDDINGS, e));
        items.forEach(e -> i.serialize(Topics.ITEM_EMBEDDINGS, e));
      }
    }
  }

  /** The child: {@code bootstrap registry version users items}. */
  public static void main(String[] args) throws IOException {
    if (args.length != 5) {
      System.err.println("usage: PublisherProcess BOOTSTRAP REGISTRY_URL VERSION USERS ITEMS");
      System.exit(2);
    }
    long version = Long.parseLong(args[2]);
    SyntheticModel model = new SyntheticModel(ApiBenchmark.DIM, ApiBenchmark.CLUSTERS, ApiBenchmark.SEED);
    List<UserEmbedding> users = new ArrayList<>();
    model.users(Integer.parseInt(args[3]), version).forEach(users::add);
    List<ItemEmbedding> items = new ArrayList<>();
    model.items(Integer.parseInt(args[4]), version).forEach(items::add);
    try (VersionPublisher publisher = new VersionPublisher(args[0], args[1]);
        BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII))) {
      warmUp(args[1], users, items);
      System.out.println(READY);
      System.out.flush();
      if (stdin.readLine() == null) {
        return; // the parent closed without asking
      }
      publisher.publish(model.manifest(version, "bpr"), users, items);
      System.out.println(PUBLISHED);
      System.out.flush();
    }
  }
}
