package dev.crane.api.foldin;

/**
 * A user's vector with the parts fold-in updates. Immutable: a fold produces a new state, so a
 * query reading one never sees half an update.
 *
 * @param semantic null when the version's users have no semantic part
 * @param degree distinct items the vector was computed from (trained and folded)
 * @param folded how many of those were folded in after training
 */
public record UserState(float[] collaborative, float[] semantic, int degree, float[] vector, int folded) {

  /** A user the version does not know: parts at zero (schemas/EMBEDDINGS.md). */
  public static UserState unknown(int dim, boolean withSemantic) {
    return new UserState(new float[dim], withSemantic ? new float[dim] : null, 0, new float[dim], 0);
  }
}
