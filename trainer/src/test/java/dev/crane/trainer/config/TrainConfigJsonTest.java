package dev.crane.trainer.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.crane.trainer.train.Checkpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The configuration in checkpoint and metrics JSON keeps the keys and values the public fields gave. */
class TrainConfigJsonTest {
  static final ObjectMapper JSON = new ObjectMapper();

  /** checkpoint.json as the trainer wrote it while TrainConfig had public fields (a crane-ref run on baby). */
  static final String OLD_CHECKPOINT = """
      {
        "formatVersion" : 1,
        "model" : "crane-ref",
        "config" : {
          "model" : "crane-ref",
          "dataset" : "baby",
          "seed" : 999,
          "epochs" : 1000,
          "patience" : 20,
          "batchSize" : 2048,
          "learningRate" : 0.001,
          "embeddingDim" : 64,
          "uiLayers" : 2,
          "mmLayers" : 1,
          "regWeight" : 0.0,
          "dropRatio" : 0.8,
          "knnK" : 10,
          "mmImageWeight" : 0.1,
          "evalUserBatch" : 4096,
          "maxSeconds" : 0.0,
          "maxBatches" : 0,
          "trimEvery" : 50,
          "forceCpu" : false,
          "warmOptimizer" : true,
          "memoryBudgetBytes" : 0,
          "attentionRounds" : 3,
          "tau" : 0.6,
          "lambdaCl" : 0.8,
          "lambdaReg" : 0.001,
          "noItemGraph" : false,
          "noRecursion" : false,
          "noAttention" : false,
          "noGcn" : false,
          "noContrastive" : false,
          "attentionAxis" : "MODALITIES",
          "attentionHeads" : 4
        },
        "metrics" : { "valid" : { "recall@20" : 0.05 } },
        "userIds" : [ ],
        "itemIds" : [ ],
        "parameterNames" : [ ],
        "parameterShapes" : [ ],
        "provenance" : null,
        "optimizerSteps" : null
      }
      """;

  static List<String> keys(JsonNode n) {
    List<String> out = new ArrayList<>();
    n.fieldNames().forEachRemaining(out::add);
    return out;
  }

  @Test
  void everyModelsConfigurationWritesTheOldKeysInTheOldOrderWithTheOldValueForms() throws Exception {
    for (Model m : Model.values()) {
      JsonNode n = JSON.readTree(JSON.writeValueAsString(TrainConfig.forModel(m)));
      assertThat(keys(n)).as(m.cliName()).containsExactlyElementsOf(TrainSettingsTest.ALL_FIELDS);
      assertThat(n.get("model").isTextual()).isTrue();
      assertThat(n.get("model").asText()).isEqualTo(m.cliName());
      assertThat(n.get("attentionAxis").asText()).isEqualTo("ITEMS");
      assertThat(n.get("seed").isIntegralNumber()).isTrue();
      assertThat(n.get("learningRate").isFloatingPointNumber()).isTrue();
      assertThat(n.get("maxSeconds").isFloatingPointNumber()).isTrue(); // 0.0, as a float field wrote it
      assertThat(n.get("noGcn").isBoolean()).isTrue();
    }
  }

  @Test
  void aConfigurationReadsBackEqual() throws Exception {
    TrainConfig.Builder b = TrainConfig.builder();
    TrainSettingsTest.nonDefaults().keySet().forEach(b::set);
    TrainConfig c = b.build();
    String text = JSON.writeValueAsString(c);
    TrainConfig back = JSON.readValue(text, TrainConfig.class);
    assertThat(back).isEqualTo(c);
    assertThat(back.toMap()).containsExactlyEntriesOf(c.toMap());
    assertThat(JSON.writeValueAsString(back)).isEqualTo(text);
  }

  @Test
  void anOldCheckpointLoadsAndWritesItsConfigurationUnchanged(@TempDir Path dir) throws Exception {
    Path old = Files.createDirectories(dir.resolve("old"));
    Files.writeString(old.resolve("checkpoint.json"), OLD_CHECKPOINT);
    Files.write(old.resolve("parameters.bin"), new byte[0]);
    Checkpoint ckpt = Checkpoint.load(old);
    TrainConfig c = ckpt.meta().config;
    assertThat(c).isEqualTo(TrainConfig.builder(Model.CRANE_REF).dataset("baby")
        .attentionAxis(AttentionAxis.MODALITIES).build());
    assertThat(c.model()).isEqualTo(Model.CRANE_REF);
    assertThat(c.learningRate()).isEqualTo(1e-3f);

    ckpt.save(dir.resolve("again"));
    JsonNode before = JSON.readTree(OLD_CHECKPOINT).get("config");
    JsonNode after = JSON.readTree(dir.resolve("again/checkpoint.json").toFile()).get("config");
    // the old keys in their order and values, then the settings added since at their defaults
    List<String> expected = new java.util.ArrayList<>(keys(before));
    expected.add("trimMinFreeMb");
    assertThat(keys(after)).containsExactlyElementsOf(expected);
    assertThat(after.get("trimMinFreeMb").asInt()).isEqualTo(1024);
    ((com.fasterxml.jackson.databind.node.ObjectNode) after).remove("trimMinFreeMb");
    assertThat(after).isEqualTo(before);
  }

  @Test
  void aConfigurationWrittenBeforeASettingExistedTakesItsDefault() throws Exception {
    // as a checkpoint from before warmOptimizer, trimEvery, memoryBudgetBytes and attentionHeads
    TrainConfig c = JSON.readValue("""
        {"model":"lightgcn","dataset":"tiktok","seed":999,"epochs":1000,"patience":20,"batchSize":2048,
         "learningRate":0.001,"embeddingDim":64,"uiLayers":2,"mmLayers":1,"regWeight":1.0E-4,"dropRatio":0.0,
         "knnK":10,"mmImageWeight":0.1,"evalUserBatch":4096,"maxSeconds":0.0,"maxBatches":0,"forceCpu":false,
         "attentionRounds":3,"tau":0.6,"lambdaCl":0.8,"lambdaReg":0.001,"noItemGraph":false,"noRecursion":false,
         "noAttention":false,"noGcn":false,"noContrastive":false,"attentionAxis":"ITEMS"}
        """, TrainConfig.class);
    assertThat(c).isEqualTo(TrainConfig.builder(Model.LIGHTGCN).dataset("tiktok").build());
    assertThat(c.warmOptimizer()).isTrue();
    assertThat(c.trimEvery()).isEqualTo(50);
    assertThat(c.attentionHeads()).isEqualTo(4);
  }

  @Test
  void anUnknownKeyOrABadValueInTheJsonIsNamed() {
    assertThatThrownBy(() -> JSON.readValue("{\"model\":\"bpr\",\"temperature\":1}", TrainConfig.class))
        .hasMessageContaining("unknown setting 'temperature'");
    assertThatThrownBy(() -> JSON.readValue("{\"model\":\"svd\"}", TrainConfig.class))
        .hasMessageContaining("setting model: 'svd' is not one of crane, crane-ref, freedom, lightgcn, bpr");
    assertThatThrownBy(() -> JSON.readValue("{\"batchSize\":0}", TrainConfig.class))
        .hasMessageContaining("setting batchSize: 0 is out of range (expected an int >= 1)");
    assertThatThrownBy(() -> JSON.readValue("{\"dataset\":null}", TrainConfig.class))
        .hasMessageContaining("setting dataset: null in the JSON");
  }
}
