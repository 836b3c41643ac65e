package dev.crane.trainer.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

public class TrainSettingsTest {
  /** The public fields TrainConfig had before the table, in their order: the names scripts and checkpoints use. */
  public static final List<String> OLD_FIELDS = List.of("model", "dataset", "seed", "epochs", "patience", "batchSize",
      "learningRate", "embeddingDim", "uiLayers", "mmLayers", "regWeight", "dropRatio", "knnK", "mmImageWeight",
      "evalUserBatch", "maxSeconds", "maxBatches", "trimEvery", "forceCpu", "warmOptimizer", "memoryBudgetBytes",
      "attentionRounds", "tau", "lambdaCl", "lambdaReg", "noItemGraph", "noRecursion", "noAttention", "noGcn",
      "noContrastive", "attentionAxis", "attentionHeads");

  /** Every setting: the old fields in their order, then the ones added since, in theirs. */
  public static final List<String> ALL_FIELDS = java.util.stream.Stream.concat(OLD_FIELDS.stream(),
      java.util.stream.Stream.of("trimMinFreeMb")).toList();

  /** For every setting, a valid text that is not its default and the value it must give. */
  public static Map<String, Object> nonDefaults() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("model=lightgcn", Model.LIGHTGCN);
    m.put("dataset=baby", "baby");
    m.put("seed=7", 7L);
    m.put("epochs=3", 3);
    m.put("patience=0", 0);
    m.put("batchSize=512", 512);
    m.put("learningRate=0.005", 0.005f);
    m.put("embeddingDim=32", 32);
    m.put("uiLayers=3", 3);
    m.put("mmLayers=0", 0);
    m.put("regWeight=0.01", 0.01f);
    m.put("dropRatio=0", 0f);
    m.put("knnK=5", 5);
    m.put("mmImageWeight=1", 1f);
    m.put("evalUserBatch=100", 100);
    m.put("maxSeconds=60.5", 60.5f);
    m.put("maxBatches=2", 2);
    m.put("trimEvery=0", 0);
    m.put("forceCpu=true", true);
    m.put("warmOptimizer=false", false);
    m.put("memoryBudgetBytes=17179869184", 17_179_869_184L); // beyond an int
    m.put("attentionRounds=2", 2);
    m.put("tau=0.5", 0.5f);
    m.put("lambdaCl=0", 0f);
    m.put("lambdaReg=0.0005", 0.0005f);
    m.put("noItemGraph=true", true);
    m.put("noRecursion=true", true);
    m.put("noAttention=true", true);
    m.put("noGcn=true", true);
    m.put("noContrastive=true", true);
    m.put("attentionAxis=modalities", AttentionAxis.MODALITIES);
    m.put("attentionHeads=8", 8);
    m.put("trimMinFreeMb=0", 0);
    return m;
  }

  @Test
  void theTableHasEveryOldFieldNameInTheOldOrder() {
    assertThat(TrainSettings.names()).containsExactlyElementsOf(ALL_FIELDS);
  }

  @Test
  void eachSettingParsesUnderItsOldNameAndReachesItsAccessor() {
    Map<String, Object> cases = nonDefaults();
    assertThat(cases.keySet().stream().map(a -> a.substring(0, a.indexOf('='))).toList())
        .as("every setting has a case").containsExactlyElementsOf(ALL_FIELDS);
    TrainConfig defaults = TrainConfig.builder().build();
    cases.forEach((assignment, expected) -> {
      String name = assignment.substring(0, assignment.indexOf('='));
      TrainConfig c = TrainConfig.builder().set(assignment).build();
      assertThat(c.toMap().get(name)).as(assignment).isEqualTo(expected);
      assertThat(defaults.toMap().get(name)).as(name + " default").isNotEqualTo(expected);
      // only that setting changed
      Map<String, Object> others = new LinkedHashMap<>(c.toMap());
      others.remove(name);
      Map<String, Object> before = new LinkedHashMap<>(defaults.toMap());
      before.remove(name);
      assertThat(others).as(assignment).isEqualTo(before);
    });
    TrainConfig.Builder b = TrainConfig.builder();
    cases.keySet().forEach(b::set);
    assertThat(b.build().toMap().values()).containsExactlyElementsOf(cases.values());
  }

  @Test
  void typedAccessorsReadWhatTheBuilderSet() {
    TrainConfig c = TrainConfig.builder(Model.CRANE_REF).epochs(7).learningRate(0.02f).attentionAxis(AttentionAxis.MODALITIES)
        .memoryBudgetBytes(1L << 33).noGcn(true).build();
    assertThat(c.model()).isEqualTo(Model.CRANE_REF);
    assertThat(c.epochs()).isEqualTo(7);
    assertThat(c.learningRate()).isEqualTo(0.02f);
    assertThat(c.attentionAxis()).isEqualTo(AttentionAxis.MODALITIES);
    assertThat(c.memoryBudgetBytes()).isEqualTo(1L << 33);
    assertThat(c.noGcn()).isTrue();
    assertThat(c.toBuilder().build()).isEqualTo(c).hasSameHashCodeAs(c);
    assertThat(c.toBuilder().epochs(8).build()).isNotEqualTo(c);
  }

  @Test
  void valuesAreTrimmedAndBooleansAndEnumsIgnoreCase() {
    TrainConfig c = TrainConfig.builder().set("tau= 0.25 ").set("noGcn=TRUE").set("attentionAxis=Items")
        .set("model=CRANE-REF").build();
    assertThat(c.tau()).isEqualTo(0.25f);
    assertThat(c.noGcn()).isTrue();
    assertThat(c.attentionAxis()).isEqualTo(AttentionAxis.ITEMS);
    assertThat(c.model()).isEqualTo(Model.CRANE_REF);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      // values that passed silently before, or failed only when a run started
      "epochs=0             | setting epochs: 0 is out of range (expected an int >= 1)",
      "epochs=-5            | setting epochs: -5 is out of range (expected an int >= 1)",
      "patience=-1          | setting patience: -1 is out of range (expected an int >= 0)",
      "batchSize=0          | setting batchSize: 0 is out of range (expected an int >= 1)",
      "learningRate=0       | setting learningRate: 0 is out of range (expected a finite float > 0)",
      "learningRate=-0.1    | setting learningRate: -0.1 is out of range (expected a finite float > 0)",
      "embeddingDim=0       | setting embeddingDim: 0 is out of range (expected an int >= 1)",
      "uiLayers=-1          | setting uiLayers: -1 is out of range (expected an int >= 0)",
      "mmLayers=-1          | setting mmLayers: -1 is out of range (expected an int >= 0)",
      "regWeight=-0.1       | setting regWeight: -0.1 is out of range (expected a finite float >= 0)",
      "dropRatio=1          | setting dropRatio: 1 is out of range (expected a finite float in [0, 1))",
      "dropRatio=-0.1       | setting dropRatio: -0.1 is out of range (expected a finite float in [0, 1))",
      "knnK=0               | setting knnK: 0 is out of range (expected an int >= 1)",
      "mmImageWeight=1.5    | setting mmImageWeight: 1.5 is out of range (expected a finite float in [0, 1])",
      "evalUserBatch=0      | setting evalUserBatch: 0 is out of range (expected an int >= 1)",
      "maxSeconds=-1        | setting maxSeconds: -1 is out of range (expected a finite float >= 0)",
      "maxBatches=-1        | setting maxBatches: -1 is out of range (expected an int >= 0)",
      "trimEvery=-1         | setting trimEvery: -1 is out of range (expected an int >= 0)",
      "memoryBudgetBytes=-1 | setting memoryBudgetBytes: -1 is out of range (expected a long >= 0)",
      "attentionRounds=0    | setting attentionRounds: 0 is out of range (expected an int >= 1)",
      "tau=0                | setting tau: 0 is out of range (expected a finite float > 0)",
      "tau=-0.5             | setting tau: -0.5 is out of range (expected a finite float > 0)",
      "lambdaCl=-0.1        | setting lambdaCl: -0.1 is out of range (expected a finite float >= 0)",
      "lambdaReg=-1         | setting lambdaReg: -1 is out of range (expected a finite float >= 0)",
      "attentionHeads=0     | setting attentionHeads: 0 is out of range (expected an int >= 1)",
      // values of the wrong type
      "epochs=abc           | setting epochs: 'abc' is not an int >= 1",
      "epochs=1.5           | setting epochs: '1.5' is not an int >= 1",
      "epochs=99999999999   | setting epochs: '99999999999' is not an int >= 1",
      "seed=1e3             | setting seed: '1e3' is not a long",
      "tau=abc              | setting tau: 'abc' is not a finite float > 0",
      "learningRate=NaN     | setting learningRate: 'NaN' is not a finite float > 0",
      "maxSeconds=Infinity  | setting maxSeconds: 'Infinity' is not a finite float >= 0",
      "memoryBudgetBytes=1G | setting memoryBudgetBytes: '1G' is not a long >= 0",
      "noGcn=yes            | setting noGcn: 'yes' is not true or false",
      "forceCpu=            | setting forceCpu: '' is not true or false",
      "model=svd            | setting model: 'svd' is not one of crane, crane-ref, freedom, lightgcn, bpr",
      "attentionAxis=rows   | setting attentionAxis: 'rows' is not one of items, modalities",
  })
  void aBadValueIsRefusedNamingTheSettingTheValueAndWhatWasExpected(String assignment, String message) {
    TrainConfig.Builder b = TrainConfig.builder();
    assertThatThrownBy(() -> b.set(assignment)).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
  }

  @Test
  void theBuilderChecksTypedValuesTooAndListsEveryProblem() {
    assertThatThrownBy(() -> TrainConfig.builder().epochs(-1).tau(0f).dropRatio(1.5f).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("invalid configuration: ")
        .hasMessageContaining("setting epochs: -1 is out of range (expected an int >= 1)")
        .hasMessageContaining("setting dropRatio: 1.5 is out of range (expected a finite float in [0, 1))")
        .hasMessageContaining("setting tau: 0.0 is out of range (expected a finite float > 0)");
    assertThatThrownBy(() -> TrainConfig.builder().model(null).build()).hasMessageContaining("setting model: no value");
  }

  @Test
  void settingsThatMustAgreeAreCheckedTogether() {
    assertThatThrownBy(() -> TrainConfig.builder(Model.CRANE_REF).set("embeddingDim=30").build())
        .hasMessageContaining("embedding dim 30 must be divisible by the 4 attention heads");
    // paper mode has no multi-head attention: any head count goes
    assertThat(TrainConfig.builder(Model.CRANE).embeddingDim(30).build().embeddingDim()).isEqualTo(30);
    assertThat(TrainConfig.builder(Model.CRANE_REF).embeddingDim(30).attentionHeads(3).build().attentionHeads())
        .isEqualTo(3);
  }

  @Test
  void anUnknownNameIsRefusedWithTheCloseNamesAndEveryValidOne() {
    TrainConfig.Builder b = TrainConfig.builder();
    assertThatThrownBy(() -> b.set("temperature=1")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("unknown setting 'temperature'. Valid settings: model, dataset, seed, epochs,")
        .hasMessageEndingWith("attentionAxis, attentionHeads, trimMinFreeMb");
    assertThatThrownBy(() -> b.set("learningrate=0.1"))
        .hasMessageStartingWith("unknown setting 'learningrate'; did you mean learningRate? Valid settings: ");
    assertThatThrownBy(() -> b.set("tua=0.1")).hasMessageContaining("did you mean tau?");
    assertThatThrownBy(() -> b.set("epoch=3")).hasMessageContaining("did you mean epochs?");
    assertThatThrownBy(() -> b.set("noGCN=true")).hasMessageContaining("did you mean noGcn?");
    assertThatThrownBy(() -> b.set("tau")).hasMessage("--set expects name=value, got 'tau'");
    assertThatThrownBy(() -> b.set("=1")).hasMessage("--set expects name=value, got '=1'");
  }

  @Test
  void enumParseErrorsListTheValidValues() {
    assertThatThrownBy(() -> Model.parse("gru4rec"))
        .hasMessage("unknown model 'gru4rec'; expected one of crane, crane-ref, freedom, lightgcn, bpr");
    assertThatThrownBy(() -> TrainConfig.forModel("svd")).hasMessageContaining("expected one of crane, crane-ref");
    assertThatThrownBy(() -> AttentionAxis.parse("rows"))
        .hasMessage("attention axis must be one of items, modalities, got 'rows'");
    assertThat(Model.names()).containsExactly("crane", "crane-ref", "freedom", "lightgcn", "bpr");
    for (String name : Model.names()) {
      assertThat(Model.parse(name).cliName()).isEqualTo(name);
      assertThat(Model.parse(name).toString()).isEqualTo(name);
    }
  }

  @Test
  void perModelDefaultsAreTheOldOnes() {
    TrainConfig crane = TrainConfig.forModel("crane");
    assertThat(List.of(crane.batchSize(), crane.patience(), crane.epochs(), crane.knnK())).containsExactly(1024, 5, 250, 15);
    assertThat(crane.learningRate()).isEqualTo(1e-4f);
    assertThat(crane.dropRatio()).isEqualTo(0.8f);
    for (String m : List.of("bpr", "lightgcn")) {
      assertThat(TrainConfig.forModel(m).dropRatio()).as(m).isZero();
      assertThat(TrainConfig.forModel(m).regWeight()).as(m).isEqualTo(1e-4f);
    }
    for (String m : List.of("freedom", "crane-ref")) {
      TrainConfig c = TrainConfig.forModel(m);
      assertThat(List.of(c.dropRatio(), c.regWeight())).as(m).containsExactly(0.8f, 0f);
      assertThat(List.of(c.batchSize(), c.patience(), c.epochs(), c.knnK())).containsExactly(2048, 20, 1000, 10);
    }
  }

  @Test
  void everySettingIsDescribedForHelp() {
    List<String> lines = TrainSettings.describe();
    assertThat(lines).hasSize(ALL_FIELDS.size());
    assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("dropRatio (a finite float in [0, 1), default 0.8): "));
    assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("model (one of crane, crane-ref, freedom, lightgcn, bpr, default crane): "));
    assertThat(TrainSettings.ALL).allSatisfy(s -> assertThat(s.doc()).as(s.name()).isNotBlank());
  }

  @Test
  void namesAreFoundIgnoringCaseForEnvironmentVariables() {
    assertThat(TrainSettings.nameIgnoringCase("LEARNINGRATE")).contains("learningRate");
    assertThat(TrainSettings.nameIgnoringCase("nogcn")).contains("noGcn");
    assertThat(TrainSettings.nameIgnoringCase("nope")).isEmpty();
  }
}
