package dev.crane.standalone;

import dev.crane.schemas.avro.Interaction;
import dev.crane.schemas.avro.ModelStatus;
import dev.crane.schemas.avro.ModelVersion;
import dev.crane.schemas.avro.SnapshotManifest;
import dev.crane.schemas.grpc.RecommendRequest;
import dev.crane.schemas.grpc.RecommendResponse;
import dev.crane.schemas.grpc.ScoredItem;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiPredicate;
import java.util.stream.Collectors;

/**
 * What the main job shows once the data is in, step by step on stdout: the first snapshot and the
 * model trained on it, the recommender API serving it, live interactions folded into a few users'
 * recommendations within a second, then a second snapshot, the version fine-tuned on it, and the
 * API swapping to it.
 */
final class Walkthrough {
  static final List<String> USERS = List.of("1", "2", "3");
  static final int K = 5;
  static final int NEW_PER_USER = 3;
  static final Duration STEP_TIMEOUT = Duration.ofMinutes(20);

  private final PrintWriter out;
  private final Pipeline pipeline;
  private final String model;
  private final BiPredicate<String, String> seen;

  /** @param seen whether a user already interacted with an item (such an interaction would fold nothing in) */
  Walkthrough(PrintWriter out, Pipeline pipeline, String model, BiPredicate<String, String> seen) {
    this.out = out;
    this.pipeline = pipeline;
    this.model = model;
    this.seen = seen;
  }

  void run() throws InterruptedException {
    out.printf("%nStream processor: consuming the interactions, then cutting a snapshot ...%n");
    out.flush();
    SnapshotManifest s1 = pipeline.snapshot(0, STEP_TIMEOUT);
    out.printf("  snapshot v%d: %,d users, %,d items, %,d interactions%n", s1.getVersion(), s1.getUsers(), s1.getItems(),
        s1.getInteractions());
    out.printf("%nTrainer service: training %s on snapshot v%d (its epochs are logged on stderr) ...%n", model,
        s1.getVersion());
    out.flush();
    long t = System.nanoTime();
    ModelVersion v1 = pipeline.version(1, STEP_TIMEOUT);
    printVersion(v1, t);

    t = System.nanoTime();
    int port = pipeline.startApi(STEP_TIMEOUT);
    out.printf(Locale.ROOT, "%nRecommender API: serving version %d on gRPC 127.0.0.1:%d after %.1f s; top-%d for users %s:%n",
        v1.getVersion(), port, seconds(t), K, String.join(", ", USERS));
    Map<String, RecommendResponse> before = new LinkedHashMap<>();
    for (String u : USERS) {
      before.put(u, recommend(u));
      out.println("  " + line(u, before.get(u), null));
    }

    out.printf("%nLive traffic: each of these users now takes up to %d items the others were recommended:%n",
        NEW_PER_USER);
    List<Interaction> live = liveInteractions(before);
    live.stream().collect(Collectors.groupingBy(Interaction::getUserId, LinkedHashMap::new,
        Collectors.mapping(Interaction::getItemId, Collectors.toList())))
        .forEach((u, items) -> out.printf("  user %s -> items %s%n", u, String.join(", ", items)));
    out.flush();
    t = System.nanoTime();
    pipeline.publish(live);
    Map<String, RecommendResponse> folded = new LinkedHashMap<>();
    for (String u : USERS) {
      if (live.stream().noneMatch(in -> in.getUserId().equals(u))) {
        folded.put(u, before.get(u)); // nothing new for this one on a small catalog
        continue;
      }
      folded.put(u, Await.value("user " + u + "'s interactions to be folded in", Duration.ofSeconds(30), () -> {
        RecommendResponse r = recommend(u);
        return r.getFoldedIn() ? r : null;
      }));
    }
    out.printf(Locale.ROOT, "  folded into their vectors within %.2f s (no retraining), the new items excluded as seen:%n",
        seconds(t));
    folded.forEach((u, r) -> out.println("  " + line(u, r, before.get(u))));

    out.printf("%nStream processor: a second snapshot with the live interactions ...%n");
    out.flush();
    SnapshotManifest s2 = pipeline.snapshot(s1.getVersion(), STEP_TIMEOUT);
    out.printf("  snapshot v%d: %,d interactions (%,d new)%n", s2.getVersion(), s2.getInteractions(),
        s2.getNewInteractions());
    out.printf("Trainer service: fine-tuning version %d on it ...%n", v1.getVersion());
    out.flush();
    t = System.nanoTime();
    ModelVersion v2 = pipeline.version(v1.getVersion() + 1, STEP_TIMEOUT);
    if (v2.getStatus() != ModelStatus.COMPLETE) {
      out.printf("  the candidate (version %d) was rejected by the gate: %s; version %d stays in service%n",
          v2.getVersion(), v2.getReason(), v1.getVersion());
      out.flush();
      return;
    }
    printVersion(v2, t);
    Await.until("the API to swap to version " + v2.getVersion(), Duration.ofSeconds(60),
        () -> recommend(USERS.get(0)).getModelVersion() == v2.getVersion());
    out.printf("%nRecommender API: swapped to version %d while serving; top-%d now:%n", v2.getVersion(), K);
    for (String u : USERS) {
      out.println("  " + line(u, recommend(u), folded.get(u)));
    }
    out.flush();
  }

  private RecommendResponse recommend(String user) {
    return pipeline.client().recommend(RecommendRequest.newBuilder().setUserId(user).setK(K).build());
  }

  /**
   * User u takes the first items of the other users' lists (the next user's first) that u neither saw
   * nor was recommended; on a small catalog a user may find none.
   */
  private List<Interaction> liveInteractions(Map<String, RecommendResponse> recs) {
    List<Interaction> out = new ArrayList<>();
    long now = Instant.now().toEpochMilli();
    for (int i = 0; i < USERS.size(); i++) {
      String u = USERS.get(i);
      List<String> own = ids(recs.get(u));
      List<String> others = new ArrayList<>();
      for (int j = 1; j < USERS.size(); j++) {
        others.addAll(ids(recs.get(USERS.get((i + j) % USERS.size()))));
      }
      others.stream().distinct().filter(item -> !own.contains(item) && !seen.test(u, item)).limit(NEW_PER_USER)
          .forEach(item -> out.add(Interaction.newBuilder().setEventId("walkthrough:" + u + ":" + item).setUserId(u)
              .setItemId(item).setEventTime(Instant.ofEpochMilli(now)).setWeight(null).setType("view").setSplit(null)
              .build()));
    }
    return out;
  }

  private static List<String> ids(RecommendResponse r) {
    return r.getItemsList().stream().map(ScoredItem::getItemId).toList();
  }

  /** "user 1 [v1]: 17, 230*, 5, ..." where * marks an item the previous list did not have. */
  private static String line(String user, RecommendResponse r, RecommendResponse previous) {
    List<String> was = previous == null ? List.of() : ids(previous);
    String items = r.getItemsList().stream()
        .map(s -> s.getItemId() + (previous != null && !was.contains(s.getItemId()) ? "*" : ""))
        .collect(Collectors.joining(", "));
    String flags = (r.getFoldedIn() ? ", folded in" : "") + (r.getFallback() ? ", fallback: popular items" : "");
    return "user " + user + " [v" + r.getModelVersion() + flags + "]: " + items;
  }

  private void printVersion(ModelVersion v, long startNanos) {
    Map<String, Double> m = v.getMetrics();
    out.printf(Locale.ROOT, "  model version %d published after %.1f s: %s, %,d users, %,d items, dim %d, %s%n",
        v.getVersion(), seconds(startNanos), v.getModel(), v.getUserCount(), v.getItemCount(), v.getDim(),
        m.getOrDefault("warm_start", 0.0) == 1.0 ? "fine-tuned from the previous version" : "trained from scratch");
    out.printf(Locale.ROOT, "  holdout Recall@20 %.4f  NDCG@20 %.4f  test Recall@20 %.4f  NDCG@20 %.4f (%.0f epochs, %.1f s)%n",
        m.getOrDefault("holdout_recall@20", Double.NaN), m.getOrDefault("holdout_ndcg@20", Double.NaN),
        m.getOrDefault("test_recall@20", Double.NaN), m.getOrDefault("test_ndcg@20", Double.NaN),
        m.getOrDefault("epochs", Double.NaN), m.getOrDefault("train_seconds", Double.NaN));
    out.flush();
  }

  private static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }
}
