package dev.crane.trainer.model;

import dev.crane.trainer.engine.Scalars;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.crane.trainer.data.TrainingData;
import dev.crane.trainer.graph.NormalizedAdjacency;
import dev.crane.trainer.graph.UserItemGcn;
import dev.crane.trainer.loss.BprLoss;
import dev.crane.trainer.loss.EmbeddingNormLoss;
import dev.crane.trainer.model.core.Batch;
import dev.crane.trainer.model.core.FinalEmbeddings;
import dev.crane.trainer.model.core.Init;
import dev.crane.trainer.model.core.Parameters;
import dev.crane.trainer.model.core.Recommender;
import java.util.SplittableRandom;

/**
 * LightGCN as MMRec's lightgcn.py: Xavier-uniform ego embeddings propagated on the full normalised
 * graph (no pruning), layer mean; BPR on the propagated vectors + reg * EmbLoss on the ego vectors.
 */
public final class LightGcn implements Recommender {
  private final Parameters params;
  private final NDArray users;
  private final NDArray items;
  private final NDArray adjacency;
  private final UserItemGcn gcn;
  private final float regWeight;
  private final int numUsers;

  public LightGcn(TrainingData data, int dim, int layers, float regWeight, NDManager manager, SplittableRandom rng) {
    this.params = new Parameters(manager);
    this.users = params.add("user_embedding", Init.xavierUniform(rng, data.numUsers(), dim), new Shape(data.numUsers(), dim),
        Parameters.Rows.USER);
    this.items = params.add("item_embedding", Init.xavierUniform(rng, data.numItems(), dim), new Shape(data.numItems(), dim),
        Parameters.Rows.ITEM);
    this.adjacency = NormalizedAdjacency.of(data.numUsers(), data.numItems(), data.edgeUsers(), data.edgeItems())
        .toNDArray(manager);
    this.gcn = new UserItemGcn(layers);
    this.regWeight = regWeight;
    this.numUsers = data.numUsers();
  }

  @Override
  public String name() {
    return "lightgcn";
  }

  @Override
  public Parameters parameters() {
    return params;
  }

  @Override
  public NDArray loss(Batch b) {
    FinalEmbeddings f = embed();
    NDArray u = f.users().get(new NDIndex("{}", b.users()));
    NDArray p = f.items().get(new NDIndex("{}", b.positives()));
    NDArray n = f.items().get(new NDIndex("{}", b.negatives()));
    NDArray loss = BprLoss.withGamma(BprLoss.scores(u, p), BprLoss.scores(u, n));
    if (regWeight == 0) {
      return loss;
    }
    NDArray reg = EmbeddingNormLoss.of(users.get(new NDIndex("{}", b.users())),
        items.get(new NDIndex("{}", b.positives())), items.get(new NDIndex("{}", b.negatives())));
    return loss.add(Scalars.mul(reg, regWeight));
  }

  @Override
  public FinalEmbeddings embed() {
    NDArray all = gcn.propagate(adjacency, users, items);
    return new FinalEmbeddings(all.get(new NDIndex(":{}", numUsers)), all.get(new NDIndex("{}:", numUsers)));
  }
}
