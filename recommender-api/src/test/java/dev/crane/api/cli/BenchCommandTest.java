package dev.crane.api.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BenchCommandTest {
  private static final Map<String, Object> OLD = Map.of(
      "date", "2026-12-05",
      "63k_exact_p99_ms_2k_qps", 5.3,
      "1m_hnsw_recall20", 0.95,
      "foldin_recall20", 0.07,
      "nofoldin_recall20", 0.05,
      "retrain_recall20", 0.08,
      "other_runs_2026_12_06", List.of(Map.of("start_utc", "12:28")),
      "publication_only_2026_12_07", Map.of("child_pooled", 1.58));

  @Test
  void aRerunKeepsTheFoldInFiguresAndTheRecordedRunsButNotTheOldMeasurements() {
    Map<String, Object> all = BenchCommand.merged(Map.of("date", "2026-12-06", "63k_exact_p99_ms_2k_qps", 2.6), OLD, false);
    assertThat(all).containsEntry("63k_exact_p99_ms_2k_qps", 2.6).containsEntry("date", "2026-12-06")
        .containsEntry("foldin_recall20", 0.07).containsEntry("nofoldin_recall20", 0.05)
        .containsEntry("retrain_recall20", 0.08).containsKey("other_runs_2026_12_06")
        .containsEntry("publication_only_2026_12_07", Map.of("child_pooled", 1.58))
        .doesNotContainKeys("1m_hnsw_recall20", "1m_date");
  }

  @Test
  void withoutTheMillionCaseTheOld1mFiguresStayWithTheirDate() {
    Map<String, Object> all = BenchCommand.merged(Map.of("date", "2026-12-06"), OLD, true);
    assertThat(all).containsEntry("1m_hnsw_recall20", 0.95).containsEntry("1m_date", "2026-12-05")
        .containsEntry("date", "2026-12-06");
  }

  @Test
  void aSwapOnlyRunReplacesTheSwapFiguresAndKeepsEverythingElse() {
    Map<String, Object> old = new java.util.HashMap<>(OLD);
    old.put("swap_p99_ms_2k_qps", 9.9);
    Map<String, Object> all = BenchCommand.mergedSwap(Map.of("date", "2026-12-07", "command", "bench --swap-only",
        "swap_p99_ms_2k_qps", 4.4, "63k_publish_s", 0.5), old);
    assertThat(all).containsEntry("swap_p99_ms_2k_qps", 4.4).containsEntry("swap_date", "2026-12-07")
        .containsEntry("swap_command", "bench --swap-only").containsEntry("date", "2026-12-05")
        .containsEntry("63k_exact_p99_ms_2k_qps", 5.3).containsEntry("1m_hnsw_recall20", 0.95)
        .doesNotContainKey("63k_publish_s");
  }
}
