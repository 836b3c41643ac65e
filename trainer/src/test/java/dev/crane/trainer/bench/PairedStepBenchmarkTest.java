package dev.crane.trainer.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.crane.ingest.dataset.MmrecWriter;
import dev.crane.trainer.data.PlantedData;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Both modes train interleaved on a tiny dataset; the JSON holds their step figures and derived ratios. */
class PairedStepBenchmarkTest {
  @Test
  void interleavesBothModesAndWritesTheirRatio(@TempDir Path dir) throws Exception {
    Path data = dir.resolve("tiny");
    MmrecWriter.write(PlantedData.generate(60, 40, 4, 6, new int[] {8, 4}, 2), data);
    Path json = dir.resolve("paired.json");
    String[] args = {"--data", data.toString(), "--rounds", "3", "--warmup", "1", "--json", json.toString(),
        "--set", "embeddingDim=8", "--set", "batchSize=64"};
    assertThat(new CommandLine(new PairedStepBenchmark()).execute(args)).isZero();
    Map<?, ?> m = new ObjectMapper().readValue(json.toFile(), Map.class);
    assertThat(m.get("paper_steps_measured")).isEqualTo(3); // 64-row batches on both sides: one paper step per round
    assertThat(m.get("ref_items_steps_measured")).isEqualTo(3);
    double paper = ((Number) m.get("paper_seconds_per_step_median")).doubleValue();
    double ref = ((Number) m.get("ref_items_seconds_per_step_median")).doubleValue();
    assertThat(paper).isPositive();
    assertThat(((Number) m.get("paper_vs_ref_items_step_speedup")).doubleValue()).isCloseTo(ref / paper,
        org.assertj.core.data.Offset.offset(0.01 + 0.01 * ref / paper));
    assertThat(m.get("command").toString()).contains("--rounds 3");
  }

  @Test
  void aBadAxisIsRefusedBeforeTraining(@TempDir Path dir) throws Exception {
    Path data = dir.resolve("tiny");
    MmrecWriter.write(PlantedData.generate(30, 20, 3, 4, new int[] {4, 4}, 3), data);
    String[] args = {"--data", data.toString(), "--axis", "diagonal", "--json", dir.resolve("x.json").toString()};
    assertThat(new CommandLine(new PairedStepBenchmark()).execute(args)).isNotZero();
    assertThat(dir.resolve("x.json")).doesNotExist();
  }
}
