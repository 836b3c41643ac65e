package dev.crane.api.cli;

import dev.crane.api.bench.LoadGenerator;
import dev.crane.schemas.grpc.RecommendRequest;
import io.grpc.ManagedChannel;
import java.util.List;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Open-loop Recommend load against a running server on this machine, latency corrected for coordinated omission. */
@Command(name = "load", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Send Recommend calls at a fixed rate to a server on this machine and print p50/p99 latency "
        + "(measured from when each call was due, HdrHistogram).")
public final class LoadCommand implements Callable<Integer> {
  @Option(names = "--port", required = true, description = "gRPC port of the server on 127.0.0.1.")
  int port;

  @Option(names = "--qps", defaultValue = "1000", description = "Calls per second (default ${DEFAULT-VALUE}).")
  double qps;

  @Option(names = "--seconds", defaultValue = "10", description = "Measured seconds, at most 600 (default ${DEFAULT-VALUE}).")
  int seconds;

  @Option(names = "--users", defaultValue = "1000", description = "Users u0..u<N-1> asked for in turn (default ${DEFAULT-VALUE}).")
  int users;

  @Option(names = "--k", defaultValue = "20", description = "k of each call (default ${DEFAULT-VALUE}).")
  int k;

  @Override
  public Integer call() throws InterruptedException {
    if (qps <= 0 || seconds < 1 || seconds > 600 || users < 1) {
      throw new IllegalArgumentException("--qps must be > 0, --seconds 1..600 and --users >= 1");
    }
    // Loopback only: the load generator is for this machine's server.
    List<ManagedChannel> channels = LoadGenerator.loopbackChannels(port, 4);
    try {
      LoadGenerator.Result r = new LoadGenerator(channels, i -> RecommendRequest.newBuilder()
          .setUserId("u" + (i % users)).setK(k).build()).run(qps, Duration.ofSeconds(2), Duration.ofSeconds(seconds));
      System.out.println(r);
      return r.errors() == 0 ? 0 : 1;
    } finally {
      for (ManagedChannel ch : channels) {
        ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }
}
