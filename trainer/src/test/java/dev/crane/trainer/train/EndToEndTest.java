package dev.crane.trainer.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.crane.schemas.Split;
import dev.crane.trainer.config.TrainConfig;
import dev.crane.trainer.data.PlantedData;
import dev.crane.trainer.data.TrainingData;
import dev.crane.trainer.eval.Evaluator;
import dev.crane.trainer.model.ModelFactory;
import dev.crane.trainer.model.core.Recommender;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class EndToEndTest {
  static final TrainingData DATA = TrainingData.from(PlantedData.generate(300, 200, 5, 12, new int[] {16, 8}, 11));

  static TrainConfig.Builder builder(String model) {
    return TrainConfig.builder(model).epochs(25).patience(5).batchSize(256).learningRate(0.01f).embeddingDim(16);
  }

  static TrainConfig config(String model) {
    return builder(model).build();
  }

  static TrainResult run(TrainConfig c) {
    try (NDManager m = NDManager.newBaseManager()) {
      SplittableRandom rng = new SplittableRandom(c.seed());
      Recommender model = ModelFactory.create(c, DATA, m, rng);
      return new Trainer(DATA, c, TrainingListener.NONE).fit(model, rng);
    }
  }

  static double popularityRecall20() {
    try (NDManager m = NDManager.newBaseManager()) {
      float[] pop = new float[DATA.numItems()];
      for (int i = 0; i < pop.length; i++) {
        pop[i] = DATA.itemDegree()[i] + i * 1e-6f;
      }
      float[] ones = new float[DATA.numUsers()];
      java.util.Arrays.fill(ones, 1);
      NDArray users = m.create(ones, new Shape(ones.length, 1));
      NDArray items = m.create(pop, new Shape(pop.length, 1));
      return new Evaluator(DATA, 4096).evaluate(users, items, Split.TEST).get("recall@20");
    }
  }

  @Test
  void lightGcnAndBprBeatRandomAndMostPopular() {
    double random = 20.0 / (DATA.numItems() - 10); // one target among ~190 unmasked candidates
    double popular = popularityRecall20();
    for (String model : new String[] {"lightgcn", "bpr"}) {
      TrainResult r = run(config(model));
      double recall = r.bestTest().get("recall@20");
      assertThat(recall).as(model + " vs popularity " + popular).isGreaterThan(Math.max(random, popular) + 0.1);
      assertThat(r.bestEpoch()).isGreaterThanOrEqualTo(0);
    }
  }

  @Test
  void sameSeedGivesIdenticalRunOnCpu() {
    TrainConfig c = builder("lightgcn").epochs(3).build();
    TrainResult a = run(c);
    TrainResult b = run(c);
    for (int e = 0; e < 3; e++) {
      assertThat(a.history().get(e).loss()).isEqualTo(b.history().get(e).loss());
      assertThat(a.history().get(e).valid()).isEqualTo(b.history().get(e).valid());
    }
    assertThat(run(c.toBuilder().seed(1).build()).history().get(0).loss()).isNotEqualTo(a.history().get(0).loss());
  }

  @Test
  void reportedTestIsFromTheBestValidationEpoch() {
    TrainResult r = run(config("lightgcn"));
    Map<String, Double> bestValid = r.history().get(r.bestEpoch()).valid();
    assertThat(r.bestValid()).isEqualTo(bestValid);
    double best = r.history().stream().mapToDouble(h -> h.valid().get("recall@20")).max().orElseThrow();
    assertThat(bestValid.get("recall@20")).isEqualTo(best);
    // the best is the first epoch that reached the maximum (strict improvement)
    assertThat(r.history().stream().filter(h -> h.valid().get("recall@20") == best).findFirst().orElseThrow().epoch())
        .isEqualTo(r.bestEpoch());
  }
}
