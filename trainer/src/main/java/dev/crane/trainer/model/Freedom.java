package dev.crane.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.crane.ingest.dataset.FeatureMatrix;
import dev.crane.trainer.data.TrainingData;
import dev.crane.trainer.graph.EdgePruner;
import dev.crane.trainer.graph.ItemKnnGraph;
import dev.crane.trainer.graph.NormalizedAdjacency;
import dev.crane.trainer.graph.UserItemGcn;
import dev.crane.trainer.loss.BprLoss;
import dev.crane.trainer.train.TrainConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * FREEDOM as MMRec's freedom.py: a frozen kNN item graph from the raw features propagates the item
 * ID embeddings (H = S^L E_I); LightGCN on the degree-pruned user-item graph (resampled per epoch,
 * full graph at evaluation); items = Ē_I + H, users = Ē_U. Loss: BPR (log-sigmoid form) +
 * reg_weight · Σ_m BPR(Ē_U, F_m W_m^T + b_m) over the modality projections. The raw feature tables
 * are trainable, as in MMRec; with reg_weight = 0 nothing reaches them, so their terms are skipped.
 */
public final class Freedom implements Recommender {
  private final Parameters params;
  private final NDArray users;
  private final NDArray items;
  private final List<NDArray[]> modalities = new ArrayList<>(); // {F_m, W_m, b_m}
  private final NDArray fullAdjacency;
  private final NDArray itemGraph;
  private final EdgePruner pruner;
  private final TrainingData data;
  private final UserItemGcn gcn;
  private final int mmLayers;
  private final float regWeight;
  private final NDManager manager;
  private NDArray prunedAdjacency;

  public Freedom(TrainingData data, TrainConfig c, NDManager manager, SplittableRandom rng) {
    this.data = data;
    this.manager = manager;
    this.params = new Parameters(manager);
    int dim = c.embeddingDim;
    this.users = params.add("user_embedding", Init.xavierUniform(rng, data.numUsers(), dim), new Shape(data.numUsers(), dim));
    this.items = params.add("item_id_embedding", Init.xavierUniform(rng, data.numItems(), dim), new Shape(data.numItems(), dim));
    for (FeatureMatrix f : data.features()) {
      double bound = 1 / Math.sqrt(f.dim()); // torch.nn.Linear default init
      NDArray feat = params.add(f.modality() + "_embedding", f.data(), new Shape(f.rows(), f.dim()));
      NDArray w = params.add(f.modality() + "_trs.weight", Init.uniform(rng, dim * f.dim(), bound), new Shape(dim, f.dim()));
      NDArray b = params.add(f.modality() + "_trs.bias", Init.uniform(rng, dim, bound), new Shape(dim));
      modalities.add(new NDArray[] {feat, w, b});
    }
    this.itemGraph = ItemKnnGraph.mixed(manager, data.features(), c.knnK, c.mmImageWeight).toNDArray(manager);
    this.fullAdjacency = NormalizedAdjacency.of(data.numUsers(), data.numItems(), data.edgeUsers(), data.edgeItems())
        .toNDArray(manager);
    this.pruner = c.dropRatio > 0
        ? new EdgePruner(NormalizedAdjacency.edgeWeights(data.userDegree(), data.itemDegree(), data.edgeUsers(), data.edgeItems()), c.dropRatio)
        : null;
    this.gcn = new UserItemGcn(c.uiLayers);
    this.mmLayers = c.mmLayers;
    this.regWeight = c.regWeight;
  }

  @Override
  public String name() {
    return "freedom";
  }

  @Override
  public Parameters parameters() {
    return params;
  }

  /** §2.3: resample the pruned graph once per epoch. */
  @Override
  public void beforeEpoch(SplittableRandom rng) {
    if (prunedAdjacency != null) {
      prunedAdjacency.close();
      prunedAdjacency = null;
    }
    if (pruner == null) {
      return;
    }
    int[] kept = pruner.sample(rng);
    int[] eu = new int[kept.length];
    int[] ei = new int[kept.length];
    for (int k = 0; k < kept.length; k++) {
      eu[k] = data.edgeUsers()[kept[k]];
      ei[k] = data.edgeItems()[kept[k]];
    }
    prunedAdjacency = NormalizedAdjacency.of(data.numUsers(), data.numItems(), eu, ei).toNDArray(manager);
  }

  private FinalEmbeddings forward(NDArray adjacency) {
    NDArray h = items;
    for (int l = 0; l < mmLayers; l++) {
      h = itemGraph.matMul(h);
    }
    NDArray all = gcn.propagate(adjacency, users, items);
    int u = data.numUsers();
    return new FinalEmbeddings(all.get(new NDIndex(":{}", u)), all.get(new NDIndex("{}:", u)).add(h));
  }

  @Override
  public NDArray loss(Batch b) {
    FinalEmbeddings f = forward(prunedAdjacency != null ? prunedAdjacency : fullAdjacency);
    NDArray u = f.users().get(new NDIndex("{}", b.users()));
    NDArray loss = BprLoss.logSigmoid(
        BprLoss.scores(u, f.items().get(new NDIndex("{}", b.positives()))),
        BprLoss.scores(u, f.items().get(new NDIndex("{}", b.negatives()))));
    if (regWeight != 0) {
      for (NDArray[] m : modalities) {
        NDArray proj = m[0].matMul(m[1].transpose()).add(m[2]);
        NDArray mf = BprLoss.logSigmoid(
            BprLoss.scores(u, proj.get(new NDIndex("{}", b.positives()))),
            BprLoss.scores(u, proj.get(new NDIndex("{}", b.negatives()))));
        loss = loss.add(mf.mul(regWeight));
      }
    }
    return loss;
  }

  @Override
  public FinalEmbeddings embed() {
    return forward(fullAdjacency);
  }
}
