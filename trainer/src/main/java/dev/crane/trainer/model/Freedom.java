package dev.crane.trainer.model;

import dev.crane.trainer.engine.Scalars;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import dev.crane.ingest.dataset.FeatureMatrix;
import dev.crane.trainer.config.TrainConfig;
import dev.crane.trainer.data.TrainingData;
import dev.crane.trainer.loss.BprLoss;
import dev.crane.trainer.model.core.Batch;
import dev.crane.trainer.model.core.ContentMap;
import dev.crane.trainer.model.core.EmbeddingParts;
import dev.crane.trainer.model.core.FinalEmbeddings;
import dev.crane.trainer.model.core.Parameters;
import dev.crane.trainer.model.core.Recommender;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * FREEDOM as MMRec's freedom.py: the {@link FreedomBackbone} propagating the item ID embeddings
 * (H = S^L E_I; items = Ē_I + H, users = Ē_U). Loss: BPR (log-sigmoid form) + reg_weight ·
 * Σ_m BPR(Ē_U, F_m A_mᵀ + a_m) over the modality projections. The raw feature tables are
 * trainable, as in MMRec; with reg_weight = 0 nothing reaches them, so their terms are skipped.
 */
public final class Freedom implements Recommender {
  private final Parameters params;
  private final FreedomBackbone backbone;
  private final List<FeatureProjection> modalities = new ArrayList<>();
  private final float regWeight;

  public Freedom(TrainingData data, TrainConfig c, NDManager manager, SplittableRandom rng) {
    this.params = new Parameters(manager);
    this.backbone = new FreedomBackbone(data, c, params, manager, rng);
    for (FeatureMatrix f : data.features()) {
      modalities.add(new FeatureProjection(f, c.embeddingDim(), params, rng));
    }
    this.regWeight = c.regWeight();
  }

  @Override
  public String name() {
    return "freedom";
  }

  @Override
  public Parameters parameters() {
    return params;
  }

  @Override
  public void beforeEpoch(SplittableRandom rng) {
    backbone.beforeEpoch(rng);
  }

  @Override
  public NDArray loss(Batch b) {
    FinalEmbeddings f = backbone.forward(backbone.itemEmbeddings(), true);
    NDArray u = f.users().get(new NDIndex("{}", b.users()));
    NDArray loss = BprLoss.logSigmoid(
        BprLoss.scores(u, f.items().get(new NDIndex("{}", b.positives()))),
        BprLoss.scores(u, f.items().get(new NDIndex("{}", b.negatives()))));
    if (regWeight != 0) {
      for (FeatureProjection m : modalities) {
        NDArray proj = m.project();
        NDArray mf = BprLoss.logSigmoid(
            BprLoss.scores(u, proj.get(new NDIndex("{}", b.positives()))),
            BprLoss.scores(u, proj.get(new NDIndex("{}", b.negatives()))));
        loss = loss.add(Scalars.mul(mf, regWeight));
      }
    }
    return loss;
  }

  @Override
  public FinalEmbeddings embed() {
    return backbone.forward(backbone.itemEmbeddings(), false);
  }

  @Override
  public EmbeddingParts parts() {
    return backbone.parts(backbone.itemEmbeddings(), false);
  }

  @Override
  public List<ContentMap> contentMaps(List<FeatureMatrix> features) {
    return modalities.stream().map(FeatureProjection::contentMap).toList();
  }
}
