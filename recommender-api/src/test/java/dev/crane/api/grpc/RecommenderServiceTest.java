package dev.crane.api.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.crane.api.bench.SyntheticModel;
import dev.crane.api.coldstart.ColdStartPlacer;
import dev.crane.api.metrics.ApiMetrics;
import dev.crane.api.seen.SeenItems;
import dev.crane.api.serving.Recommendations;
import dev.crane.api.serving.ServingState;
import dev.crane.api.testing.TestVersions;
import dev.crane.api.topk.HnswIndex;
import dev.crane.api.topk.IndexFactory;
import dev.crane.api.topk.Kernels;
import dev.crane.schemas.grpc.GetModelInfoRequest;
import dev.crane.schemas.grpc.ModelInfo;
import dev.crane.schemas.grpc.RecommendRequest;
import dev.crane.schemas.grpc.RecommendResponse;
import dev.crane.schemas.grpc.RecommenderGrpc;
import dev.crane.schemas.grpc.ScoredItem;
import dev.crane.schemas.grpc.SimilarItemsRequest;
import dev.crane.schemas.grpc.SimilarItemsResponse;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every method and every refusal through grpc-java's in-process transport. */
class RecommenderServiceTest {
  private static final int DIM = 16;
  private static final int ITEMS = 500;
  private final SyntheticModel model = new SyntheticModel(DIM, 8, 7);
  private final AtomicLong clock = new AtomicLong(1_000_000);
  private ApiMetrics metrics;
  private ServingState state;
  private GrpcServer server;
  private ManagedChannel channel;
  private RecommenderGrpc.RecommenderBlockingStub stub;

  @BeforeEach
  void start() {
    metrics = ApiMetrics.inMemory();
    state = new ServingState(new SeenItems(), new IndexFactory(1_000_000, new HnswIndex.Params(16, 100, 100, 2),
        Kernels.best(), 1, 1), new ColdStartPlacer(10), metrics, Duration.ofMinutes(1), clock::get); // int8 first pass at any size
    String name = InProcessServerBuilder.generateName();
    server = GrpcServer.start(InProcessServerBuilder.forName(name), GrpcServer.fixedPool(2),
        new Recommendations(state, Kernels.best(), 100, metrics), metrics, Duration.ofSeconds(5));
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    stub = RecommenderGrpc.newBlockingStub(channel);
  }

  @AfterEach
  void stop() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.close();
  }

  private void load(long version) {
    state.install(state.prepare(TestVersions.synthetic(model, version, 50, ITEMS, DIM)));
    server.setServing(true);
  }

  private static Status.Code code(Runnable call) {
    try {
      call.run();
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode();
    }
    throw new AssertionError("the call succeeded");
  }

  @Test
  void beforeAnyVersionCallsAreUnavailableAndHealthIsNotServing() {
    assertThatThrownBy(() -> stub.recommend(RecommendRequest.newBuilder().setUserId("u1").setK(5).build()))
        .isInstanceOf(StatusRuntimeException.class)
        .satisfies(e -> assertThat(((StatusRuntimeException) e).getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE))
        .hasMessageContaining("no complete model version");
    assertThat(code(() -> stub.getModelInfo(GetModelInfoRequest.getDefaultInstance()))).isEqualTo(Status.Code.UNAVAILABLE);
    var health = HealthGrpc.newBlockingStub(channel);
    assertThat(health.check(HealthCheckRequest.getDefaultInstance()).getStatus()).isEqualTo(ServingStatus.NOT_SERVING);
    load(1);
    assertThat(health.check(HealthCheckRequest.getDefaultInstance()).getStatus()).isEqualTo(ServingStatus.SERVING);
    assertThat(health.check(HealthCheckRequest.newBuilder().setService(RecommenderGrpc.SERVICE_NAME).build())
        .getStatus()).isEqualTo(ServingStatus.SERVING);
  }

  @Test
  void recommendReturnsTheExactTopKOfTheUserVectorTaggedWithTheVersion() {
    load(1);
    RecommendResponse r = stub.recommend(RecommendRequest.newBuilder().setUserId("u3").setK(10).build());
    assertThat(r.getModelVersion()).isEqualTo(1);
    assertThat(r.getFallback()).isFalse();
    assertThat(r.getFoldedIn()).isFalse();
    assertThat(r.getIndex()).isEqualTo("exact");
    float[] u = model.userVector(3, 1);
    List<String> expected = IntStream.range(0, ITEMS).boxed()
        .sorted(Comparator.comparingDouble(i -> -TestVersions.dot(u, model.itemVector(i, 1))))
        .limit(10).map(SyntheticModel::itemId).toList();
    assertThat(r.getItemsList().stream().map(ScoredItem::getItemId).toList()).isEqualTo(expected);
  }

  @Test
  void seenItemsAreExcludedByDefaultAndKeptOnRequest() {
    load(1);
    String top = stub.recommend(RecommendRequest.newBuilder().setUserId("u3").setK(5).build()).getItems(0).getItemId();
    state.onInteraction("u3", top, 0, 0); // below no offset: trained (the manifest has none) -> seen, and folded
    RecommendResponse excluded = stub.recommend(RecommendRequest.newBuilder().setUserId("u3").setK(5).build());
    assertThat(excluded.getItemsList()).extracting(ScoredItem::getItemId).doesNotContain(top);
    RecommendResponse kept = stub.recommend(RecommendRequest.newBuilder().setUserId("u3").setK(5)
        .setExcludeSeen(false).build());
    assertThat(kept.getItemsList()).extracting(ScoredItem::getItemId).contains(top);
  }

  @Test
  void anUnknownUserGetsThePopularItemsFlaggedAsTheFallback() {
    load(1);
    RecommendResponse r = stub.recommend(RecommendRequest.newBuilder().setUserId("nobody").setK(3).build());
    assertThat(r.getFallback()).isTrue();
    assertThat(r.getIndex()).isEqualTo("popular");
    // itemDegree(i) = 1 + 1000 / (1 + i % 997): items 0, 1, 2 are the most popular
    assertThat(r.getItemsList()).extracting(ScoredItem::getItemId).containsExactly("i0", "i1", "i2");
    assertThat(metrics.count("crane_api_fallbacks")).isEqualTo(1);
  }

  @Test
  void badRequestsAreInvalidArgumentWithAMessage() {
    load(1);
    record Case(RecommendRequest req, String message) {}
    List<Case> cases = List.of(
        new Case(RecommendRequest.newBuilder().setK(5).build(), "user_id must not be empty"),
        new Case(RecommendRequest.newBuilder().setUserId(" ").setK(5).build(), "user_id must not be empty"),
        new Case(RecommendRequest.newBuilder().setUserId("u1").setK(0).build(), "k must be between 1 and 100, got 0"),
        new Case(RecommendRequest.newBuilder().setUserId("u1").setK(-3).build(), "got -3"),
        new Case(RecommendRequest.newBuilder().setUserId("u1").setK(101).build(), "got 101"),
        new Case(RecommendRequest.newBuilder().setUserId("u1").setK(5).setModelVersion(9).build(),
            "model version 9 is not available; available: [1]"));
    for (Case c : cases) {
      assertThatThrownBy(() -> stub.recommend(c.req())).isInstanceOf(StatusRuntimeException.class)
          .satisfies(e -> assertThat(((StatusRuntimeException) e).getStatus().getCode())
              .isEqualTo(Status.Code.INVALID_ARGUMENT))
          .hasMessageContaining(c.message());
    }
    assertThat(code(() -> stub.similarItems(SimilarItemsRequest.newBuilder().setK(5).build())))
        .isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(code(() -> stub.similarItems(SimilarItemsRequest.newBuilder().setItemId("i1").setK(0).build())))
        .isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(code(() -> stub.similarItems(SimilarItemsRequest.newBuilder().setItemId("i1").setK(5)
        .setModelVersion(0).build()))).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(code(() -> stub.getModelInfo(GetModelInfoRequest.newBuilder().setModelVersion(2).build())))
        .isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThatThrownBy(() -> stub.similarItems(SimilarItemsRequest.newBuilder().setItemId("nope").setK(5).build()))
        .satisfies(e -> assertThat(((StatusRuntimeException) e).getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND))
        .hasMessageContaining("item 'nope' is not in model version 1");
    // every refusal was counted by method and status
    assertThat(metrics.registry().find("crane_api_requests").tag("method", "Recommend")
        .tag("status", "INVALID_ARGUMENT").timer().count()).isEqualTo(cases.size());
  }

  @Test
  void similarItemsRanksByCosineAndLeavesTheItemOut() {
    load(1);
    SimilarItemsResponse r = stub.similarItems(SimilarItemsRequest.newBuilder().setItemId("i7").setK(5).build());
    assertThat(r.getModelVersion()).isEqualTo(1);
    assertThat(r.getColdStart()).isFalse();
    float[] q = model.itemVector(7, 1);
    List<String> expected = IntStream.range(0, ITEMS).filter(i -> i != 7).boxed()
        .sorted(Comparator.comparingDouble(i -> -cos(q, model.itemVector(i, 1)))).limit(5)
        .map(SyntheticModel::itemId).toList();
    assertThat(r.getItemsList()).extracting(ScoredItem::getItemId).isEqualTo(expected);
    assertThat((double) r.getItems(0).getScore()).isCloseTo(cos(q, model.itemVector(
        Integer.parseInt(expected.get(0).substring(1)), 1)), org.assertj.core.data.Offset.offset(1e-4));
  }

  private static double cos(float[] a, float[] b) {
    return TestVersions.dot(a, b) / Math.sqrt(TestVersions.dot(a, a) * TestVersions.dot(b, b));
  }

  @Test
  void modelInfoDescribesTheVersionAndPinnedRequestsReachTheRetainedOne() {
    load(1);
    load(2);
    ModelInfo info = stub.getModelInfo(GetModelInfoRequest.getDefaultInstance());
    assertThat(info.getModelVersion()).isEqualTo(2);
    assertThat(info.getModel()).isEqualTo("bpr");
    assertThat(info.getItemCount()).isEqualTo(ITEMS);
    assertThat(info.getUserCount()).isEqualTo(50);
    assertThat(info.getDim()).isEqualTo(DIM);
    assertThat(info.getMetricsMap()).containsKey("holdout_recall@20");
    assertThat(info.getAvailableVersionsList()).containsExactly(2L, 1L);
    assertThat(info.getIndex()).isEqualTo("exact");
    RecommendResponse pinned = stub.recommend(RecommendRequest.newBuilder().setUserId("u1").setK(3)
        .setModelVersion(1).build());
    assertThat(pinned.getModelVersion()).isEqualTo(1);
    assertThat(stub.getModelInfo(GetModelInfoRequest.newBuilder().setModelVersion(1).build()).getModelVersion())
        .isEqualTo(1);
    clock.addAndGet(Duration.ofMinutes(2).toMillis()); // past previous.version.keep
    assertThat(state.expire()).containsExactly(1L);
    assertThat(code(() -> stub.recommend(RecommendRequest.newBuilder().setUserId("u1").setK(3).setModelVersion(1)
        .build()))).isEqualTo(Status.Code.INVALID_ARGUMENT);
  }

  @Test
  void anExpiredDeadlineIsNotComputed() {
    load(1);
    assertThat(code(() -> stub.withDeadlineAfter(1, TimeUnit.NANOSECONDS)
        .recommend(RecommendRequest.newBuilder().setUserId("u1").setK(3).build())))
        .isEqualTo(Status.Code.DEADLINE_EXCEEDED);
  }

  @Test
  void reflectionListsTheRecommenderService() throws Exception {
    CompletableFuture<ServerReflectionResponse> reply = new CompletableFuture<>();
    StreamObserver<ServerReflectionRequest> requests = ServerReflectionGrpc.newStub(channel).serverReflectionInfo(
        new StreamObserver<>() {
          @Override
          public void onNext(ServerReflectionResponse r) {
            reply.complete(r);
          }

          @Override
          public void onError(Throwable t) {
            reply.completeExceptionally(t);
          }

          @Override
          public void onCompleted() {}
        });
    requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
    requests.onCompleted();
    assertThat(reply.get(5, TimeUnit.SECONDS).getListServicesResponse().getServiceList())
        .extracting(s -> s.getName()).contains(RecommenderGrpc.SERVICE_NAME, "grpc.health.v1.Health");
  }

  @Test
  void shutdownLetsACallInFlightFinish() throws Exception {
    load(1);
    // A unary call started before close() must complete normally.
    var async = RecommenderGrpc.newFutureStub(channel);
    var inFlight = async.recommend(RecommendRequest.newBuilder().setUserId("u1").setK(50).build());
    server.close();
    assertThat(inFlight.get(5, TimeUnit.SECONDS).getItemsCount()).isEqualTo(50);
    assertThat(code(() -> stub.recommend(RecommendRequest.newBuilder().setUserId("u1").setK(3).build())))
        .isEqualTo(Status.Code.UNAVAILABLE);
  }
}
