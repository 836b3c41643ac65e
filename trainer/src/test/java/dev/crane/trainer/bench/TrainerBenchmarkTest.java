package dev.crane.trainer.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.crane.ingest.dataset.MmrecWriter;
import dev.crane.trainer.data.PlantedData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** End to end: child training JVMs on a tiny synthetic dataset, JSON written and merged. */
class TrainerBenchmarkTest {
  @Test
  void theHelpNamesEveryConfigTheRunnerKnows() {
    String help = new CommandLine(new TrainerBenchmark()).getUsageMessage().replaceAll("\\s+", " ");
    assertThat(BenchConfigs.names()).allSatisfy(n -> assertThat(help).contains(n));
  }

  @Test
  void runsConfigsTimesSeedsInChildJvmsAndMergesIntoTheJson(@TempDir Path dir) throws Exception {
    Path data = dir.resolve("tiny");
    MmrecWriter.write(PlantedData.generate(60, 40, 4, 6, new int[] {8, 4}, 2), data);
    Path json = dir.resolve("trainer-tiny.json");
    Files.writeString(json, "{\"from_before\": 1}");
    String[] args = {"--data", data.toString(), "--configs", "bpr,crane_ref_modalities", "--seeds", "1,2",
        "--max-epochs", "2", "--json", json.toString(), "--runs-dir", dir.resolve("runs").toString(),
        "--child-heap", "512m", "--set", "embeddingDim=8"};
    int rc = new CommandLine(new TrainerBenchmark()).execute(args);
    assertThat(rc).isZero();
    Map<?, ?> m = new ObjectMapper().readValue(json.toFile(), Map.class);
    assertThat(m.get("from_before")).isEqualTo(1);
    assertThat(m.get("bpr_seeds")).isEqualTo("1,2");
    assertThat(m.get("crane_ref_modalities_runs")).isEqualTo(2);
    assertThat(((Number) m.get("bpr_epochs_run_mean")).doubleValue()).isEqualTo(2.0); // the cap
    assertThat(((Number) m.get("bpr_recall20_mean")).doubleValue()).isBetween(0.0, 1.0);
    assertThat(((Number) m.get("crane_ref_modalities_peak_rss_mb")).doubleValue()).isGreaterThan(50.0);
    assertThat(m.get("crane_ref_modalities_seed2_command").toString()).contains("--attention-axis modalities")
        .contains("--seed 2");
    assertThat(m.get("command").toString()).contains("--configs");
    assertThat(((Number) m.get("bpr_seed1_full_epoch_seconds")).doubleValue()).isPositive();

    // --resume skips what is there; a refused run is recorded as an error without stopping the job
    String[] more = {"--data", data.toString(), "--configs", "bpr,crane_ref_items", "--seeds", "1", "--resume",
        "--max-epochs", "1", "--json", json.toString(), "--runs-dir", dir.resolve("runs").toString(),
        "--child-heap", "512m", "--set", "memoryBudgetBytes=1000"};
    assertThat(new CommandLine(new TrainerBenchmark()).execute(more)).isEqualTo(1);
    Map<?, ?> merged = new ObjectMapper().readValue(json.toFile(), Map.class);
    assertThat(merged.get("bpr_seed1_recall20")).isEqualTo(m.get("bpr_seed1_recall20"));
    assertThat(merged.get("bpr_seeds")).isEqualTo("1,2");
    assertThat(merged.get("crane_ref_items_seed1_error").toString()).startsWith("exit 2").contains("needs an estimated");

    // --import assembles finished runs of parallel runners into one JSON without training them again
    Path assembled = dir.resolve("trainer-assembled.json");
    String[] imp = {"--data", data.toString(), "--configs", "bpr", "--seeds", "1,2", "--json", assembled.toString(),
        "--runs-dir", dir.resolve("runs-new").toString(), "--import", dir.resolve("runs").toString()};
    assertThat(new CommandLine(new TrainerBenchmark()).execute(imp)).isZero();
    Map<?, ?> a = new ObjectMapper().readValue(assembled.toFile(), Map.class);
    assertThat(a.get("bpr_seed2_recall20")).isEqualTo(m.get("bpr_seed2_recall20"));
    assertThat(a.get("bpr_recall20_mean")).isEqualTo(m.get("bpr_recall20_mean"));
    assertThat(a.get("bpr_seed1_imported_from").toString()).endsWith("bpr-seed1" + java.io.File.separator + "metrics.json");
    assertThat(dir.resolve("runs-new")).doesNotExist();
  }

  @Test
  void machineNamesTheCpuModelAndItsWidestSimdFromCpuinfo(@TempDir Path dir) throws Exception {
    Path info = dir.resolve("cpuinfo");
    Files.writeString(info, "processor\t: 0\nmodel name\t: AMD EPYC 9R14\nflags\t\t: fpu avx2 avx512f avx512bw\n");
    assertThat(TrainerBenchmark.cpu(info)).isEqualTo(" (AMD EPYC 9R14, AVX-512)");
    Files.writeString(info, "model name\t: Intel Xeon\nflags\t\t: fpu sse4_2 avx2 avx512fx\n");
    assertThat(TrainerBenchmark.cpu(info)).isEqualTo(" (Intel Xeon, AVX2)"); // a flag that merely starts with avx512f does not count
    Files.writeString(info, "processor\t: 0\n");
    assertThat(TrainerBenchmark.cpu(info)).isEmpty();
    assertThat(TrainerBenchmark.cpu(dir.resolve("absent"))).isEmpty();
  }
}
