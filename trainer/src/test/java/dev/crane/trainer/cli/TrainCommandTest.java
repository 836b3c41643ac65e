package dev.crane.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.crane.ingest.dataset.MmrecReader;
import dev.crane.ingest.dataset.MmrecWriter;
import dev.crane.trainer.config.AttentionAxis;
import dev.crane.trainer.config.Model;
import dev.crane.trainer.config.TrainConfig;
import dev.crane.trainer.data.PlantedData;
import dev.crane.trainer.run.TrainingRun;
import dev.crane.trainer.train.TrainingListener;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class TrainCommandTest {
  @Test
  void everyOptionIsDescribedInTheHelp() {
    CommandLine cli = new CommandLine(new TrainCommand());
    assertThat(cli.getCommandSpec().options()).allSatisfy(o ->
        assertThat(String.join(" ", o.description())).as(o.longestName()).isNotBlank());
    assertThat(cli.getUsageMessage()).contains("Table 3").contains("metrics.json records the values used");
  }

  @Test
  void everyOptionSetsItsSettingAndSetComesLast() {
    TrainCommand cmd = new TrainCommand();
    new CommandLine(cmd).parseArgs("--data", "d", "--model", "crane-ref", "--seed", "7", "--epochs", "3",
        "--patience", "0", "--batch-size", "512", "--lr", "0.005", "--dim", "32", "--layers", "3", "--reg-weight",
        "0.01", "--drop-ratio", "0", "--knn-k", "5", "--attention-axis", "modalities", "--cpu",
        "--set", "tau=0.5", "--set", "epochs=4");
    TrainConfig.Builder b = TrainConfig.builder(Model.CRANE_REF);
    cmd.applyOverrides(b);
    TrainConfig c = b.build();
    assertThat(c.seed()).isEqualTo(7L);
    assertThat(c.epochs()).isEqualTo(4); // --set wins over --epochs
    assertThat(List.of(c.patience(), c.batchSize(), c.embeddingDim(), c.uiLayers(), c.knnK()))
        .containsExactly(0, 512, 32, 3, 5);
    assertThat(List.of(c.learningRate(), c.regWeight(), c.dropRatio(), c.tau())).containsExactly(0.005f, 0.01f, 0f, 0.5f);
    assertThat(c.attentionAxis()).isEqualTo(AttentionAxis.MODALITIES);
    assertThat(c.forceCpu()).isTrue();
  }

  @Test
  void endToEndOnAnInterFileAndCleanErrorsForBadInput(@TempDir Path dir) throws Exception {
    Path data = Files.createDirectories(dir.resolve("toy"));
    StringBuilder sb = new StringBuilder("userID\titemID\tx_label\n");
    for (int u = 0; u < 40; u++) {
      for (int k = 0; k < 6; k++) {
        sb.append(u).append('\t').append((u * 7 + k * 3) % 30).append('\t').append(k < 4 ? 0 : k - 3).append('\n');
      }
    }
    Files.writeString(data.resolve("toy.inter"), sb);
    Path out = dir.resolve("run");
    int rc = new CommandLine(new TrainerCli()).execute("train", "--data", data.toString(), "--model", "bpr",
        "--epochs", "2", "--batch-size", "64", "--no-progress", "--out", out.toString());
    assertThat(rc).isZero();
    assertThat(out.resolve("metrics.json")).exists();
    assertThat(out.resolve("curves.png")).exists();
    assertThat(out.resolve("checkpoint/parameters.bin")).exists();

    assertThat(new CommandLine(new TrainerCli()).execute("train", "--data", data.toString(), "--model", "nope"))
        .isEqualTo(2);
    assertThat(new CommandLine(new TrainerCli()).execute("train", "--data", dir.resolve("missing").toString(),
        "--model", "bpr")).isEqualTo(2);
    assertThat(new CommandLine(new TrainerCli()).execute("train", "--data", data.toString(), "--model", "freedom",
        "--out", dir.resolve("f").toString())).isEqualTo(2); // no feature files
  }

  /** Runs the CLI, returning the exit code and what it wrote to stderr. */
  static Object[] run(String... args) {
    StringWriter err = new StringWriter();
    CommandLine cl = new CommandLine(new TrainerCli());
    cl.setErr(new PrintWriter(err, true));
    int rc = cl.execute(args);
    return new Object[] {rc, err.toString()};
  }

  /** Trains on a small planted dataset with the given options; returns metrics.json after a clean exit. */
  private static com.fasterxml.jackson.databind.JsonNode trainPlanted(Path dir, String... options) throws Exception {
    Path data = dir.resolve("planted");
    MmrecWriter.write(PlantedData.generate(60, 40, 4, 6, new int[] {8, 4}, 2), data);
    Path out = dir.resolve("run");
    java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("train", "--data", data.toString(),
        "--dim", "8", "--no-progress", "--out", out.toString()));
    args.addAll(java.util.List.of(options));
    Object[] r = run(args.toArray(String[]::new));
    assertThat(r[0]).as(r[1].toString()).isEqualTo(0);
    return new com.fasterxml.jackson.databind.ObjectMapper().readTree(out.resolve("metrics.json").toFile());
  }

  @Test
  void featureFilesLoadThroughTheSharedReaderSoFreedomRunsFromTheCli(@TempDir Path dir) throws Exception {
    var metrics = trainPlanted(dir, "--model", "freedom", "--epochs", "1", "--batch-size", "128", "--knn-k", "3");
    // the trainable feature tables (40 x 8 and 40 x 4) are counted only when the npy files were read
    assertThat(metrics.get("trainable_parameters").asLong()).isGreaterThanOrEqualTo((60 + 40) * 8 + 40 * 12);
  }

  @Test
  void maxBatchesCapsEachEpochAndTheMetricsKeepTheFullEpochSize(@TempDir Path dir) throws Exception {
    var metrics = trainPlanted(dir, "--model", "bpr", "--epochs", "2", "--batch-size", "32", "--set", "maxBatches=2");
    assertThat(metrics.get("batches_per_full_epoch").asInt()).isGreaterThan(2);
    for (var h : metrics.get("history")) {
      assertThat(h.get("batches").asInt()).isEqualTo(2);
      assertThat(h.get("step_seconds").asDouble()).isPositive().isLessThan(h.get("seconds").asDouble());
    }
    assertThat(run("train", "--data", dir.resolve("planted").toString(), "--model", "bpr", "--set", "maxBatches=-1",
        "--no-progress", "--out", dir.resolve("bad").toString())[1].toString())
        .contains("setting maxBatches: -1 is out of range (expected an int >= 0)");
    // an option is named as typed, with the setting it sets
    assertThat(run("train", "--data", dir.resolve("planted").toString(), "--model", "bpr", "--batch-size", "0",
        "--no-progress", "--out", dir.resolve("bad").toString())[1].toString())
        .contains("--batch-size: setting batchSize: 0 is out of range (expected an int >= 1)");
    assertThat(run("train", "--data", dir.resolve("planted").toString(), "--model", "svd", "--no-progress")[1]
        .toString()).contains("unknown model 'svd'; expected one of crane, crane-ref, freedom, lightgcn, bpr");
    assertThat(dir.resolve("bad")).doesNotExist();
  }

  @Test
  void aStaleStopFileIsIgnoredAndOneCreatedMidRunEndsItAfterThatEpochWithItsOutputs(@TempDir Path dir)
      throws Exception {
    // a STOP left in the output directory by an earlier run does not end the next one
    Files.createDirectories(dir.resolve("run"));
    Files.writeString(dir.resolve("run").resolve(TrainingRun.STOP_FILE), "");
    var metrics = trainPlanted(dir, "--model", "bpr", "--epochs", "3", "--batch-size", "64");
    assertThat(metrics.get("history").size()).isEqualTo(3);
    assertThat(metrics.get("stop_reason").asText()).isEqualTo("max-epochs");

    // created while epoch 1 runs: training ends after it, and the outputs of a finished run are written
    Path out = dir.resolve("stopped");
    TrainConfig c = TrainConfig.builder("bpr").epochs(50).batchSize(64).embeddingDim(8).build();
    TrainingListener createStop = new TrainingListener() {
      @Override
      public void epochStarted(int epoch, int batches) {
        if (epoch == 1) {
          try {
            Files.writeString(out.resolve(TrainingRun.STOP_FILE), "");
          } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        }
      }
    };
    TrainingRun.Report r = TrainingRun.run(MmrecReader.read(dir.resolve("planted")), c, out, "test", createStop);
    assertThat(r.result().history()).hasSize(2);
    assertThat(r.result().stopReason()).isEqualTo("stop-requested");
    assertThat(r.result().bestTest()).containsKey("recall@20");
    assertThat(r.metricsJson()).exists();
    assertThat(r.checkpointDir()).exists();
  }

  @Test
  void badDataLineExitsTwoWithFileAndLineBeforeTraining(@TempDir Path dir) throws Exception {
    Path data = Files.createDirectories(dir.resolve("bad"));
    Files.writeString(data.resolve("bad.inter"), "userID\titemID\tx_label\n0\t1\t0\n1\t2\t7\n");
    Path out = dir.resolve("run");
    Object[] r = run("train", "--data", data.toString(), "--model", "bpr", "--no-progress", "--out", out.toString());
    assertThat(r[0]).isEqualTo(2);
    assertThat(r[1].toString()).startsWith("error: ").contains("bad.inter:3");
    assertThat(out).doesNotExist();
  }

  @Test
  void craneRefRunsOnBothAxesAndTheGuardRefusesTheItemsAxisWithItsEstimate(@TempDir Path dir) throws Exception {
    Path data = dir.resolve("planted");
    MmrecWriter.write(PlantedData.generate(60, 40, 4, 6, new int[] {8, 4}, 2), data);
    for (String axis : new String[] {"items", "modalities"}) {
      Object[] r = run("train", "--data", data.toString(), "--model", "crane-ref", "--attention-axis", axis,
          "--epochs", "1", "--dim", "8", "--batch-size", "128", "--knn-k", "3", "--no-progress",
          "--out", dir.resolve(axis).toString());
      assertThat(r[0]).as(r[1].toString()).isEqualTo(0);
    }
    // 40 items: the items-axis attention needs 4 B x 4 copies x 8 x 40^2 = 204,800 bytes
    Object[] refused = run("train", "--data", data.toString(), "--model", "crane-ref", "--attention-axis", "items",
        "--set", "memoryBudgetBytes=200000", "--no-progress", "--out", dir.resolve("refused").toString());
    assertThat(refused[0]).isEqualTo(2);
    assertThat(refused[1].toString()).contains("needs an estimated").contains("items-axis attention takes 205 kB")
        .contains("--attention-axis modalities");
    assertThat(run("train", "--data", data.toString(), "--model", "crane-ref", "--attention-axis", "diagonal")[0])
        .isEqualTo(2);
  }
}
