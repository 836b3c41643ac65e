package dev.crane.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.crane.trainer.train.TrainConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class TrainCommandTest {
  @Test
  void setAssignsTypedFieldsAndRejectsUnknownOrUnparsable() {
    TrainConfig c = TrainConfig.forModel("crane");
    TrainCommand.set(c, "tau=0.5");
    TrainCommand.set(c, "noGcn=true");
    TrainCommand.set(c, "attentionAxis=MODALITIES");
    assertThat(c.tau).isEqualTo(0.5f);
    assertThat(c.noGcn).isTrue();
    assertThat(c.attentionAxis).isEqualTo("MODALITIES");
    assertThatThrownBy(() -> TrainCommand.set(c, "temperature=1")).hasMessageContaining("unknown setting");
    assertThatThrownBy(() -> TrainCommand.set(c, "tau=abc")).hasMessageContaining("cannot parse");
    assertThatThrownBy(() -> TrainCommand.set(c, "noGcn=yes")).hasMessageContaining("cannot parse");
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
}
