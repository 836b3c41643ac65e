package dev.crane.trainer.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchResultsTest {
  static Map<String, Object> run(double recall, double ndcg, int bestEpoch, long rssMb) {
    return Map.of("recall20", recall, "ndcg20", ndcg, "best_epoch", bestEpoch, "peak_rss_mb", rssMb);
  }

  @Test
  void aggregatesOverSeedsAndMergesWithAnExistingFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("trainer-x.json");
    Files.writeString(file, "{\"note\": \"kept\", \"bpr_seed1_recall20\": 0.10, \"bpr_seed1_ndcg20\": 0.05,"
        + " \"bpr_recall20_mean\": 123.0}");
    BenchResults r = BenchResults.load(file);
    assertThat(r.hasRun("bpr", 1)).isTrue();
    assertThat(r.hasRun("bpr", 2)).isFalse();
    r.putRun("bpr", 2, run(0.20, 0.07, 4, 900));
    r.putRun("lightgcn", 1, run(0.30, 0.10, 9, 1200));
    r.putRun("lightgcn", 2, Map.of("error", "exit 2: error: too big"));
    r.write(file);

    Map<?, ?> m = new ObjectMapper().readValue(file.toFile(), Map.class);
    assertThat(m.get("note")).isEqualTo("kept");
    // the stale aggregate is recomputed from the two bpr seeds: mean 0.15, sample std 0.0707
    assertThat((Double) m.get("bpr_recall20_mean")).isCloseTo(0.15, within(1e-9));
    assertThat((Double) m.get("bpr_recall20_std")).isCloseTo(Math.sqrt(0.005), within(1e-6));
    assertThat(m.get("bpr_seeds")).isEqualTo("1,2");
    assertThat(m.get("bpr_peak_rss_mb")).isEqualTo(900.0);
    // the failed seed is kept with its error but left out of the aggregates
    assertThat(m.get("lightgcn_seed2_error")).isEqualTo("exit 2: error: too big");
    assertThat(m.get("lightgcn_runs")).isEqualTo(1);
    assertThat((Double) m.get("lightgcn_best_epoch_mean")).isEqualTo(9.0);
    assertThat(m.get("lightgcn_recall20_std")).isEqualTo(0.0);

    // a second load + re-run of one seed replaces only that seed
    BenchResults again = BenchResults.load(file);
    again.putRun("bpr", 1, run(0.30, 0.05, 2, 800));
    Map<String, Object> f = again.flat();
    assertThat((Double) f.get("bpr_recall20_mean")).isCloseTo(0.25, within(1e-9));
    assertThat(f.get("lightgcn_seed1_recall20")).isEqualTo(0.30);
    assertThat(again.markdown()).contains("| bpr | 1,2 | 0.2500 ± 0.0707 |").contains("| lightgcn | 1 | 0.3000 |");
  }

  @Test
  void mergeTakesTheOtherFilesRunsButNotItsTopKeys(@TempDir Path dir) throws Exception {
    Path other = dir.resolve("trainer-ref.json");
    BenchResults ref = new BenchResults();
    ref.put("command", "the other command");
    ref.putRun("crane_ref_items", 999, run(0.05, 0.02, 3, 4000));
    ref.putRun("lightgcn", 1, run(0.31, 0.11, 8, 1100));
    ref.write(other);
    BenchResults main = new BenchResults();
    main.put("command", "this command");
    main.putRun("lightgcn", 1, run(0.30, 0.10, 9, 1200));
    main.putRun("lightgcn", 2, run(0.40, 0.10, 9, 1200));
    main.mergeRuns(BenchResults.load(other));
    Map<String, Object> f = main.flat();
    assertThat(f).containsEntry("command", "this command").containsEntry("crane_ref_items_seed999_recall20", 0.05)
        .containsEntry("lightgcn_seed1_recall20", 0.31).containsEntry("lightgcn_seed2_recall20", 0.40);
  }

  @Test
  void writesHeadlineKeysEqualToTheMeansAndReferenceModesAliasWhichReloadsAsAnAggregate(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("trainer-h.json");
    BenchResults r = new BenchResults();
    r.putRun("crane", 1, run(0.10, 0.04, 5, 1000));
    r.putRun("crane", 2, run(0.12, 0.05, 6, 1000));
    r.putRun("crane_ref_modalities", 1, run(0.06, 0.02, 7, 1000));
    r.write(file);
    Map<?, ?> m = new ObjectMapper().readValue(file.toFile(), Map.class);
    assertThat((Double) m.get("crane_recall20")).isCloseTo(0.11, within(1e-9));
    assertThat((Double) m.get("crane_ndcg20")).isCloseTo(0.045, within(1e-9));
    assertThat(m.get("crane_ref_modalities_recall20")).isEqualTo(0.06);
    assertThat(m.get("crane_ref_recall20")).isEqualTo(0.06);
    assertThat(m.get("crane_ref_ndcg20")).isEqualTo(0.02);
    assertThat(m.containsKey("crane_best_epoch")).isFalse();
    // reloaded, the headline keys are recomputed from the runs, not kept as stale top-level keys
    BenchResults again = BenchResults.load(file);
    again.putRun("crane_ref_modalities", 1, run(0.08, 0.03, 7, 1000));
    assertThat(again.flat()).containsEntry("crane_ref_recall20", 0.08).containsEntry("crane_ref_modalities_recall20", 0.08);
  }

  @Test
  void keepsAnotherToolsKeysThatShareAConfigsPrefix(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("trainer-cost.json");
    Files.writeString(file, "{\"crane_seed1_recall20\": 0.10, \"crane_recall20_mean\": 9.0,"
        + " \"crane_step_seconds\": 0.5, \"crane_rca_round0_gflop\": 1.86}");
    BenchResults r = BenchResults.load(file);
    r.putRun("crane", 2, run(0.20, 0.07, 4, 900));
    r.write(file);
    Map<?, ?> m = new ObjectMapper().readValue(file.toFile(), Map.class);
    // bench-breakdown's figures survive an epoch benchmark's rewrite; the aggregate is recomputed
    assertThat(m.get("crane_step_seconds")).isEqualTo(0.5);
    assertThat(m.get("crane_rca_round0_gflop")).isEqualTo(1.86);
    assertThat((Double) m.get("crane_recall20_mean")).isCloseTo(0.15, within(1e-9));
  }

  @Test
  void derivesThePaperVersusReferenceSpeedupWhenBothRan() {
    BenchResults r = new BenchResults();
    r.putRun("crane", 999, Map.of("recall20", 0.1, "train_seconds_per_epoch", 40.0));
    assertThat(r.flat()).doesNotContainKey(BenchResults.SPEEDUP);
    r.putRun("crane_ref_items", 999, Map.of("recall20", 0.1, "train_seconds_per_epoch", 330.0));
    assertThat(r.flat()).containsEntry(BenchResults.SPEEDUP, 8.25);
  }

  @Test
  void configListsExpandGroupsAndRejectUnknownNames() {
    assertThat(BenchConfigs.expand(java.util.List.of("lightgcn", "ablations", "crane_no_gcn")))
        .containsExactly("lightgcn", "crane_no_item_graph", "crane_no_rca", "crane_no_attention", "crane_no_gcn",
            "crane_no_cl");
    assertThatThrownBy(() -> BenchConfigs.expand(java.util.List.of("gru4rec"))).hasMessageContaining("unknown");
  }
}
