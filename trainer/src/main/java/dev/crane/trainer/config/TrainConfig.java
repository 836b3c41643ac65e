package dev.crane.trainer.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every setting of a training run, immutable and valid: each setting is checked against its rule in
 * {@link TrainSettings}' table, and the settings together by {@link #crossProblems}, when it is built.
 * A builder and accessors rather than public fields set by reflection, so that no run sees an unchecked
 * value; a final class rather than a record because a record's public constructor would bypass the checks.
 * The checkpoint and metrics JSON carry it as one object keyed by the settings' names, in the table's order.
 */
public final class TrainConfig {
  private final Model model;
  private final String dataset;
  private final long seed;
  private final int epochs;
  private final int patience;
  private final int batchSize;
  private final float learningRate;
  private final int embeddingDim;
  private final int uiLayers;
  private final int mmLayers;
  private final float regWeight;
  private final float dropRatio;
  private final int knnK;
  private final float mmImageWeight;
  private final int evalUserBatch;
  private final float maxSeconds;
  private final int maxBatches;
  private final int trimEvery;
  private final int trimMinFreeMb;
  private final boolean forceCpu;
  private final boolean warmOptimizer;
  private final long memoryBudgetBytes;
  private final int attentionRounds;
  private final float tau;
  private final float lambdaCl;
  private final float lambdaReg;
  private final boolean noItemGraph;
  private final boolean noRecursion;
  private final boolean noAttention;
  private final boolean noGcn;
  private final boolean noContrastive;
  private final AttentionAxis attentionAxis;
  private final int attentionHeads;

  private TrainConfig(Builder b) {
    model = b.model;
    dataset = b.dataset;
    seed = b.seed;
    epochs = b.epochs;
    patience = b.patience;
    batchSize = b.batchSize;
    learningRate = b.learningRate;
    embeddingDim = b.embeddingDim;
    uiLayers = b.uiLayers;
    mmLayers = b.mmLayers;
    regWeight = b.regWeight;
    dropRatio = b.dropRatio;
    knnK = b.knnK;
    mmImageWeight = b.mmImageWeight;
    evalUserBatch = b.evalUserBatch;
    maxSeconds = b.maxSeconds;
    maxBatches = b.maxBatches;
    trimEvery = b.trimEvery;
    trimMinFreeMb = b.trimMinFreeMb;
    forceCpu = b.forceCpu;
    warmOptimizer = b.warmOptimizer;
    memoryBudgetBytes = b.memoryBudgetBytes;
    attentionRounds = b.attentionRounds;
    tau = b.tau;
    lambdaCl = b.lambdaCl;
    lambdaReg = b.lambdaReg;
    noItemGraph = b.noItemGraph;
    noRecursion = b.noRecursion;
    noAttention = b.noAttention;
    noGcn = b.noGcn;
    noContrastive = b.noContrastive;
    attentionAxis = b.attentionAxis;
    attentionHeads = b.attentionHeads;
    List<String> problems = new ArrayList<>();
    for (Setting<?> s : TrainSettings.ALL) {
      String p = s.problemOf(this);
      if (p != null) {
        problems.add(p);
      }
    }
    problems.addAll(crossProblems());
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("invalid configuration: " + String.join("; ", problems));
    }
  }

  /** The table's defaults (the generic ones, not a model's). */
  public static Builder builder() {
    return new Builder();
  }

  /** The defaults of {@code model}; explicit settings are applied afterwards by the caller. */
  public static Builder builder(Model model) {
    Builder b = new Builder().model(model);
    switch (model) {
      case BPR, LIGHTGCN -> b.dropRatio(0f);
      case FREEDOM, CRANE_REF -> b.dropRatio(0.8f).regWeight(0f);
      // paper Table 3 (Baby column) as the generic default
      case CRANE -> b.batchSize(1024).learningRate(1e-4f).patience(5).epochs(250).knnK(15);
    }
    return b;
  }

  /** The defaults of {@code model}, by its CLI name ("crane", "crane-ref", "freedom", "lightgcn", "bpr"). */
  public static Builder builder(String model) {
    return builder(Model.parse(model));
  }

  /** {@code model}'s defaults. */
  public static TrainConfig forModel(Model model) {
    return builder(model).build();
  }

  /** {@code model}'s defaults, the model by its CLI name. */
  public static TrainConfig forModel(String model) {
    return forModel(Model.parse(model));
  }

  /** A builder holding this configuration's values. */
  public Builder toBuilder() {
    Builder b = new Builder();
    for (Setting<?> s : TrainSettings.ALL) {
      copy(s, this, b);
    }
    return b;
  }

  private static <T> void copy(Setting<T> s, TrainConfig from, Builder to) {
    s.set(to, s.get(from));
  }

  /** Rules that tie settings together; each setting's own rule is in the table. */
  private List<String> crossProblems() {
    List<String> p = new ArrayList<>();
    if (model == Model.CRANE_REF && attentionHeads >= 1 && embeddingDim % attentionHeads != 0) {
      p.add("embedding dim " + embeddingDim + " must be divisible by the " + attentionHeads + " attention heads");
    }
    return p;
  }

  /** Every setting by name, in the table's order: the JSON form, the keys the public fields gave before. */
  @JsonValue
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    for (Setting<?> s : TrainSettings.ALL) {
      m.put(s.name(), s.get(this));
    }
    return m;
  }

  /**
   * From the JSON form. A key missing (a checkpoint written before its setting existed) takes the table's
   * default; an unknown key or a bad value is refused by name.
   */
  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public static TrainConfig fromMap(Map<String, ?> json) {
    Builder b = builder();
    json.forEach((k, v) -> {
      if (v == null) {
        throw new IllegalArgumentException("setting " + k + ": null in the JSON");
      }
      b.set(k, String.valueOf(v));
    });
    return b.build();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TrainConfig c && toMap().equals(c.toMap());
  }

  @Override
  public int hashCode() {
    return toMap().hashCode();
  }

  @Override
  public String toString() {
    return "TrainConfig" + toMap();
  }

  public Model model() {
    return model;
  }

  public String dataset() {
    return dataset;
  }

  public long seed() {
    return seed;
  }

  public int epochs() {
    return epochs;
  }

  public int patience() {
    return patience;
  }

  public int batchSize() {
    return batchSize;
  }

  public float learningRate() {
    return learningRate;
  }

  public int embeddingDim() {
    return embeddingDim;
  }

  public int uiLayers() {
    return uiLayers;
  }

  public int mmLayers() {
    return mmLayers;
  }

  public float regWeight() {
    return regWeight;
  }

  public float dropRatio() {
    return dropRatio;
  }

  public int knnK() {
    return knnK;
  }

  public float mmImageWeight() {
    return mmImageWeight;
  }

  public int evalUserBatch() {
    return evalUserBatch;
  }

  public float maxSeconds() {
    return maxSeconds;
  }

  public int maxBatches() {
    return maxBatches;
  }

  public int trimEvery() {
    return trimEvery;
  }

  public int trimMinFreeMb() {
    return trimMinFreeMb;
  }

  public boolean forceCpu() {
    return forceCpu;
  }

  public boolean warmOptimizer() {
    return warmOptimizer;
  }

  public long memoryBudgetBytes() {
    return memoryBudgetBytes;
  }

  public int attentionRounds() {
    return attentionRounds;
  }

  public float tau() {
    return tau;
  }

  public float lambdaCl() {
    return lambdaCl;
  }

  public float lambdaReg() {
    return lambdaReg;
  }

  public boolean noItemGraph() {
    return noItemGraph;
  }

  public boolean noRecursion() {
    return noRecursion;
  }

  public boolean noAttention() {
    return noAttention;
  }

  public boolean noGcn() {
    return noGcn;
  }

  public boolean noContrastive() {
    return noContrastive;
  }

  public AttentionAxis attentionAxis() {
    return attentionAxis;
  }

  public int attentionHeads() {
    return attentionHeads;
  }

  /** Collects settings; {@link #build} checks them all. */
  public static final class Builder {
    private Model model;
    private String dataset;
    private long seed;
    private int epochs;
    private int patience;
    private int batchSize;
    private float learningRate;
    private int embeddingDim;
    private int uiLayers;
    private int mmLayers;
    private float regWeight;
    private float dropRatio;
    private int knnK;
    private float mmImageWeight;
    private int evalUserBatch;
    private float maxSeconds;
    private int maxBatches;
    private int trimEvery;
    private int trimMinFreeMb;
    private boolean forceCpu;
    private boolean warmOptimizer;
    private long memoryBudgetBytes;
    private int attentionRounds;
    private float tau;
    private float lambdaCl;
    private float lambdaReg;
    private boolean noItemGraph;
    private boolean noRecursion;
    private boolean noAttention;
    private boolean noGcn;
    private boolean noContrastive;
    private AttentionAxis attentionAxis;
    private int attentionHeads;

    private Builder() {
      for (Setting<?> s : TrainSettings.ALL) {
        s.reset(this);
      }
    }

    /**
     * Sets a setting from {@code "name=value"}, as {@code --set} gives it.
     *
     * @throws IllegalArgumentException for a malformed assignment, an unknown name or a bad value
     */
    public Builder set(String assignment) {
      int eq = assignment.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("--set expects name=value, got '" + assignment + "'");
      }
      return set(assignment.substring(0, eq).trim(), assignment.substring(eq + 1));
    }

    /**
     * Sets the setting of that exact name from its text, parsed and checked now.
     *
     * @throws IllegalArgumentException naming the setting: unknown (with close names), unparsable or out of range
     */
    public Builder set(String name, String value) {
      TrainSettings.get(name).apply(this, value);
      return this;
    }

    /** @throws IllegalArgumentException listing every setting out of range and every inconsistency */
    public TrainConfig build() {
      return new TrainConfig(this);
    }

    public Builder model(Model v) {
      model = v;
      return this;
    }

    public Builder dataset(String v) {
      dataset = v;
      return this;
    }

    public Builder seed(long v) {
      seed = v;
      return this;
    }

    public Builder epochs(int v) {
      epochs = v;
      return this;
    }

    public Builder patience(int v) {
      patience = v;
      return this;
    }

    public Builder batchSize(int v) {
      batchSize = v;
      return this;
    }

    public Builder learningRate(float v) {
      learningRate = v;
      return this;
    }

    public Builder embeddingDim(int v) {
      embeddingDim = v;
      return this;
    }

    public Builder uiLayers(int v) {
      uiLayers = v;
      return this;
    }

    public Builder mmLayers(int v) {
      mmLayers = v;
      return this;
    }

    public Builder regWeight(float v) {
      regWeight = v;
      return this;
    }

    public Builder dropRatio(float v) {
      dropRatio = v;
      return this;
    }

    public Builder knnK(int v) {
      knnK = v;
      return this;
    }

    public Builder mmImageWeight(float v) {
      mmImageWeight = v;
      return this;
    }

    public Builder evalUserBatch(int v) {
      evalUserBatch = v;
      return this;
    }

    public Builder maxSeconds(float v) {
      maxSeconds = v;
      return this;
    }

    public Builder maxBatches(int v) {
      maxBatches = v;
      return this;
    }

    public Builder trimEvery(int v) {
      trimEvery = v;
      return this;
    }

    public Builder trimMinFreeMb(int v) {
      trimMinFreeMb = v;
      return this;
    }

    public Builder forceCpu(boolean v) {
      forceCpu = v;
      return this;
    }

    public Builder warmOptimizer(boolean v) {
      warmOptimizer = v;
      return this;
    }

    public Builder memoryBudgetBytes(long v) {
      memoryBudgetBytes = v;
      return this;
    }

    public Builder attentionRounds(int v) {
      attentionRounds = v;
      return this;
    }

    public Builder tau(float v) {
      tau = v;
      return this;
    }

    public Builder lambdaCl(float v) {
      lambdaCl = v;
      return this;
    }

    public Builder lambdaReg(float v) {
      lambdaReg = v;
      return this;
    }

    public Builder noItemGraph(boolean v) {
      noItemGraph = v;
      return this;
    }

    public Builder noRecursion(boolean v) {
      noRecursion = v;
      return this;
    }

    public Builder noAttention(boolean v) {
      noAttention = v;
      return this;
    }

    public Builder noGcn(boolean v) {
      noGcn = v;
      return this;
    }

    public Builder noContrastive(boolean v) {
      noContrastive = v;
      return this;
    }

    public Builder attentionAxis(AttentionAxis v) {
      attentionAxis = v;
      return this;
    }

    public Builder attentionHeads(int v) {
      attentionHeads = v;
      return this;
    }
  }
}
