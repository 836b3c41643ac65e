package dev.crane.api.grpc;

import dev.crane.api.metrics.ApiMetrics;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

/** Times every call and counts it by method and final status. */
public final class MetricsInterceptor implements ServerInterceptor {
  private final ApiMetrics metrics;

  public MetricsInterceptor(ApiMetrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    long start = System.nanoTime();
    String method = call.getMethodDescriptor().getBareMethodName();
    return next.startCall(new SimpleForwardingServerCall<>(call) {
      @Override
      public void close(Status status, Metadata trailers) {
        metrics.request(method, status.getCode().name(), System.nanoTime() - start);
        super.close(status, trailers);
      }
    }, headers);
  }
}
