package dev.crane.trainer.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crane.ingest.dataset.FeatureMatrix;
import dev.crane.ingest.dataset.InteractionTable;
import dev.crane.ingest.dataset.SnapshotReader;
import dev.crane.schemas.Topics;
import dev.crane.schemas.avro.ItemEmbedding;
import dev.crane.schemas.avro.ModelStatus;
import dev.crane.schemas.avro.ModelVersion;
import dev.crane.schemas.avro.UserEmbedding;
import dev.crane.trainer.train.Checkpoint;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trainer service between the real stream processor and the topics: two waves of live traffic,
 * two snapshots, two versions; then a corrupted candidate that the gate keeps out.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TrainerServiceTest {
  static final int USERS = 240;
  static final int ITEMS = 90;
  @TempDir static Path dir;
  static LivePipeline pipeline;
  static int[] newItems;

  @BeforeAll
  static void start() {
    pipeline = new LivePipeline(dir, USERS, ITEMS, 5);
    newItems = java.util.stream.IntStream.range(ITEMS - 10, ITEMS).toArray(); // held back from the first wave
  }

  @AfterAll
  static void stop() {
    if (pipeline != null) {
      pipeline.close();
    }
  }

  static Map<String, String> settings(String stateDir) {
    return settingsFor(pipeline, dir.resolve(stateDir));
  }

  /** A small, fast LightGCN service on the pipeline's broker and registry. */
  static Map<String, String> settingsFor(LivePipeline pipeline, Path stateDir) {
    Map<String, String> s = new HashMap<>();
    s.put("bootstrap.servers", pipeline.runtime.bootstrapServers());
    s.put("schema.registry.url", pipeline.runtime.schemaRegistryUrl());
    s.put("state.dir", stateDir.toString());
    s.put("model", "lightgcn");
    s.put("full.epochs", "20");
    s.put("finetune.epochs", "4");
    s.put("metrics.port", "-1");
    s.put("retry.backoff.ms", "500");
    s.put("train.batchSize", "256");
    s.put("train.learningRate", "0.01");
    s.put("train.embeddingDim", "16");
    s.put("train.patience", "5");
    return s;
  }

  /** Runs a service until {@code done} holds (or 3 minutes pass). */
  static void serveUntil(ServiceConfig config, TrainerService.Hooks hooks, java.util.function.BooleanSupplier done)
      throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    try (TrainerService service = TrainerService.start(config, new SimpleMeterRegistry(), hooks)) {
      Thread t = new Thread(() -> service.run(stop::get), "trainer-service");
      t.start();
      try {
        LivePipeline.await("the trainer service", Duration.ofMinutes(3), done);
      } finally {
        stop.set(true);
        t.join(60_000);
      }
    }
  }

  private static boolean has(long version, ModelStatus status) {
    return pipeline.manifests().all().stream().anyMatch(m -> m.getVersion() == version && m.getStatus() == status);
  }

  @Test
  @Order(1)
  void twoSnapshotsGiveTwoVersionsWithOldRowsKeptAndNewUsersAndItemsScored() throws Exception {
    InteractionTable t = pipeline.dataset.interactions();
    java.util.Set<Integer> late = new java.util.HashSet<>();
    for (int i : newItems) {
      late.add(i);
    }
    // wave 1: users below 200 without the held-back items; wave 2: everything else
    pipeline.publish(r -> t.users()[r] < 200 && !late.contains(t.items()[r]), newItems);
    pipeline.snapshotAfterProcessing();
    ServiceConfig config = ServiceConfig.of(settings("state"));
    serveUntil(config, TrainerService.Hooks.NONE, () -> has(1, ModelStatus.COMPLETE));

    Map<String, UserEmbedding> users1 = pipeline.committed(Topics.USER_EMBEDDINGS, (UserEmbedding u) -> u.getModelVersion() == 1);
    Map<String, ItemEmbedding> items1 = pipeline.committed(Topics.ITEM_EMBEDDINGS, (ItemEmbedding i) -> i.getModelVersion() == 1);
    ModelVersion v1 = pipeline.manifests().serving().orElseThrow();
    assertThat(v1.getVersion()).isEqualTo(1);
    assertThat(v1.getUserCount()).isEqualTo(users1.size()).isEqualTo(200);
    assertThat(v1.getItemCount()).isEqualTo(items1.size()).isEqualTo(ITEMS - newItems.length);
    assertThat(v1.getMetrics()).containsKeys("holdout_recall@20", "holdout_ndcg@20").doesNotContainKey("test_recall@20");
    assertThat(v1.getContentProjections()).hasSize(2); // lightgcn: the random content maps, for cold-start items
    assertThat(items1.values()).allSatisfy(i -> assertThat(i.getContent()).hasSize(2 * 64));
    Checkpoint ckpt1 = Checkpoint.load(dir.resolve("state").resolve("accepted"));
    assertThat(ckpt1.meta().provenance.modelVersion).isEqualTo(1);

    pipeline.publish(r -> !(t.users()[r] < 200 && !late.contains(t.items()[r])), new int[0]);
    pipeline.snapshotAfterProcessing();
    serveUntil(config, TrainerService.Hooks.NONE, () -> has(2, ModelStatus.COMPLETE));

    ModelVersion v2 = pipeline.manifests().serving().orElseThrow();
    assertThat(v2.getVersion()).isEqualTo(2);
    assertThat(v2.getMetrics()).containsEntry("warm_start", 1.0).containsKey("baseline_holdout_recall@20");
    Map<String, UserEmbedding> users2 = pipeline.committed(Topics.USER_EMBEDDINGS, (UserEmbedding u) -> u.getModelVersion() == 2);
    Map<String, ItemEmbedding> items2 = pipeline.committed(Topics.ITEM_EMBEDDINGS, (ItemEmbedding i) -> i.getModelVersion() == 2);
    assertThat(users2).hasSize(USERS).containsKeys(users1.keySet().toArray(String[]::new));
    assertThat(items2).hasSize(ITEMS);
    assertThat(v2.getUserCount()).isEqualTo(USERS);
    // old users and items keep their rows: the new mapping starts with the old one
    Checkpoint ckpt2 = Checkpoint.load(dir.resolve("state").resolve("accepted"));
    assertThat(ckpt2.meta().userIds.subList(0, 200)).isEqualTo(ckpt1.meta().userIds);
    assertThat(ckpt2.meta().itemIds.subList(0, ITEMS - newItems.length)).isEqualTo(ckpt1.meta().itemIds);
    // the new users and items are scored: finite, non-zero vectors with their degrees
    for (int u = 200; u < USERS; u++) {
      UserEmbedding e = users2.get(Integer.toString(u));
      assertThat(e).as("user %d", u).isNotNull();
      assertThat(e.getDegree()).isPositive();
      assertThat(e.getVector()).hasSize(16).allMatch(Float::isFinite).anyMatch(x -> x != 0f);
    }
    for (int i : newItems) {
      assertThat(items2.get(Integer.toString(i)).getVector()).hasSize(16).allMatch(Float::isFinite).anyMatch(x -> x != 0f);
    }
  }

  @Test
  @Order(2)
  void theProcessorsSumsEqualAFromScratchComputationForEveryUser() throws Exception {
    Path latest;
    try (var s = java.nio.file.Files.list(pipeline.snapshotDir())) {
      latest = s.filter(p -> p.getFileName().toString().startsWith("v")).sorted().reduce((a, b) -> b).orElseThrow();
    }
    SnapshotReader.Snapshot snapshot = SnapshotReader.read(latest); // checks every user's sums itself
    // and, independently of the reader, from the dataset as generated: each user's items, all rows
    InteractionTable t = pipeline.dataset.interactions();
    List<String> users = snapshot.dataset().userIds();
    for (int m = 0; m < 2; m++) {
      FeatureMatrix f = pipeline.dataset.features().get(m);
      String modality = f.modality();
      int mm = snapshot.dataset().modalityNames().indexOf(modality);
      double[] row = new double[f.dim()];
      for (int u = 0; u < users.size(); u++) {
        int user = Integer.parseInt(users.get(u));
        double[] expected = new double[f.dim()];
        for (int r = 0; r < t.size(); r++) {
          if (t.users()[r] == user) {
            for (int j = 0; j < f.dim(); j++) {
              expected[j] += f.get(t.items()[r], j);
            }
          }
        }
        snapshot.profiles().get(mm).row(u, row);
        for (int j = 0; j < f.dim(); j++) {
          assertThat(row[j]).as("user %s, %s[%d]", users.get(u), modality, j)
              .isCloseTo(expected[j], org.assertj.core.data.Offset.offset(1e-9 * (1 + Math.abs(expected[j]))));
        }
      }
    }
  }

  @Test
  @Order(3)
  void aCorruptedCandidateIsGatedOutAndNothingNewIsServed() throws Exception {
    InteractionTable t = pipeline.dataset.interactions();
    // a third wave: users coming back to some of their items (new events)
    pipeline.publishRepeats(r -> r % 7 == 0, "again");
    pipeline.snapshotAfterProcessing();
    TrainerService.Hooks corrupt = new TrainerService.Hooks() {
      @Override
      public boolean afterTraining(dev.crane.trainer.train.Retraining.Outcome c) {
        dev.crane.trainer.engine.Autograd.noGrad(() -> c.model().parameters().all().values().forEach(p -> {
          float[] noise = new float[(int) p.getShape().size()];
          java.util.SplittableRandom rng = new java.util.SplittableRandom(1);
          for (int k = 0; k < noise.length; k++) {
            noise[k] = (float) rng.nextGaussian();
          }
          dev.crane.trainer.engine.Tensors.assign(p, noise);
        }));
        return true;
      }
    };
    long before = pipeline.manifests().lastVersion();
    serveUntil(ServiceConfig.of(settings("state")), corrupt, () -> has(before + 1, ModelStatus.REJECTED));
    ModelVersion rejected = pipeline.manifests().latest().orElseThrow();
    assertThat(rejected.getStatus()).isEqualTo(ModelStatus.REJECTED);
    assertThat(rejected.getReason()).contains("holdout R@20").contains("< serving");
    assertThat(pipeline.manifests().serving().orElseThrow().getVersion()).isEqualTo(2);
    assertThat(pipeline.committed(Topics.USER_EMBEDDINGS, (UserEmbedding u) -> u.getModelVersion() > 2)).isEmpty();
    assertThat(t.size()).isPositive();
  }
}
