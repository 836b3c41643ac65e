package dev.crane.trainer.model;

import dev.crane.trainer.engine.Scalars;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.crane.trainer.data.TrainingData;
import dev.crane.trainer.loss.BprLoss;
import dev.crane.trainer.loss.EmbeddingNormLoss;
import dev.crane.trainer.model.core.Batch;
import dev.crane.trainer.model.core.FinalEmbeddings;
import dev.crane.trainer.model.core.Init;
import dev.crane.trainer.model.core.Parameters;
import dev.crane.trainer.model.core.Recommender;
import java.util.SplittableRandom;

/** BPR matrix factorisation as MMRec's bpr.py: Xavier-normal embeddings, BPR + reg * EmbLoss. */
public final class BprMf implements Recommender {
  private final Parameters params;
  private final NDArray users;
  private final NDArray items;
  private final float regWeight;

  public BprMf(TrainingData data, int dim, float regWeight, NDManager manager, SplittableRandom rng) {
    this.params = new Parameters(manager);
    this.users = params.add("user_embedding", Init.xavierNormal(rng, data.numUsers(), dim), new Shape(data.numUsers(), dim),
        Parameters.Rows.USER);
    this.items = params.add("item_embedding", Init.xavierNormal(rng, data.numItems(), dim), new Shape(data.numItems(), dim),
        Parameters.Rows.ITEM);
    this.regWeight = regWeight;
  }

  @Override
  public String name() {
    return "bpr";
  }

  @Override
  public Parameters parameters() {
    return params;
  }

  @Override
  public NDArray loss(Batch b) {
    NDArray u = users.get(new NDIndex("{}", b.users()));
    NDArray p = items.get(new NDIndex("{}", b.positives()));
    NDArray n = items.get(new NDIndex("{}", b.negatives()));
    NDArray loss = BprLoss.withGamma(BprLoss.scores(u, p), BprLoss.scores(u, n));
    return regWeight == 0 ? loss : loss.add(Scalars.mul(EmbeddingNormLoss.of(u, p, n), regWeight));
  }

  @Override
  public FinalEmbeddings embed() {
    return new FinalEmbeddings(users, items);
  }
}
