package dev.crane.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.crane.trainer.config.TrainConfig;
import dev.crane.trainer.data.TrainingData;
import dev.crane.trainer.graph.ItemKnnGraph;
import dev.crane.trainer.graph.PrunedAdjacency;
import dev.crane.trainer.graph.UserItemGcn;
import dev.crane.trainer.model.core.EmbeddingParts;
import dev.crane.trainer.model.core.FinalEmbeddings;
import dev.crane.trainer.model.core.Init;
import dev.crane.trainer.model.core.Parameters;
import java.util.SplittableRandom;

/**
 * What FREEDOM and CRANE reference mode share (crane-spec.md §2: "[C] is FREEDOM with ..."):
 * Xavier-uniform E_U and E_I, the frozen kNN item graph S from the raw features mixed 0.1/0.9
 * (§2.2c), the degree-pruned user-item graph (§2.3) and LightGCN's layer mean (§2.4 step 4).
 * Outputs: users = Ē_U, items = Ē_I + S^L X for the item signal X the model propagates
 * (E_I in FREEDOM, the fused attention output Z in CRANE reference mode).
 */
public final class FreedomBackbone {
  private final int numUsers;
  private final NDArray users;
  private final NDArray items;
  private final NDArray itemGraph;
  private final PrunedAdjacency<NDArray> adjacency;
  private final UserItemGcn gcn;
  private final int mmLayers;

  /** Creates user_embedding and item_id_embedding in {@code params}, in that order (§2.1). */
  public FreedomBackbone(TrainingData data, TrainConfig c, Parameters params, NDManager manager,
      SplittableRandom rng) {
    int d = c.embeddingDim();
    this.numUsers = data.numUsers();
    this.users = params.add("user_embedding", Init.xavierUniform(rng, data.numUsers(), d), new Shape(data.numUsers(), d),
        Parameters.Rows.USER);
    this.items = params.add("item_id_embedding", Init.xavierUniform(rng, data.numItems(), d), new Shape(data.numItems(), d),
        Parameters.Rows.ITEM);
    this.itemGraph = data.features().isEmpty() ? null
        : ItemKnnGraph.mixed(manager, data.features(), c.knnK(), c.mmImageWeight()).toNDArray(manager);
    this.adjacency = new PrunedAdjacency<>(data, c.dropRatio(), m -> m.toNDArray(manager));
    this.gcn = new UserItemGcn(c.uiLayers());
    this.mmLayers = c.mmLayers();
  }

  /** §2.3: the pruned graph for this epoch. */
  public void beforeEpoch(SplittableRandom rng) {
    adjacency.resample(rng);
  }

  /** E_I, the item ID embeddings. */
  public NDArray itemEmbeddings() {
    return items;
  }

  /**
   * @param itemSignal X (I x d), propagated over S mmLayers times
   * @param training Â' (this epoch's pruned graph) when true, the full Â otherwise
   */
  public FinalEmbeddings forward(NDArray itemSignal, boolean training) {
    EmbeddingParts p = parts(itemSignal, training);
    return new FinalEmbeddings(p.userCollaborative(), p.itemCollaborative().add(p.itemSemantic()));
  }

  /** Ē_U; Ē_I and S^L X, the item vector's collaborative and semantic parts. */
  public EmbeddingParts parts(NDArray itemSignal, boolean training) {
    if (itemGraph == null) {
      throw new IllegalStateException("the item kNN graph needs at least one feature modality");
    }
    NDArray h = itemSignal;
    for (int l = 0; l < mmLayers; l++) {
      h = itemGraph.matMul(h);
    }
    NDArray all = gcn.propagate(training ? adjacency.training() : adjacency.full(), users, items);
    return new EmbeddingParts(all.get(new NDIndex(":{}", numUsers)), null, all.get(new NDIndex("{}:", numUsers)), h);
  }
}
