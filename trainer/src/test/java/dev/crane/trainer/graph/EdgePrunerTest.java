package dev.crane.trainer.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class EdgePrunerTest {
  @Test
  void keepsExactlyFloorOfRetainedShareDistinctEdges() {
    double[] w = new double[1003];
    Arrays.fill(w, 0.3);
    EdgePruner p = new EdgePruner(w, 0.8);
    int[] kept = p.sample(new SplittableRandom(1));
    assertThat(p.keepCount()).isEqualTo(200); // floor(1003 * 0.2)
    assertThat(kept).hasSize(200).doesNotHaveDuplicates().isSorted();
    assertThat(kept[199]).isLessThan(1003);
  }

  @Test
  void singleDrawProbabilityIsProportionalToWeight() {
    EdgePruner p = new EdgePruner(new double[] {1, 3}, 0.5);
    SplittableRandom rng = new SplittableRandom(42);
    int trials = 20000;
    int first = 0;
    for (int t = 0; t < trials; t++) {
      first += p.sample(rng)[0] == 0 ? 1 : 0;
    }
    // P = 1/4, sd = 0.0031
    assertThat(first / (double) trials).isCloseTo(0.25, within(0.012));
  }

  @Test
  void favoursEdgesBetweenLowDegreeNodes() {
    // user 0 is a hub with 50 items; users 1..50 each have one private item
    int hub = 50;
    int[] eu = new int[2 * hub];
    int[] ei = new int[2 * hub];
    for (int k = 0; k < hub; k++) {
      eu[k] = 0;
      ei[k] = k;
      eu[hub + k] = 1 + k;
      ei[hub + k] = hub + k;
    }
    int[] du = new int[hub + 1];
    int[] di = new int[2 * hub];
    for (int e = 0; e < eu.length; e++) {
      du[eu[e]]++;
      di[ei[e]]++;
    }
    EdgePruner p = new EdgePruner(NormalizedAdjacency.edgeWeights(du, di, eu, ei), 0.5);
    SplittableRandom rng = new SplittableRandom(7);
    int[] keptCount = new int[eu.length];
    for (int t = 0; t < 500; t++) {
      for (int e : p.sample(rng)) {
        keptCount[e]++;
      }
    }
    double hubRate = Arrays.stream(keptCount, 0, hub).sum() / (500.0 * hub);
    double leafRate = Arrays.stream(keptCount, hub, 2 * hub).sum() / (500.0 * hub);
    // weights 1/sqrt(50) vs 1: the private edges should survive far more often
    // (simulated with other seeds: about 0.80 vs 0.20); half the edges are kept in total
    assertThat(leafRate).isGreaterThan(0.7);
    assertThat(hubRate).isLessThan(0.3);
    assertThat(leafRate + hubRate).isCloseTo(1.0, within(1e-9));
  }

  @Test
  void sameSeedSameSample() {
    double[] w = new SplittableRandom(3).doubles(500, 0.1, 1).toArray();
    EdgePruner p = new EdgePruner(w, 0.9);
    assertThat(p.sample(new SplittableRandom(5))).containsExactly(p.sample(new SplittableRandom(5)));
  }
}
