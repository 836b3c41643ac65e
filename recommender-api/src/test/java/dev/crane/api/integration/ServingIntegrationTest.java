package dev.crane.api.integration;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crane.api.app.RecommenderApi;
import dev.crane.api.bench.SyntheticModel;
import dev.crane.api.bench.VersionPublisher;
import dev.crane.api.config.ApiConfig;
import dev.crane.api.config.ConfigLoader;
import dev.crane.api.foldin.FoldIn;
import dev.crane.api.foldin.UserState;
import dev.crane.api.metrics.ApiMetrics;
import dev.crane.api.testing.ContentModel;
import dev.crane.api.testing.Events;
import dev.crane.api.testing.Scheduling;
import dev.crane.api.testing.TestVersions;
import dev.crane.embedded.EmbeddedRuntime;
import dev.crane.schemas.Topics;
import dev.crane.schemas.avro.ItemEmbedding;
import dev.crane.schemas.avro.UserEmbedding;
import dev.crane.schemas.grpc.RecommendRequest;
import dev.crane.schemas.grpc.RecommendResponse;
import dev.crane.schemas.grpc.RecommenderGrpc;
import dev.crane.schemas.grpc.ScoredItem;
import dev.crane.schemas.grpc.SimilarItemsRequest;
import dev.crane.schemas.grpc.SimilarItemsResponse;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service against the in-process broker and the real registry, with versions published as the
 * contract says (one transaction, manifest last). The tests run in order on one service: each
 * builds on the state the previous one left.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ServingIntegrationTest {
  private static final int DIM = 16;
  private static final ContentModel MODEL = new ContentModel(DIM, 60, 800, 21);
  @TempDir
  static Path dir;
  private static EmbeddedRuntime runtime;
  private static RecommenderApi api;
  private static ApiMetrics metrics;
  private static Events events;
  private static ManagedChannel channel;
  private static RecommenderGrpc.RecommenderBlockingStub stub;
  /** The JVM's threads before this class's service started (others' may linger), by /proc task path. */
  private static java.util.Set<Path> threadsBefore;

  @BeforeAll
  static void start() {
    runtime = EmbeddedRuntime.start(dir.resolve("infra"), 2);
    events = new Events(runtime.bootstrapServers(), runtime.schemaRegistryUrl());
    ApiConfig config = ConfigLoader.fromMap(Map.of("bootstrap.servers", runtime.bootstrapServers(),
        "schema.registry.url", runtime.schemaRegistryUrl(), "grpc.host", "127.0.0.1", "grpc.port", "0",
        "state.dir", dir.resolve("api").toString(), "k.max", "2000",
        // one content neighbour: a cold item with item 10's features gets item 10's parts exactly
        "coldstart.neighbours", "1"));
    metrics = ApiMetrics.inMemory();
    threadsBefore = threads();
    api = RecommenderApi.start(config, metrics);
    channel = ManagedChannelBuilder.forAddress("127.0.0.1", api.grpcPort()).usePlaintext().build();
    stub = RecommenderGrpc.newBlockingStub(channel);
  }

  @AfterAll
  static void stop() throws InterruptedException {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (api != null) {
      api.close();
    }
    if (events != null) {
      events.close();
    }
    if (runtime != null) {
      runtime.close();
    }
  }

  private static RecommendResponse recommend(String user, int k) {
    return stub.recommend(RecommendRequest.newBuilder().setUserId(user).setK(k).build());
  }

  private static List<String> ids(RecommendResponse r) {
    return r.getItemsList().stream().map(ScoredItem::getItemId).toList();
  }

  /** The exact top-k of a vector over version v's trained items, some left out. */
  private static List<String> expectedTop(float[] u, long v, int k, List<String> excluded) {
    return IntStream.range(0, MODEL.items).boxed().filter(i -> !excluded.contains(SyntheticModel.itemId(i)))
        .sorted(Comparator.comparingDouble(i -> -TestVersions.dot(u, MODEL.itemVector(i, v))))
        .limit(k).map(SyntheticModel::itemId).toList();
  }

  @Test
  @Order(0)
  void versionsAreReadOnAnIdlePriorityThreadAndInteractionsAndInstallsOnNormalOnes() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(Path.of("/proc/thread-self")), "needs Linux's /proc");
    int ownPolicy = policy(Path.of("/proc/thread-self"));
    org.junit.jupiter.api.Assumptions.assumeTrue(ownPolicy == Scheduling.SCHED_OTHER,
        "the test JVM already runs outside SCHED_OTHER");
    org.junit.jupiter.api.Assumptions.assumeTrue(Scheduling.accepted("chrt", "--idle", "0"),
        "needs util-linux's chrt and a kernel that grants SCHED_IDLE (load.cpu.priority=idle)");
    // /proc truncates thread names to 15 characters
    Events.await("the model feed lowered", 10_000, () -> policies("crane-api-model").contains(Scheduling.SCHED_IDLE));
    assertThat(policies("crane-api-model")).containsExactly(Scheduling.SCHED_IDLE);
    assertThat(policies("crane-api-event")).containsExactly(Scheduling.SCHED_OTHER); // freshness first
    // installs hold the lock the interactions take
    assertThat(policies("crane-api-insta")).containsExactly(Scheduling.SCHED_OTHER);
  }

  private static java.util.Set<Path> threads() {
    try (var tasks = Files.list(Path.of("/proc/self/task"))) {
      return tasks.collect(java.util.stream.Collectors.toSet());
    } catch (java.io.IOException e) {
      return java.util.Set.of(); // not Linux: the test that reads them is skipped
    }
  }

  /** The scheduling policies of this class's service's threads named {@code comm}. */
  private static List<Integer> policies(String comm) {
    List<Integer> out = new ArrayList<>();
    for (Path task : threads()) {
      try {
        if (!threadsBefore.contains(task) && Files.readString(task.resolve("comm")).strip().equals(comm)) {
          out.add(policy(task));
        }
      } catch (java.io.IOException e) {
        // the thread ended meanwhile
      }
    }
    return out;
  }

  private static int policy(Path task) throws java.io.IOException {
    return Scheduling.niceAndPolicy(task)[1];
  }

  @Test
  @Order(1)
  void aPublishedVersionIsServedAndAnAbortedOneNeverIs() {
    try (VersionPublisher p = new VersionPublisher(runtime.bootstrapServers(), runtime.schemaRegistryUrl())) {
      // Version 7, aborted: a read_committed consumer never sees its records nor its manifest.
      p.publishAborted(MODEL.manifest(7, Map.of()).setUserCount(MODEL.users).setItemCount(MODEL.items)
          .setStatus(dev.crane.schemas.avro.ModelStatus.COMPLETE).build(), MODEL.userRecords(7), MODEL.itemRecords(7));
      // Version 1 trained on no interaction: every interaction is new to it.
      p.publish(MODEL.manifest(1, Map.of(0, 0L, 1, 0L)), MODEL.userRecords(1), MODEL.itemRecords(1));
    }
    Events.await("version 1 in service", 60_000, () -> api.state().current() != null);
    assertThat(api.state().current().version()).isEqualTo(1);
    RecommendResponse r = recommend("u5", 10);
    assertThat(r.getModelVersion()).isEqualTo(1);
    assertThat(r.getFallback()).isFalse();
    assertThat(ids(r)).isEqualTo(expectedTop(MODEL.userVector(5, 1), 1, 10, List.of()));
    assertThat(api.state().available()).containsExactly(1L);
  }

  @Test
  @Order(2)
  void anInteractionFoldsIntoTheUserAndItsItemIsExcludedAndMalformedRecordsAreSkipped() {
    List<String> before = ids(recommend("u5", 10));
    String top = before.get(0);
    int t = Integer.parseInt(top.substring(1));
    events.garbage(Topics.INTERACTIONS, "u5");
    events.garbage(Topics.ITEM_EMBEDDINGS, "i1");
    long sent = System.nanoTime();
    events.interaction("u5", top);
    Events.await("u5's reply reflects the interaction", 5_000, () -> recommend("u5", 10).getFoldedIn());
    long reflectedMs = (System.nanoTime() - sent) / 1_000_000;
    assertThat(reflectedMs).as("the reply changed within a second").isLessThan(1_000);
    RecommendResponse after = recommend("u5", 10);
    assertThat(ids(after)).doesNotContain(top);
    UserState base = new UserState(MODEL.userCollaborative(5, 1), MODEL.userSemantic(5, 1), 4,
        MODEL.userVector(5, 1), 0);
    UserState folded = FoldIn.apply(base, MODEL.collaborative(t, 1), MODEL.semantic(t, 1), MODEL.itemDegree(t));
    assertThat(ids(after)).isEqualTo(expectedTop(folded.vector(), 1, 10, List.of(top)));
    assertThat(ids(after)).isNotEqualTo(before.subList(1, 10)); // the vector moved, not only the item went
    Events.await("the malformed records were counted", 5_000,
        () -> metrics.count("crane_api_bad_records") >= 4);
  }

  @Test
  @Order(3)
  void aNewUsersFirstInteractionGivesAPersonalisedReply() {
    RecommendResponse before = recommend("newbie", 5);
    assertThat(before.getFallback()).isTrue();
    events.interaction("newbie", "i42");
    Events.await("newbie folded in", 5_000, () -> !recommend("newbie", 5).getFallback());
    RecommendResponse after = recommend("newbie", 5);
    assertThat(after.getFoldedIn()).isTrue();
    // n = 0: the user's vector is item 42's collaborative part / sqrt(d_42), plus its semantic part
    UserState f = FoldIn.apply(UserState.unknown(DIM, true), MODEL.collaborative(42, 1), MODEL.semantic(42, 1),
        MODEL.itemDegree(42));
    assertThat(ids(after)).isEqualTo(expectedTop(f.vector(), 1, 5, List.of("i42")));
  }

  @Test
  @Order(4)
  void aColdStartItemIsPlacedFromItsContentAndServed() {
    // Features equal to item 10's: its content neighbour with cosine 1.
    events.itemFeatures("fresh-1", Map.of("image", MODEL.raw[10]));
    Events.await("fresh-1 placed", 5_000, () -> api.state().current().cold().size() == 1);
    SimilarItemsResponse similar = stub.similarItems(SimilarItemsRequest.newBuilder().setItemId("fresh-1").setK(5)
        .build());
    assertThat(similar.getColdStart()).isTrue();
    assertThat(similar.getModelVersion()).isEqualTo(1);
    assertThat(similar.getItemsCount()).isEqualTo(5);
    SimilarItemsResponse ofTen = stub.similarItems(SimilarItemsRequest.newBuilder().setItemId("i10").setK(3).build());
    assertThat(ofTen.getItems(0).getItemId()).isEqualTo("fresh-1");
    assertThat(ofTen.getItems(0).getScore()).isCloseTo(1f, org.assertj.core.data.Offset.offset(1e-4f));
    assertThat(ofTen.getItems(0).getColdStart()).isTrue();
    RecommendResponse all = stub.recommend(RecommendRequest.newBuilder().setUserId("u1").setK(MODEL.items + 1)
        .build());
    ScoredItem fresh = all.getItemsList().stream().filter(s -> s.getItemId().equals("fresh-1")).findFirst()
        .orElseThrow();
    assertThat(fresh.getColdStart()).isTrue();
    assertThat((double) fresh.getScore()).isCloseTo(TestVersions.dot(MODEL.userVector(1, 1), MODEL.itemVector(10, 1)),
        org.assertj.core.data.Offset.offset(1e-3));
    // A user's interaction with the cold item folds in like any other.
    events.interaction("coldfan", "fresh-1");
    Events.await("coldfan folded in", 5_000, () -> recommend("coldfan", 3).getFoldedIn());
    assertThat(metrics.count("crane_api_cold_start_placed")).isGreaterThanOrEqualTo(1);
  }

  @Test
  @Order(5)
  void aSecondVersionSwapsInDuringQueriesWithoutErrorsOrMixedReplies() throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger errors = new AtomicInteger();
    List<Throwable> failures = new CopyOnWriteArrayList<>();
    Map<Long, AtomicInteger> byVersion = new ConcurrentHashMap<>();
    List<String> mismatches = Collections.synchronizedList(new ArrayList<>());
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 3; t++) {
      int seed = t;
      Thread th = new Thread(() -> {
        int n = 0;
        while (!stop.get()) {
          int u = 10 + (seed * 7 + n++) % 40; // users without interactions: their vectors are the version's
          try {
            RecommendResponse r = recommend(SyntheticModel.userId(u), 5);
            byVersion.computeIfAbsent(r.getModelVersion(), x -> new AtomicInteger()).incrementAndGet();
            List<String> expected = expectedTop(MODEL.userVector(u, r.getModelVersion()), r.getModelVersion(), 5,
                List.of());
            if (!ids(r).equals(expected)) {
              mismatches.add("u" + u + " v" + r.getModelVersion() + ": " + ids(r) + " != " + expected);
            }
          } catch (RuntimeException e) {
            errors.incrementAndGet();
            failures.add(e);
          }
        }
      });
      th.start();
      threads.add(th);
    }
    Thread.sleep(300);
    try (VersionPublisher p = new VersionPublisher(runtime.bootstrapServers(), runtime.schemaRegistryUrl())) {
      // Version 2 was trained before any interaction too: everything is folded in again.
      p.publish(MODEL.manifest(2, Map.of(0, 0L, 1, 0L)), MODEL.userRecords(2), MODEL.itemRecords(2));
    }
    Events.await("version 2 in service", 60_000, () -> api.state().current().version() == 2);
    Thread.sleep(500);
    stop.set(true);
    for (Thread th : threads) {
      th.join();
    }
    assertThat(failures).isEmpty();
    assertThat(errors.get()).isZero();
    assertThat(mismatches).as("replies computed by anything but one complete version").isEmpty();
    assertThat(byVersion.keySet()).containsExactlyInAnyOrder(1L, 2L);
    // pinned requests still reach version 1
    RecommendResponse pinned = stub.recommend(RecommendRequest.newBuilder().setUserId("u12").setK(5)
        .setModelVersion(1).build());
    assertThat(pinned.getModelVersion()).isEqualTo(1);
    assertThat(ids(pinned)).isEqualTo(expectedTop(MODEL.userVector(12, 1), 1, 5, List.of()));
    // the new version folded the earlier interactions in again, and took the cold item over
    RecommendResponse u5 = recommend("u5", 5);
    assertThat(u5.getModelVersion()).isEqualTo(2);
    assertThat(u5.getFoldedIn()).isTrue();
    assertThat(recommend("newbie", 3).getFallback()).isFalse();
    assertThat(api.state().current().cold().size()).isEqualTo(1);
  }

  @Test
  @Order(6)
  void invalidEmbeddingsAreCountedAndTheirVersionIsNeverServed() {
    List<UserEmbedding> users = new ArrayList<>(MODEL.userRecords(3));
    List<ItemEmbedding> items = new ArrayList<>(MODEL.itemRecords(3));
    List<Float> withNaN = new ArrayList<>(items.get(4).getVector());
    withNaN.set(1, Float.NaN);
    items.set(4, ItemEmbedding.newBuilder(items.get(4)).setVector(withNaN).build());
    users.set(2, UserEmbedding.newBuilder(users.get(2))
        .setCollaborative(users.get(2).getVector().subList(0, DIM - 1)).build());
    String badUsers = "crane_api_bad_records|" + Topics.USER_EMBEDDINGS; // skipped records of each topic
    String badItems = "crane_api_bad_records|" + Topics.ITEM_EMBEDDINGS;
    double usersBefore = metrics.count(badUsers);
    double itemsBefore = metrics.count(badItems);
    try (VersionPublisher p = new VersionPublisher(runtime.bootstrapServers(), runtime.schemaRegistryUrl())) {
      p.publish(MODEL.manifest(3, Map.of(0, 0L, 1, 0L)), users, items);
      // a complete version after it: once it is served, version 3 has had every chance to be
      p.publish(MODEL.manifest(4, Map.of(0, 0L, 1, 0L)), MODEL.userRecords(4), MODEL.itemRecords(4));
    }
    Events.await("version 4 in service", 60_000, () -> api.state().current().version() == 4);
    assertThat(metrics.count(badUsers) - usersBefore).isEqualTo(1);
    assertThat(metrics.count(badItems) - itemsBefore).isEqualTo(1);
    // served versions stay available to pinned requests for a while: 3 would be among them
    assertThat(api.state().available()).as("version 3, with records missing, was never served")
        .contains(4L, 2L).doesNotContain(3L);
  }
}
