package dev.crane.api.bench;

import dev.crane.api.grpc.GrpcServer;
import dev.crane.schemas.grpc.RecommendRequest;
import dev.crane.schemas.grpc.RecommendResponse;
import dev.crane.schemas.grpc.RecommenderGrpc;
import dev.crane.schemas.grpc.ScoredItem;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;

/**
 * The benchmark's floor: a gRPC server on the same transport and call executor as the service that
 * answers every Recommend at once with one fixed reply of the same shape (k items with ids and
 * scores). Driven by the same load generator on the same host, its latency is what the harness
 * itself costs, so the service's figures can be read against it.
 */
final class FixedReplyServer implements AutoCloseable {
  private final ExecutorService executor;
  private final Server server;

  FixedReplyServer(int k, int threads) {
    RecommendResponse.Builder reply = RecommendResponse.newBuilder().setModelVersion(1);
    for (int i = 0; i < k; i++) {
      reply.addItems(ScoredItem.newBuilder().setItemId(SyntheticModel.itemId(i)).setScore(1f - i / (float) k));
    }
    RecommendResponse fixed = reply.build();
    executor = GrpcServer.fixedPool(threads);
    try {
      server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).executor(executor)
          .addService(new RecommenderGrpc.RecommenderImplBase() {
            @Override
            public void recommend(RecommendRequest request, StreamObserver<RecommendResponse> out) {
              out.onNext(fixed);
              out.onCompleted();
            }
          }).build().start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the fixed-reply server: " + e.getMessage(), e);
    }
  }

  int port() {
    return server.getPort();
  }

  @Override
  public void close() throws InterruptedException {
    server.shutdownNow().awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
    executor.shutdownNow();
  }
}
