package dev.crane.trainer.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.crane.ingest.dataset.MmrecWriter;
import dev.crane.trainer.data.PlantedData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The breakdown runs real paper-mode steps on a tiny planted dataset: every component is timed and costed,
 * the parts add up to the step, the floor is positive, and the JSON is merged into, not replaced.
 */
class StepBreakdownBenchmarkTest {
  private static final List<String> COSTED = List.of("gcn", "feature_projection", "user_profiles", "rca_round0",
      "rca_round1", "rca_round2", "item_graph", "bpr", "infonce", "backward", "adam");
  private static final List<String> DENSE = List.of("feature_projection", "rca_round0", "rca_round1", "rca_round2",
      "infonce", "backward");

  @Test
  void breaksTheStepDownAndMergesIntoTheJson(@TempDir Path dir) throws Exception {
    Path data = dir.resolve("tiny");
    MmrecWriter.write(PlantedData.generate(60, 40, 4, 6, new int[] {8, 4}, 2), data);
    Path json = dir.resolve("cost.json");
    Files.writeString(json, "{\"command\": \"trainer bench --configs crane\", \"crane_seed999_recall20\": 0.0261,"
        + " \"note\": \"kept\", \"gemm_gflops_forward_1x1x1\": 5, \"crane_to_floor_paired_ratio_median\": 9}");
    String[] args = {"--data", data.toString(), "--steps", "4", "--warmup", "1", "--gemm-repeats", "2",
        "--json", json.toString(), "--set", "embeddingDim=8", "--set", "batchSize=64", "--set", "attentionRounds=3"};
    assertThat(new CommandLine(new StepBreakdownBenchmark()).execute(args)).isZero();
    @SuppressWarnings("unchecked")
    Map<String, Object> m = new ObjectMapper().readValue(json.toFile(), Map.class);

    assertThat(m.get("crane_seed999_recall20")).isEqualTo(0.0261); // other keys survive the merge
    assertThat(m.get("note")).isEqualTo("kept");
    // an earlier run's product rates and paired figures do not survive next to this run's
    assertThat(m).doesNotContainKey("gemm_gflops_forward_1x1x1");
    assertThat(num(m, "crane_to_floor_paired_ratio_median")).isNotEqualTo(9.0);
    assertThat(m).containsKeys("load_average_start", "load_average_end", "threads",
        "crane_step_seconds", "crane_step_floor_seconds", "crane_to_floor_ratio", "stream_gbps");
    // the epoch benchmark's provenance stays with its figures; this run's is under breakdown_*
    assertThat(m.get("command")).isEqualTo("trainer bench --configs crane");
    assertThat(m.get("breakdown_command").toString()).startsWith("trainer bench-breakdown").contains("--steps 4");
    assertThat(m).containsKeys("breakdown_date", "breakdown_machine");

    List<String> timed = new ArrayList<>(COSTED);
    timed.addAll(List.of("batch", "forward_rest", "other"));
    double sum = 0;
    for (String c : timed) {
      assertThat(m).as(c).containsKey("crane_" + c + "_seconds");
      double s = num(m, "crane_" + c + "_seconds");
      assertThat(s).as(c).isGreaterThanOrEqualTo(0);
      sum += s;
    }
    for (String c : COSTED) {
      assertThat(num(m, "crane_" + c + "_gflop")).as(c).isPositive();
      assertThat(num(m, "crane_" + c + "_floor_seconds")).as(c).isPositive();
      assertThat(m).as(c).containsKey("crane_" + c + "_gflops");
    }
    for (String c : DENSE) {
      assertThat(num(m, "gemm_gflops_" + c)).as(c).isPositive();
    }
    assertThat(m).doesNotContainKey("gemm_gflops_item_graph"); // broadcast products: memory-bound, no GEMM
    // backward counts the forward's differentiable work again (products of two trainable operands twice)
    double forward = 0;
    for (String c : COSTED.subList(0, 9)) {
      forward += num(m, "crane_" + c + "_gflop");
    }
    assertThat(num(m, "crane_backward_gflop")).isBetween(forward, 2 * forward);

    double step = num(m, "crane_step_seconds");
    assertThat(step).isPositive();
    // the laps cover the step from the draw of the batch to the freeing of its tensors
    assertThat(sum).isCloseTo(step, within(0.05 * step + 1e-3));
    assertThat(num(m, "crane_components_seconds_sum")).isCloseTo(sum, within(1e-4));
    double floor = num(m, "crane_step_floor_seconds");
    // not also floor <= step: the floor divides by rates measured at other moments than the step, and on a busy
    // machine (a test run beside other jobs) a slow bandwidth probe put it above a tiny dataset's step
    assertThat(floor).isPositive();
    assertThat(num(m, "crane_to_floor_ratio")).isCloseTo(step / floor, within(0.01 * step / floor + 0.001));
    // the same products with operands from memory can only be slower (a key's in-cache rate is at least that)
    assertThat(num(m, "crane_step_floor_cold_seconds")).isGreaterThanOrEqualTo(floor);
    assertThat(num(m, "crane_step_floor_forward_rates_seconds")).isPositive();
    // each product's forms as autograd issues them: the projection's features are constants, so only the
    // weights' gradient (Aᵀ dC) is issued for it; an RCA product of two trainable operands has both
    // (the projection's weights enter as a transposed view, F Aᵀ: _tb)
    assertThat(m).containsKeys("gemm_gflops_forward_40x4x8_tb", "gemm_gflops_right_gradient_40x4x8_tb",
        "gemm_gflops_right_gradient_40x4x8_tb_cold", "gemm_gflops_left_gradient_100x16x16",
        "gemm_gflops_left_gradient_8x100x8_ta");
    assertThat(m).doesNotContainKey("gemm_gflops_left_gradient_40x4x8_tb");
    // two blocks of two steps, each against the GEMM turn right after it
    assertThat(m.get("crane_breakdown_gemm_turns")).isEqualTo(2);
    assertThat(m.get("crane_to_floor_paired_blocks")).isEqualTo(2);
    assertThat(num(m, "crane_to_floor_paired_ratio_median")).isPositive()
        .isBetween(num(m, "crane_to_floor_paired_ratio_min"), num(m, "crane_to_floor_paired_ratio_max"));
  }

  @Test
  void splitsTheMeasuredStepsIntoBlocksAsEvenlyAsTheyGo() {
    assertThat(StepBreakdownBenchmark.blockEnds(30, 5)).containsExactly(6, 12, 18, 24, 30);
    assertThat(StepBreakdownBenchmark.blockEnds(9, 5)).containsExactly(2, 4, 5, 7, 9);
    assertThat(StepBreakdownBenchmark.blockEnds(3, 5)).containsExactly(1, 2, 3); // fewer steps than turns
    assertThat(StepBreakdownBenchmark.blockEnds(4, 1)).containsExactly(4);
  }

  @Test
  void theFloorTakesEachRatesBestAndAnInCacheRateIsAtLeastItsFromMemoryOne() {
    StepCost.Gemm g = new StepCost.Gemm(1000, 10, 100, 2, StepCost.Operands.LEFT_TRANSPOSED);
    assertThat(g.shape()).isEqualTo("1000x10x100_ta");
    StepBreakdownBenchmark.GemmRates t1 = rates(g, 100, 50, 10);
    StepBreakdownBenchmark.GemmRates t2 = rates(g, 80, 90, 20);
    StepBreakdownBenchmark.GemmRates best = StepBreakdownBenchmark.GemmRates.best(List.of(t1, t2));
    assertThat(best.stream).isEqualTo(20);
    double flops = g.flops();
    // forward: in cache best 100, from memory best 90; gradients: in cache 100 (t1), but from memory 90 beats 80
    assertThat(best.forwardSeconds(g, StepBreakdownBenchmark.Rule.OWN_SHAPES)).isCloseTo(flops / 100e9, within(1e-15));
    assertThat(best.forwardSeconds(g, StepBreakdownBenchmark.Rule.COLD)).isCloseTo(flops / 90e9, within(1e-15));
    assertThat(t2.forwardSeconds(g, StepBreakdownBenchmark.Rule.OWN_SHAPES)).as("max(in cache, from memory)")
        .isCloseTo(flops / 90e9, within(1e-15));
    assertThat(best.backwardSeconds(g, StepBreakdownBenchmark.Rule.OWN_SHAPES)).isCloseTo(2 * flops / 100e9,
        within(1e-15));
    assertThat(best.backwardSeconds(g, StepBreakdownBenchmark.Rule.FORWARD_RATES)).isCloseTo(2 * flops / 100e9,
        within(1e-15));
    // a turn's own rates over the best: its keys first, the best's where it has none
    StepBreakdownBenchmark.GemmRates partial = new StepBreakdownBenchmark.GemmRates();
    partial.rates.put(StepBreakdownBenchmark.GemmRates.key(g, StepCost.Form.FORWARD, false), 40.0);
    partial.stream = 5;
    StepBreakdownBenchmark.GemmRates then = partial.over(best);
    assertThat(then.stream).isEqualTo(5);
    assertThat(then.forwardSeconds(g, StepBreakdownBenchmark.Rule.OWN_SHAPES)).isCloseTo(flops / 90e9, within(1e-15));
    assertThat(then.rates.get(StepBreakdownBenchmark.GemmRates.key(g, StepCost.Form.FORWARD, false))).isEqualTo(40.0);
  }

  /** Every form of g in cache at {@code warm} and from memory at {@code cold} GFLOP/s. */
  private static StepBreakdownBenchmark.GemmRates rates(StepCost.Gemm g, double warm, double cold, double stream) {
    StepBreakdownBenchmark.GemmRates r = new StepBreakdownBenchmark.GemmRates();
    for (StepCost.Form f : StepBreakdownBenchmark.GemmRates.forms(g)) {
      r.rates.put(StepBreakdownBenchmark.GemmRates.key(g, f, false), warm);
      r.rates.put(StepBreakdownBenchmark.GemmRates.key(g, f, true), cold);
    }
    r.stream = stream;
    return r;
  }

  @Test
  void countsTheDenseProductsOfTheShapesTheCodeUses() {
    // 10 users, 20 items, modalities of 16 and 4 features, d 8, t 2, 1 layer, k 3, 50 edges
    StepCost.Sizes s = new StepCost.Sizes(10, 20, new long[] {16, 4}, 8, 2, 1, 3, 50, 80, true, true, 1000);
    Map<String, StepCost.Part> c = StepCost.of(s, new StepCost.BatchShape(32, 9, 12, 45));
    long n = 30;
    long md = 16;
    assertThat(c.get("feature_projection").gemmFlops()).isEqualTo(2.0 * 20 * 16 * 8 + 2.0 * 20 * 4 * 8);
    // only the projections get a gradient, the features are constants
    assertThat(c.get("feature_projection").backwardGemmFlops()).isEqualTo(c.get("feature_projection").gemmFlops());
    double perModality = 2.0 * n * md * 8 + 2.0 * 8 * n * 8 + 2.0 * 8 * 8 * 8;
    assertThat(c.get("rca_round0").gemmFlops()).isEqualTo(2.0 * n * md * md + 2 * (perModality + 2 * 2.0 * n * 8 * 8));
    // the last round updates the 20 item rows only
    assertThat(c.get("rca_round1").gemmFlops()).isEqualTo(2.0 * n * md * md + 2 * (perModality + 2 * 2.0 * 20 * 8 * 8));
    assertThat(c.get("rca_round1").backwardGemmFlops()).isEqualTo(2 * c.get("rca_round1").gemmFlops());
    assertThat(c.get("infonce").gemmFlops()).isEqualTo(2.0 * 9 * 8 * 9 + 2.0 * 12 * 8 * 12);
    // sparse products: 2 nnz w (Eq. 5 over every user's edges at width Md, Eq. 16 over the batch's users' edges)
    assertThat(c.get("gcn").otherFlops).isGreaterThanOrEqualTo(2.0 * 80 * 8);
    assertThat(c.get("user_profiles").otherFlops).isEqualTo(2.0 * 50 * md + 2.0 * 45 * 8);
    assertThat(c.get("item_graph").gemms).isEmpty();
    assertThat(c.get("adam").flops()).isEqualTo(13.0 * 1000);
    assertThat(c.get("adam").backwardFlops()).isZero();
  }

  @Test
  void aFileOfItsOwnGetsThePlainProvenanceKeys(@TempDir Path dir) throws Exception {
    Path json = dir.resolve("new.json");
    StepBreakdownBenchmark.merge(json, Map.of("command", "trainer bench-breakdown --steps 1", "crane_step_seconds", 1.0));
    StepBreakdownBenchmark.merge(json, Map.of("command", "trainer bench-breakdown --steps 2", "crane_step_seconds", 2.0));
    @SuppressWarnings("unchecked")
    Map<String, Object> m = new ObjectMapper().readValue(json.toFile(), Map.class);
    assertThat(m).containsEntry("command", "trainer bench-breakdown --steps 2")
        .containsEntry("breakdown_command", "trainer bench-breakdown --steps 2").containsEntry("crane_step_seconds", 2.0);
  }

  @Test
  void refusesAnAblationBeforeTraining(@TempDir Path dir) throws Exception {
    Path data = dir.resolve("tiny");
    MmrecWriter.write(PlantedData.generate(30, 20, 3, 4, new int[] {4, 4}, 3), data);
    Path json = dir.resolve("x.json");
    String[] args = {"--data", data.toString(), "--set", "noGcn=true", "--json", json.toString()};
    assertThat(new CommandLine(new StepBreakdownBenchmark()).execute(args)).isEqualTo(2);
    assertThat(json).doesNotExist();
  }

  private static double num(Map<String, Object> m, String key) {
    assertThat(m).containsKey(key);
    return ((Number) m.get(key)).doubleValue();
  }
}
