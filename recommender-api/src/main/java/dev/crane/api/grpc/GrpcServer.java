package dev.crane.api.grpc;

import dev.crane.api.metrics.ApiMetrics;
import dev.crane.api.serving.Recommendations;
import dev.crane.schemas.grpc.RecommenderGrpc;
import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerInterceptors;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gRPC server: the Recommender service (timed), the standard health service (NOT_SERVING until
 * a complete version is in service) and server reflection. {@link #close} stops accepting calls,
 * lets those in flight finish within the grace period, then cancels the rest.
 */
public final class GrpcServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(GrpcServer.class);

  private final Server server;
  private final ExecutorService executor;
  private final Duration grace;
  private final HealthStatusManager healthManager;

  /** A Netty server on {@code host:port} (port 0: any free port), started. */
  public static GrpcServer start(String host, int port, int threads, Recommendations recommendations,
      ApiMetrics metrics, Duration grace) {
    ExecutorService executor = fixedPool(threads);
    return start(NettyServerBuilder.forAddress(new InetSocketAddress(host, port)).executor(executor), executor,
        recommendations, metrics, grace);
  }

  /** A server from any builder (tests pass grpc-java's in-process builder). */
  public static GrpcServer start(ServerBuilder<?> builder, ExecutorService executor, Recommendations recommendations,
      ApiMetrics metrics, Duration grace) {
    HealthStatusManager health = new HealthStatusManager();
    BindableService service = new RecommenderService(recommendations);
    builder.executor(executor)
        .addService(ServerInterceptors.intercept(service, new MetricsInterceptor(metrics)))
        .addService(health.getHealthService())
        .addService(ProtoReflectionServiceV1.newInstance());
    Server server;
    try {
      server = builder.build().start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the gRPC server: " + e.getMessage(), e);
    }
    GrpcServer s = new GrpcServer(server, executor, grace, health);
    s.setServing(false);
    return s;
  }

  private GrpcServer(Server server, ExecutorService executor, Duration grace, HealthStatusManager health) {
    this.server = server;
    this.executor = executor;
    this.grace = grace;
    this.healthManager = health;
  }

  public static ExecutorService fixedPool(int threads) {
    AtomicInteger n = new AtomicInteger();
    return Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "grpc-call-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  /** SERVING for the whole server and the Recommender service, or NOT_SERVING. */
  public void setServing(boolean serving) {
    ServingStatus s = serving ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
    healthManager.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, s);
    healthManager.setStatus(RecommenderGrpc.SERVICE_NAME, s);
  }

  public int port() {
    return server.getPort();
  }

  /** Graceful: health goes NOT_SERVING, calls in flight may finish within the grace period. */
  @Override
  public void close() {
    healthManager.enterTerminalState();
    server.shutdown();
    try {
      if (!server.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.warn("calls still running after {} ms; cancelling them", grace.toMillis());
        server.shutdownNow();
        server.awaitTermination(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      server.shutdownNow();
    }
    executor.shutdown();
  }
}
