package dev.crane.api.quality;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.crane.api.coldstart.ColdStartPlacer;
import dev.crane.api.metrics.ApiMetrics;
import dev.crane.api.model.EmbeddingTable;
import dev.crane.api.model.VersionData;
import dev.crane.api.model.VersionInfo;
import dev.crane.api.seen.SeenItems;
import dev.crane.api.serving.Recommendations;
import dev.crane.api.serving.ServingState;
import dev.crane.api.topk.HnswIndex;
import dev.crane.api.topk.IndexFactory;
import dev.crane.api.topk.Kernels;
import dev.crane.ingest.dataset.InteractionTable;
import dev.crane.ingest.dataset.MmrecDataset;
import dev.crane.ingest.dataset.MmrecReader;
import dev.crane.schemas.Split;
import dev.crane.trainer.config.TrainConfig;
import dev.crane.trainer.data.TrainingData;
import dev.crane.trainer.engine.Devices;
import dev.crane.trainer.model.ModelFactory;
import dev.crane.trainer.model.core.FinalEmbeddings;
import dev.crane.trainer.model.core.Recommender;
import dev.crane.trainer.train.TrainResult;
import dev.crane.trainer.train.Trainer;
import dev.crane.trainer.train.TrainingListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Fold-in quality on TikTok (issue 15): LightGCN trained without the last 5 % of the training
 * interactions (file order) is served; those 5 % are then applied as new interactions through the
 * service's own interaction path (seen items + fold-in of schemas/EMBEDDINGS.md). Over the users who
 * received new interactions, test Recall@20 (MMRec's: hits / |test items|, training items masked)
 * (i) without fold-in, (ii) with fold-in, (iii) of LightGCN retrained on everything. The figures go
 * into docs/bench/api.json beside the speed figures. On demand only (about 6 minutes):
 *
 * <pre>mvn -B -o -pl recommender-api -am verify -Dtest=FoldInQualityBenchmark -Dapi.excludedGroups=none
 *     -Dsurefire.failIfNoSpecifiedTests=false</pre>
 */
@Tag("benchmark")
class FoldInQualityBenchmark {
  private static final String MODEL = "lightgcn";

  /** The final vectors and training degrees of a trained model. */
  private record Trained(float[] users, float[] items, int dim, int[] userDegree, int[] itemDegree, TrainResult result) {}

  @Test
  void tiktok() throws Exception {
    Path dir = Path.of(System.getProperty("bench.data", "../../shared/data/tiktok"));
    Assumptions.assumeTrue(Files.isDirectory(dir), "TikTok data absent at " + dir.toAbsolutePath()
        + ": the fold-in quality benchmark needs it (skipped)");
    Devices.ensureOffline();
    MmrecDataset full = MmrecReader.read(dir);
    InteractionTable t = full.interactions();
    List<Integer> trainRows = new ArrayList<>();
    for (int r = 0; r < t.size(); r++) {
      if (t.splits()[r] == Split.TRAIN) {
        trainRows.add(r);
      }
    }
    int cut = trainRows.size() - trainRows.size() / 20; // train rows [cut, end) are "new"
    Set<Integer> held = new HashSet<>(trainRows.subList(cut, trainRows.size()));
    MmrecDataset reduced = new MmrecDataset(full.name(), full.numUsers(), full.numItems(), without(t, held),
        full.features());

    long t0 = System.nanoTime();
    Trained partial = train(reduced);
    Trained retrained = train(full);
    double trainSeconds = (System.nanoTime() - t0) / 1e9;

    Set<String> newUsers = new HashSet<>();
    for (int i = cut; i < trainRows.size(); i++) {
      newUsers.add(Integer.toString(t.users()[trainRows.get(i)]));
    }
    Map<String, Set<String>> test = new HashMap<>();
    for (int r = 0; r < t.size(); r++) {
      String u = Integer.toString(t.users()[r]);
      if (t.splits()[r] == Split.TEST && newUsers.contains(u)) {
        test.computeIfAbsent(u, x -> new HashSet<>()).add(Integer.toString(t.items()[r]));
      }
    }
    // (i) the 95 % model that treats every interaction as trained: nothing folds, all are excluded
    double noFold = recall(partial, Long.MAX_VALUE, cut, t, trainRows, test);
    // (ii) the same model with the last 5 % folded in (they lie at or above its input offset)
    double fold = recall(partial, cut, cut, t, trainRows, test);
    // (iii) retrained on all training interactions
    double retrain = recall(retrained, trainRows.size(), cut, t, trainRows, test);

    Map<String, Object> figures = new LinkedHashMap<>();
    figures.put("foldin_dataset", "tiktok");
    figures.put("foldin_model", MODEL);
    figures.put("foldin_new_interactions", trainRows.size() - cut);
    figures.put("foldin_users_evaluated", test.size());
    figures.put("nofoldin_recall20", round(noFold));
    figures.put("foldin_recall20", round(fold));
    figures.put("retrain_recall20", round(retrain));
    figures.put("foldin_partial_best_epoch", partial.result().bestEpoch());
    figures.put("foldin_retrain_best_epoch", retrained.result().bestEpoch());
    figures.put("foldin_train_seconds", Math.round(trainSeconds));
    figures.put("foldin_command", "mvn -B -o -pl recommender-api -am verify -Dtest=FoldInQualityBenchmark "
        + "-Dapi.excludedGroups=none -Dsurefire.failIfNoSpecifiedTests=false");
    figures.put("foldin_date", LocalDate.now().toString());
    figures.forEach((k, v) -> System.out.println(k + " = " + v));
    merge(Path.of(System.getProperty("bench.out", "../docs/bench/api.json")), figures);
    assertThat(test).isNotEmpty();
    assertThat(fold).as("fold-in must not make recommendations worse than ignoring the new interactions")
        .isGreaterThanOrEqualTo(noFold);
  }

  private static InteractionTable without(InteractionTable t, Set<Integer> rows) {
    int n = t.size() - rows.size();
    int[] u = new int[n];
    int[] i = new int[n];
    long[] ts = t.timestamps() == null ? null : new long[n];
    float[] ra = t.ratings() == null ? null : new float[n];
    Split[] sp = new Split[n];
    int k = 0;
    for (int r = 0; r < t.size(); r++) {
      if (!rows.contains(r)) {
        u[k] = t.users()[r];
        i[k] = t.items()[r];
        if (ts != null) {
          ts[k] = t.timestamps()[r];
        }
        if (ra != null) {
          ra[k] = t.ratings()[r];
        }
        sp[k++] = t.splits()[r];
      }
    }
    return new InteractionTable(u, i, ts, ra, sp);
  }

  /** Trains with the trainer's defaults for the model (early stopping on validation) and keeps the best epoch. */
  private static Trained train(MmrecDataset ds) {
    TrainConfig c = TrainConfig.builder(MODEL).dataset(ds.name()).forceCpu(true).build();
    TrainingData data = TrainingData.from(ds);
    try (NDManager manager = NDManager.newBaseManager(Devices.pick(true))) {
      SplittableRandom rng = new SplittableRandom(c.seed());
      Recommender model = ModelFactory.create(c, data, manager, rng);
      Trainer trainer = new Trainer(data, c, TrainingListener.NONE);
      TrainResult result = trainer.fit(model, rng);
      trainer.bestParameters().forEach((name, values) -> model.parameters().get(name).set(values));
      FinalEmbeddings fe = model.embed();
      int dim = (int) fe.users().getShape().get(1);
      return new Trained(fe.users().toFloatArray(), fe.items().toFloatArray(), dim, data.userDegree().clone(),
          data.itemDegree().clone(), result);
    }
  }

  /**
   * Serves a trained model with input offset {@code inputOffset} (train rows numbered in file order
   * on one partition), applies every training interaction as the interaction feed would, and
   * measures test Recall@20 of Recommend (seen items excluded) over the users of {@code test}.
   */
  private static double recall(Trained m, long inputOffset, int cut, InteractionTable t, List<Integer> trainRows,
      Map<String, Set<String>> test) {
    int nu = m.users().length / m.dim();
    int ni = m.items().length / m.dim();
    String[] uid = new String[nu];
    for (int u = 0; u < nu; u++) {
      uid[u] = Integer.toString(u);
    }
    String[] iid = new String[ni];
    for (int i = 0; i < ni; i++) {
      iid[i] = Integer.toString(i);
    }
    VersionInfo info = new VersionInfo(1, MODEL, m.dim(), nu, ni, Map.of(), 0, Map.of(0, inputOffset), List.of(),
        List.of());
    VersionData data = new VersionData(info,
        EmbeddingTable.of(uid, m.dim(), m.users(), null, null, m.userDegree(), null, 0),
        EmbeddingTable.of(iid, m.dim(), m.items(), null, null, m.itemDegree(), null, 0));
    ApiMetrics metrics = ApiMetrics.inMemory();
    ServingState state = new ServingState(new SeenItems(), new IndexFactory(Integer.MAX_VALUE,
        new HnswIndex.Params(16, 100, 200, 2), Kernels.best(), 1, Integer.MAX_VALUE), new ColdStartPlacer(10), metrics, Duration.ZERO,
        System::currentTimeMillis);
    state.install(state.prepare(data));
    for (int k = 0; k < trainRows.size(); k++) {
      int r = trainRows.get(k);
      state.onInteraction(Integer.toString(t.users()[r]), Integer.toString(t.items()[r]), 0, k);
    }
    Recommendations rec = new Recommendations(state, Kernels.best(), 1000, metrics);
    double sum = 0;
    for (var e : test.entrySet()) {
      long hits = rec.recommend(e.getKey(), 20, true, null).items().stream()
          .filter(s -> e.getValue().contains(s.itemId())).count();
      sum += hits / (double) e.getValue().size();
    }
    return sum / test.size();
  }

  private static double round(double v) {
    return Math.round(v * 1e4) / 1e4;
  }

  @SuppressWarnings("unchecked")
  private static void merge(Path file, Map<String, Object> figures) throws java.io.IOException {
    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    Map<String, Object> all = Files.exists(file) ? json.readValue(file.toFile(), LinkedHashMap.class)
        : new LinkedHashMap<>();
    all.putAll(figures);
    Files.createDirectories(file.toAbsolutePath().getParent());
    json.writeValue(file.toFile(), all);
  }
}
