package dev.crane.trainer.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class RankingMetricsTest {
  @Test
  void recallUsesFullTargetCountAndNdcgMapUseMinOfTargetsAndK() {
    RankingMetrics m = new RankingMetrics();
    long[] ranked = LongStream.range(0, 50).toArray();
    // 10 targets, hits at ranks 1 and 3 only
    m.add(ranked, new int[] {0, 2, 100, 101, 102, 103, 104, 105, 106, 107});
    Map<String, Double> r = m.result();
    assertThat(r.get("recall@5")).isEqualTo(0.2); // 2/10, not 2/5
    assertThat(r.get("precision@5")).isEqualTo(0.4);
    // DCG 1 + 1/log2(4) = 1.5; IDCG over 5 ranks = 2.948459
    assertThat(r.get("ndcg@5")).isEqualTo(0.5087);
    assertThat(r.get("map@5")).isEqualTo(0.3333); // (1 + 2/3) / 5
    // at K = 50 IDCG runs over all 10 targets = 4.543559
    assertThat(r.get("ndcg@50")).isEqualTo(0.3301);
    assertThat(r.get("map@50")).isEqualTo(0.1667); // (1 + 2/3) / 10
    assertThat(r.get("recall@50")).isEqualTo(0.2);
    assertThat(r.get("precision@50")).isEqualTo(0.04);
  }

  @Test
  void roundsHalfEvenOnTheExactDouble() {
    assertThat(RankingMetrics.round4(0.12345)).isEqualTo(0.1235); // stored just above
    assertThat(RankingMetrics.round4(0.00015)).isEqualTo(0.0001); // stored just below
    assertThat(RankingMetrics.round4(0.65328725)).isCloseTo(0.6533, within(1e-12));
  }
}
