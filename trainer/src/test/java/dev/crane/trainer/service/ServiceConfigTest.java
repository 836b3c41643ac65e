package dev.crane.trainer.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.crane.trainer.config.Model;
import dev.crane.trainer.config.TrainConfig;
import dev.crane.trainer.config.TrainSettingsTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
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

  @Test
  void everyTrainingSettingIsATrainKeyUnderItsOldNameInAnyCase() {
    TrainSettingsTest.nonDefaults().forEach((assignment, expected) -> {
      String name = assignment.substring(0, assignment.indexOf('='));
      String value = assignment.substring(assignment.indexOf('=') + 1);
      assertThat(ServiceConfig.of(Map.of("train." + name, value)).trainConfig(false).toMap().get(name))
          .as(name).isEqualTo(expected);
      // an environment variable (CRANE_TRAINER_TRAIN_<NAME>) cannot carry the camel case
      assertThat(ServiceConfig.of(Map.of("train." + name.toLowerCase(Locale.ROOT), value)).trainConfig(true).toMap()
          .get(name)).as(name).isEqualTo(expected);
    });
  }

  @Test
  void aBadTrainValueFailsAtLoadNamingTheKeyTheValueAndTheRange() {
    assertThatThrownBy(() -> ServiceConfig.of(Map.of("train.dropRatio", "1")))
        .hasMessage("trainer service config, a train.<field> key: setting dropRatio: 1 is out of range (expected a"
            + " finite float in [0, 1)) (the names are those of trainer train --set)");
    assertThatThrownBy(() -> ServiceConfig.of(Map.of("train.tau", "0"))).hasMessageContaining("setting tau: 0");
    assertThatThrownBy(() -> ServiceConfig.of(Map.of("train.batchSize", "0")))
        .hasMessageContaining("setting batchSize: 0 is out of range (expected an int >= 1)");
    assertThatThrownBy(() -> ServiceConfig.of(Map.of("train.learningRat", "0.1")))
        .hasMessageContaining("unknown setting 'learningRat'; did you mean learningRate?");
    assertThatThrownBy(() -> ServiceConfig.of(Map.of("model", "svd")))
        .hasMessageContaining("crane, crane-ref, freedom, lightgcn, bpr");
  }
}
