package dev.crane.api.topk;

/** Rows and their scores, best first. */
public record Hits(int[] rows, float[] scores) {
  public static final Hits EMPTY = new Hits(new int[0], new float[0]);

  public int size() {
    return rows.length;
  }
}
