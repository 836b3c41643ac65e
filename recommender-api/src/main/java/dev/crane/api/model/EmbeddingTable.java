package dev.crane.api.model;

import java.util.HashMap;
import java.util.Map;

/**
 * The users or the items of one version as contiguous row-major float arrays (one row per id), so
 * that a scan reads memory in order and no per-row object exists.
 *
 * @param vectors the scoring vectors, rows x dim
 * @param collaborative the collaborative parts, or null when they equal {@code vectors}
 * @param semantic the semantic parts, or null when the model has none
 * @param degrees distinct training counterparts per row (the fold-in weights)
 * @param content the items' content vectors, unit length (cosine), rows x contentDim; null for
 *     users and for versions without a content space
 */
public record EmbeddingTable(
    String[] ids,
    int dim,
    float[] vectors,
    float[] collaborative,
    float[] semantic,
    int[] degrees,
    float[] content,
    int contentDim,
    Map<String, Integer> rowOf) {

  public EmbeddingTable {
    int n = ids.length;
    check(vectors.length == (long) n * dim, "vectors");
    check(collaborative == null || collaborative.length == vectors.length, "collaborative parts");
    check(semantic == null || semantic.length == vectors.length, "semantic parts");
    check(degrees.length == n, "degrees");
    check(content == null || content.length == (long) n * contentDim, "content vectors");
  }

  /** Builds the id index. */
  public static EmbeddingTable of(String[] ids, int dim, float[] vectors, float[] collaborative, float[] semantic,
      int[] degrees, float[] content, int contentDim) {
    Map<String, Integer> rowOf = new HashMap<>(ids.length * 4 / 3 + 1);
    for (int i = 0; i < ids.length; i++) {
      rowOf.put(ids[i], i);
    }
    return new EmbeddingTable(ids, dim, vectors, collaborative, semantic, degrees, content, contentDim, rowOf);
  }

  private static void check(boolean ok, String what) {
    if (!ok) {
      throw new IllegalArgumentException("embedding table: " + what + " do not match the row count and width");
    }
  }

  public int size() {
    return ids.length;
  }

  /** The row of {@code id}, or -1. */
  public int row(String id) {
    Integer r = rowOf.get(id);
    return r == null ? -1 : r;
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
