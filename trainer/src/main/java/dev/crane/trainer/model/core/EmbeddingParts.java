package dev.crane.trainer.model.core;

import ai.djl.ndarray.NDArray;

/**
 * A model's final vectors split into the parts the API needs (schemas/EMBEDDINGS.md): each side's
 * vector is collaborative + semantic, the semantic part null where the model has none.
 */
public record EmbeddingParts(NDArray userCollaborative, NDArray userSemantic, NDArray itemCollaborative,
    NDArray itemSemantic) {

  /** Parts of a model whose vectors are all collaborative (BPR-MF, LightGCN). */
  public static EmbeddingParts collaborativeOnly(FinalEmbeddings f) {
    return new EmbeddingParts(f.users(), null, f.items(), null);
  }
}
