package dev.crane.trainer.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.crane.trainer.config.Model;
import dev.crane.trainer.config.TrainConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServiceConfigTest {
  @TempDir Path dir;

  @Test
  void layersFileThenEnvironmentThenFlagsAndPassesTrainSettingsThrough() throws Exception {
    Path file = dir.resolve("trainer.properties");
    Files.writeString(file, "model=lightgcn\ngate.tolerance=0.02\nfinetune.epochs=7\ntrain.batchSize=512\n");
    ServiceConfig c = ServiceConfig.load(file,
        Map.of("CRANE_TRAINER_GATE_TOLERANCE", "0.03", "CRANE_TRAINER_TRAIN_LEARNINGRATE", "0.002", "HOME", "/x"),
        List.of("finetune.epochs=2"));
    assertThat(c.model()).isEqualTo(Model.LIGHTGCN);
    assertThat(c.gateTolerance()).isEqualTo(0.03); // the environment wins over the file
    TrainConfig fine = c.trainConfig(false);
    assertThat(fine.epochs()).isEqualTo(2); // the flag wins over the file
    assertThat(fine.batchSize()).isEqualTo(512);
    assertThat(fine.learningRate()).isEqualTo(0.002f); // an environment variable reaches a train.* field too
    TrainConfig full = c.trainConfig(true);
    assertThat(full.epochs()).isEqualTo(TrainConfig.forModel("lightgcn").epochs());
    assertThat(c.gateEnabled()).isTrue();
  }

  @Test
  void crane_takesItsTable3ColumnAndABadKeyOrValueIsNamed() {
    ServiceConfig crane = ServiceConfig.of(Map.of("hyperparameters", "tiktok"));
    assertThat(crane.trainConfig(true).learningRate()).isEqualTo(1e-3f); // the tiktok column
    assertThat(ServiceConfig.of(Map.of()).trainConfig(true).learningRate()).isEqualTo(1e-4f); // baby's
    assertThatThrownBy(() -> ServiceConfig.of(Map.of("gate.tolrance", "1"))).hasMessageContaining("unknown key 'gate.tolrance'");
    assertThatThrownBy(() -> ServiceConfig.of(Map.of("model", "svd"))).hasMessageContaining("model")
        .hasMessageContaining("svd");
    assertThatThrownBy(() -> ServiceConfig.of(Map.of("finetune.epochs", "0"))).hasMessageContaining("finetune.epochs");
    assertThatThrownBy(() -> ServiceConfig.of(Map.of("train.nope", "1"))).hasMessageContaining("unknown setting 'nope'");
  }
}
