package dev.crane.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.crane.ingest.dataset.FeatureMatrix;
import dev.crane.trainer.config.AttentionAxis;
import dev.crane.trainer.config.TrainConfig;
import dev.crane.trainer.data.TrainingData;
import dev.crane.trainer.loss.BprLoss;
import dev.crane.trainer.model.core.Batch;
import dev.crane.trainer.model.core.ContentMap;
import dev.crane.trainer.model.core.EmbeddingParts;
import dev.crane.trainer.model.core.FinalEmbeddings;
import dev.crane.trainer.model.core.Init;
import dev.crane.trainer.model.core.Parameters;
import dev.crane.trainer.model.core.Recommender;
import dev.crane.trainer.model.crane.MultiHeadAttention;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * CRANE reference mode: the authors' published code (crane-spec.md §2), i.e. the
 * {@link FreedomBackbone} propagating fused multimodal features instead of E_I, trained with BPR
 * only (§2.5).
 *
 * <p>Per modality m: trainable F_m from the file, P_m = F_m A_mᵀ + a_m, X_m = P_m B_mᵀ + b_m (two
 * affine maps, no nonlinearity, §2.4 step 1); multi-head attention over the chosen
 * {@link AttentionAxis} gives Y_m; Z = mean_m Y_m; H = S Z; items = Ē_I + H, users = Ē_U.
 * With fewer than two modalities the code falls back to Z = E_I (§2.4), and then no feature
 * parameters exist (they could not receive a gradient).
 */
public final class CraneReference implements Recommender {
  private final Parameters params;
  private final FreedomBackbone backbone;
  private final List<FeatureProjection> projections = new ArrayList<>();
  private final List<NDArray[]> secondMaps = new ArrayList<>(); // {B_m, b_m}
  private final MultiHeadAttention attention;
  private final AttentionAxis axis;

  public CraneReference(TrainingData data, TrainConfig c, NDManager manager, SplittableRandom rng) {
    this.params = new Parameters(manager);
    this.axis = c.attentionAxis();
    // §2.1 creation order: E_U, E_I, the trs maps, (the kNN graph), the proj maps, in_proj, out_proj
    this.backbone = new FreedomBackbone(data, c, params, manager, rng);
    int d = c.embeddingDim();
    List<FeatureMatrix> feats = data.features();
    if (feats.size() < 2) {
      this.attention = null;
      return;
    }
    for (FeatureMatrix f : feats) {
      projections.add(new FeatureProjection(f, d, params, rng));
    }
    double bound = 1 / Math.sqrt(d);
    for (FeatureMatrix f : feats) {
      secondMaps.add(new NDArray[] {
          params.add(f.modality() + "_proj.weight", Init.uniform(rng, d * d, bound), new Shape(d, d)),
          params.add(f.modality() + "_proj.bias", Init.uniform(rng, d, bound), new Shape(d))});
    }
    this.attention = new MultiHeadAttention(d, c.attentionHeads(), "mha", params, rng);
  }

  @Override
  public String name() {
    return "crane-ref";
  }

  @Override
  public Parameters parameters() {
    return params;
  }

  public AttentionAxis axis() {
    return axis;
  }

  @Override
  public void beforeEpoch(SplittableRandom rng) {
    backbone.beforeEpoch(rng);
  }

  /** The fused item features Z (I x d), or E_I in the fallback (§2.4 step 2). */
  public NDArray fused() {
    if (attention == null) {
      return backbone.itemEmbeddings();
    }
    NDList xs = new NDList();
    for (int m = 0; m < projections.size(); m++) {
      NDArray[] bm = secondMaps.get(m);
      xs.add(projections.get(m).project().matMul(bm[0].transpose()).add(bm[1]));
    }
    // ITEMS: (M, I, d), M sequences of I items. MODALITIES: (I, M, d), I sequences of M tokens.
    int modalityAxis = axis == AttentionAxis.ITEMS ? 0 : 1;
    NDArray y = attention.apply(NDArrays.stack(xs, modalityAxis));
    return y.mean(new int[] {modalityAxis});
  }

  @Override
  public NDArray loss(Batch b) {
    FinalEmbeddings f = backbone.forward(fused(), true);
    NDArray u = f.users().get(new NDIndex("{}", b.users()));
    return BprLoss.logSigmoid(
        BprLoss.scores(u, f.items().get(new NDIndex("{}", b.positives()))),
        BprLoss.scores(u, f.items().get(new NDIndex("{}", b.negatives()))));
  }

  @Override
  public FinalEmbeddings embed() {
    return backbone.forward(fused(), false);
  }

  @Override
  public EmbeddingParts parts() {
    return backbone.parts(fused(), false);
  }

  @Override
  public List<ContentMap> contentMaps(List<FeatureMatrix> features) {
    return projections.isEmpty() ? Recommender.super.contentMaps(features)
        : projections.stream().map(FeatureProjection::contentMap).toList();
  }
}
