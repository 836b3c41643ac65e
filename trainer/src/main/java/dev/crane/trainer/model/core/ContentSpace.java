package dev.crane.trainer.model.core;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.crane.ingest.dataset.FeatureMatrix;
import dev.crane.trainer.engine.Tensors;
import java.util.ArrayList;
import java.util.List;

/** Items placed by their features: each modality through its {@link ContentMap}, side by side. */
public final class ContentSpace {
  private ContentSpace() {}

  /** Every item's content vector, I x Σ outputDim, modalities in the order of {@code maps}. */
  public static NDArray of(NDManager manager, List<FeatureMatrix> features, List<ContentMap> maps) {
    List<NDArray> blocks = new ArrayList<>();
    for (ContentMap c : maps) {
      FeatureMatrix f = features.stream().filter(x -> x.modality().equals(c.modality())).findFirst()
          .orElseThrow(() -> new IllegalArgumentException("no features of modality " + c.modality()));
      NDArray x = Tensors.owned(manager, f.data(), new Shape(f.rows(), f.dim()));
      NDArray w = Tensors.owned(manager, c.weights(), new Shape(c.outputDim(), c.inputDim()));
      NDArray b = Tensors.owned(manager, c.bias(), new Shape(c.outputDim()));
      blocks.add(Tensors.linear(x, w.transpose(), b));
    }
    return blocks.size() == 1 ? blocks.get(0) : NDArrays.concat(new NDList(blocks), 1);
  }
}
