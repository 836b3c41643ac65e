package dev.crane.api.model;

/**
 * The users or the items of one version as contiguous row-major float arrays (one row per id), so
 * that a scan reads memory in order and no per-row object exists (the ids too: {@link Ids}).
 *
 * @param vectors the scoring vectors, rows x dim
 * @param collaborative the collaborative parts, or null when they equal {@code vectors}
 * @param semantic the semantic parts, or null when the model has none
 * @param degrees distinct training counterparts per row (the fold-in weights)
 * @param content the items' content vectors, unit length (cosine), rows x contentDim; null for
 *     users and for versions without a content space
 */
public record EmbeddingTable(
    Ids ids,
    int dim,
    float[] vectors,
    float[] collaborative,
    float[] semantic,
    int[] degrees,
    float[] content,
    int contentDim) {

  public EmbeddingTable {
    int n = ids.size();
    check(vectors.length == (long) n * dim, "vectors");
    check(collaborative == null || collaborative.length == vectors.length, "collaborative parts");
    check(semantic == null || semantic.length == vectors.length, "semantic parts");
    check(degrees.length == n, "degrees");
    check(content == null || content.length == (long) n * contentDim, "content vectors");
  }

  /** A table over ids given as Strings (tests and tools); fails on a repeated id. */
  public static EmbeddingTable of(String[] ids, int dim, float[] vectors, float[] collaborative, float[] semantic,
      int[] degrees, float[] content, int contentDim) {
    return new EmbeddingTable(Ids.of(ids), dim, vectors, collaborative, semantic, degrees, content, contentDim);
  }

  private static void check(boolean ok, String what) {
    if (!ok) {
      throw new IllegalArgumentException("embedding table: " + what + " do not match the row count and width");
    }
  }

  public int size() {
    return ids.size();
  }

  /** The row of {@code id}, or -1. */
  public int row(String id) {
    return ids.row(id);
  }

  public String id(int row) {
    return ids.id(row);
  }

  public float[] vector(int row) {
    return slice(vectors, row, dim);
  }

  public float[] collaborativePart(int row) {
    return slice(collaborative != null ? collaborative : vectors, row, dim);
  }

  /** The semantic part, or null when the model has none. */
  public float[] semanticPart(int row) {
    return semantic == null ? null : slice(semantic, row, dim);
  }

  public boolean hasSemantic() {
    return semantic != null;
  }

  private static float[] slice(float[] a, int row, int width) {
    float[] out = new float[width];
    System.arraycopy(a, row * width, out, 0, width);
    return out;
  }
}
