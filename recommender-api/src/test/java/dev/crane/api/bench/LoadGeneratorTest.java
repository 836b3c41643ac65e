package dev.crane.api.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crane.schemas.grpc.RecommendRequest;
import dev.crane.schemas.grpc.RecommendResponse;
import dev.crane.schemas.grpc.RecommenderGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LoadGeneratorTest {
  /**
   * After a second of unmeasured calls (the first ones load classes), calls 400..499 (due 1.0–1.5 s
   * into the measured window at 200 QPS) are answered 30 ms late, the others at once: the timeline puts the slow calls in the third half second, and the latency counts from when
   * each call was due.
   */
  @Test
  void theTimelineShowsWhenInTheWindowTheSlowCallsWereDue() throws Exception {
    ScheduledExecutorService delayer = Executors.newSingleThreadScheduledExecutor();
    String name = InProcessServerBuilder.generateName();
    Server server = InProcessServerBuilder.forName(name).addService(new RecommenderGrpc.RecommenderImplBase() {
      @Override
      public void recommend(RecommendRequest request, StreamObserver<RecommendResponse> out) {
        int i = Integer.parseInt(request.getUserId().substring(1));
        Runnable reply = () -> {
          out.onNext(RecommendResponse.newBuilder().setModelVersion(1).build());
          out.onCompleted();
        };
        if (i >= 400 && i < 500) {
          delayer.schedule(reply, 30, TimeUnit.MILLISECONDS);
        } else {
          reply.run();
        }
      }
    }).build().start();
    ManagedChannel channel = InProcessChannelBuilder.forName(name).build();
    try {
      LoadGenerator g = new LoadGenerator(List.of(channel), i -> RecommendRequest.newBuilder().setUserId("u" + i).setK(1).build());
      LoadGenerator.Result r = g.run(200, Duration.ofSeconds(1), Duration.ofSeconds(3));
      assertThat(r.errors()).isZero();
      assertThat(r.slowCallsByBucket()).hasSize(6);
      assertThat(r.slowCallsByBucket()[2]).as("the delayed calls").isEqualTo(100);
      assertThat(r.maxMsByBucket()[2]).isGreaterThanOrEqualTo(30);
      for (int b : new int[] {0, 1, 3, 4, 5}) {
        assertThat(r.slowCallsByBucket()[b]).as("bucket %d", b).isLessThan(20);
      }
      assertThat(r.p99Ms()).as("a sixth of the calls took 30 ms or more").isGreaterThanOrEqualTo(29);
    } finally {
      channel.shutdownNow();
      server.shutdownNow();
      delayer.shutdownNow();
    }
  }
}
