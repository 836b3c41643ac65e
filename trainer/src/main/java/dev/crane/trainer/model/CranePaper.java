package dev.crane.trainer.model;

import dev.crane.trainer.engine.Scalars;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.crane.trainer.config.TrainConfig;
import dev.crane.trainer.data.TrainingData;
import dev.crane.trainer.engine.Autograd;
import dev.crane.trainer.engine.Tape;
import dev.crane.trainer.engine.Tensors;
import dev.crane.trainer.graph.PrunedAdjacency;
import dev.crane.trainer.graph.SparseRows;
import dev.crane.trainer.graph.UserItemGcn;
import dev.crane.trainer.loss.BprLoss;
import dev.crane.trainer.loss.EmbeddingL2;
import dev.crane.trainer.loss.InfoNce;
import dev.crane.trainer.model.core.Batch;
import dev.crane.trainer.model.core.ContentMap;
import dev.crane.trainer.model.core.EmbeddingParts;
import dev.crane.trainer.model.core.FinalEmbeddings;
import dev.crane.trainer.model.core.Init;
import dev.crane.trainer.model.core.Parameters;
import dev.crane.trainer.model.core.Recommender;
import dev.crane.trainer.model.core.StepProfiler;
import dev.crane.trainer.model.crane.DynamicItemGraph;
import dev.crane.trainer.model.crane.RecursiveCrossModalAttention;
import dev.crane.trainer.model.crane.SemanticUserProfile;
import dev.crane.trainer.model.crane.UserModalityProfiles;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * CRANE paper mode (crane-spec.md §3): degree-pruned LightGCN (Eq. 2-4) gives the collaborative
 * view Ē; projected user/item modality profiles (Eq. 5-6) go through recursive cross-modal
 * attention (Eq. 7-13) to E^mm; the fused item graph (Eq. 14) propagates the collaborative item
 * embeddings (Eq. 15) into the semantic view e^sem; users take the mean over their items (Eq. 16);
 * final vectors are sums (Eq. 17); loss = BPR + λ_cl (InfoNCE_u + InfoNCE_i) + λ_reg L2 (Eq. 18-20).
 * Ablations (paper Table 5): noItemGraph (e^sem = Ē_i + unit-scaled E^mm_i through a linear head, ours),
 * noRecursion (t = 1), noAttention (E^mm = concatenation), noGcn (Ē = E⁰ and e^sem as without the
 * item graph: "removes the graph convolutional layers from both" graphs), noContrastive (λ_cl = 0).
 */
public final class CranePaper implements Recommender {
  private final TrainingData data;
  private final TrainConfig c;
  private final NDManager manager;
  private final Parameters params;
  private final NDArray users;
  private final NDArray items;
  private final UserModalityProfiles profiles;
  private final RecursiveCrossModalAttention rca;
  private final DynamicItemGraph itemGraph;
  private final NDArray semanticHead; // only for the noItemGraph and noGcn ablations
  private final SemanticUserProfile userProfile;
  private final UserItemGcn gcn;
  private final PrunedAdjacency<SparseRows> adjacency;
  private StepProfiler profiler; // null unless a cost benchmark times the step's components
  private final Tape tape = new Tape(); // the training step's written-out gradients, run by afterBackward

  public CranePaper(TrainingData data, TrainConfig c, NDManager manager, SplittableRandom rng) {
    if (data.features().isEmpty()) {
      throw new IllegalArgumentException("CRANE needs at least one item modality");
    }
    this.data = data;
    this.c = c;
    this.manager = manager;
    this.params = new Parameters(manager);
    int d = c.embeddingDim();
    this.users = params.add("user_embedding", Init.xavierUniform(rng, data.numUsers(), d), new Shape(data.numUsers(), d),
        Parameters.Rows.USER);
    this.items = params.add("item_embedding", Init.xavierUniform(rng, data.numItems(), d), new Shape(data.numItems(), d),
        Parameters.Rows.ITEM);
    this.profiles = new UserModalityProfiles(data, d, params, manager, rng);
    int mCount = profiles.modalities();
    this.rca = c.noAttention() ? null
        : new RecursiveCrossModalAttention(mCount, d, c.noRecursion() ? 1 : c.attentionRounds(), params, rng);
    boolean graphless = c.noItemGraph() || c.noGcn(); // paper: w/o GCN drops the layers of both graphs
    this.itemGraph = graphless ? null : new DynamicItemGraph(c.knnK(), manager);
    // uniform at the item table's bound: on unit rows the head's output starts at the item embeddings' scale
    double headBound = Math.sqrt(6.0 / (data.numItems() + d));
    this.semanticHead = graphless
        ? params.add("semantic_head", Init.uniform(rng, mCount * d * d, headBound), new Shape(mCount * d, d)) : null;
    this.userProfile = new SemanticUserProfile(data, false, manager);
    this.gcn = new UserItemGcn(c.noGcn() ? 0 : c.uiLayers());
    this.adjacency = new PrunedAdjacency<>(data, c.dropRatio(), m -> SparseRows.withTranspose(m, manager));
  }

  /**
   * Times the training step's forward components from now on (bench.StepBreakdownBenchmark): feature_projection,
   * user_profiles (Eq. 5 sums and Eq. 16 means), rca_round&lt;r&gt;, gcn, item_graph, bpr (with the L2 term),
   * infonce. Null turns it off.
   */
  public void profileWith(StepProfiler profiler) {
    this.profiler = profiler;
  }

  @Override
  public String name() {
    return "crane";
  }

  @Override
  public Parameters parameters() {
    return params;
  }

  /** Per epoch: resample the pruned graph (§2.3) and refresh the item graph's neighbours (Eq. 14). */
  @Override
  public void beforeEpoch(SplittableRandom rng) {
    adjacency.resample(rng);
    beforeEvaluation();
  }

  /**
   * The item graph's neighbours from the current parameters: after an epoch they are the epoch
   * start's, and the best epoch's score must be the one its saved parameters give again.
   */
  @Override
  public void beforeEvaluation() {
    if (itemGraph != null) {
      Autograd.noGrad(() -> {
        try (ai.djl.ndarray.NDScope s = new ai.djl.ndarray.NDScope()) {
          itemGraph.refresh(fusedItems());
        }
      });
    }
  }

  /** E^mm item rows (I x Md). */
  private NDArray fusedItems() {
    List<NDArray> xs = profiles.stacked(profiler);
    if (rca != null) {
      return rca.apply(xs, data.numUsers(), profiler);
    }
    return ai.djl.ndarray.NDArrays.concat(new ai.djl.ndarray.NDList(xs), 1).get(new NDIndex("{}:", data.numUsers()));
  }

  /** {collaborative users, collaborative items, semantic items}; the semantic users (Eq. 16) are left to the caller. */
  private NDArray[] views(SparseRows adjacency) {
    NDArray all = gcn.propagate(adjacency, users, items, tape);
    int u = data.numUsers();
    NDArray cfU = all.get(new NDIndex(":{}", u));
    NDArray cfI = all.get(new NDIndex("{}:", u));
    StepProfiler.lap(profiler, "gcn");
    NDArray fused = fusedItems();
    // Without the graph, e^sem is the graph's layer-0 state (Ē_i, Eq. 15) plus the item's own E^mm through a
    // head, on unit rows: raw E^mm (TikTok image rows have norm ~33) swamped the collaborative view
    // (valid R@20 0.01), and even xavier-scaled it dominated the scores (0.023 after three epochs).
    NDArray semI = itemGraph != null ? itemGraph.propagate(fused, cfI, tape)
        : cfI.add(Scalars.unitRows(fused).matMul(semanticHead));
    StepProfiler.lap(profiler, "item_graph");
    return new NDArray[] {cfU, cfI, semI};
  }

  @Override
  public NDArray loss(Batch b) {
    if (Autograd.recording() && !tape.isEmpty()) {
      throw new IllegalStateException("the previous training step's written-out gradients never ran: call afterBackward "
          + "after the loss's backward pass");
    }
    tape.clear();
    NDArray[] v = views(adjacency.training());
    // the loss reads user rows only at the batch's distinct users: their semantic means alone are computed
    long[] du = distinct(b.userRows());
    NDArray duRows = Tensors.owned(manager, du);
    NDArray cfU = InfoNce.rows(v[0], duRows);
    // written out only over the item graph's result, a leaf: without the graph e^sem_i is itself in the loss, and
    // the tape's pass would run a second time through the part of its graph the loss's pass has freed
    NDArray semU = userProfile.of(du, v[2], itemGraph != null ? tape : null);
    StepProfiler.lap(profiler, "user_profiles");
    NDArray finalI = v[1].add(v[2]);
    NDArray u = cfU.add(semU).get(new NDIndex("{}", Tensors.owned(manager, positions(b.userRows(), du))));
    NDArray p = finalI.get(new NDIndex("{}", b.positives()));
    NDArray n = finalI.get(new NDIndex("{}", b.negatives()));
    NDArray loss = BprLoss.logSigmoid(BprLoss.scores(u, p), BprLoss.scores(u, n));
    StepProfiler.lap(profiler, "bpr");
    if (!c.noContrastive() && c.lambdaCl() > 0) {
      NDArray di = Tensors.owned(manager, distinct(b.positiveRows()));
      NDArray lu = InfoNce.of(cfU, semU, c.tau());
      NDArray li = InfoNce.of(InfoNce.rows(v[1], di), InfoNce.rows(v[2], di), c.tau());
      loss = loss.add(Scalars.mul(lu.add(li), c.lambdaCl()));
      StepProfiler.lap(profiler, "infonce");
    }
    if (c.lambdaReg() > 0) {
      loss = loss.add(Scalars.mul(EmbeddingL2.of(u, p, n), c.lambdaReg()));
    }
    StepProfiler.lap(profiler, "bpr"); // the L2 term reads BPR's rows
    return loss;
  }

  /**
   * The gradients written out on the step's tape (engine.Tape), last recorded first: the semantic user means'
   * (Eq. 16), the item graph's weighted sum and then its cosines (into E^mm, the attention and the modality
   * profiles), the GCN's (into the ID tables).
   */
  @Override
  public void afterBackward(GradientCollector collector) {
    tape.run();
  }

  @Override
  public FinalEmbeddings embed() {
    EmbeddingParts p = parts();
    return new FinalEmbeddings(p.userCollaborative().add(p.userSemantic()), p.itemCollaborative().add(p.itemSemantic()));
  }

  /** Ē_u and e^sem_u (Eq. 16); Ē_i and e^sem_i (Eq. 15). */
  @Override
  public EmbeddingParts parts() {
    NDArray[] v = views(adjacency.full());
    return new EmbeddingParts(v[0], userProfile.of(v[2]), v[1], v[2]);
  }

  /** The item rows of Eq. 6: each modality's projection F_m A_mᵀ + a_m. */
  @Override
  public List<ContentMap> contentMaps(List<dev.crane.ingest.dataset.FeatureMatrix> features) {
    return profiles.contentMaps();
  }

  private static long[] distinct(long[] ids) {
    return Arrays.stream(ids).distinct().toArray();
  }

  /** For each id, its index in {@code distinct}. */
  private static long[] positions(long[] ids, long[] distinct) {
    Map<Long, Integer> at = new HashMap<>();
    for (int k = 0; k < distinct.length; k++) {
      at.put(distinct[k], k);
    }
    return Arrays.stream(ids).map(id -> at.get(id)).toArray();
  }
}
