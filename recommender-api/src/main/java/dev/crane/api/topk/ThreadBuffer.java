package dev.crane.api.topk;

/** A float array per thread, grown on demand: score arrays are reused across queries, not allocated per call. */
public final class ThreadBuffer {
  private final ThreadLocal<float[]> local = ThreadLocal.withInitial(() -> new float[0]);

  /** This thread's array, at least {@code size} long (its contents are whatever the last user left). */
  public float[] get(int size) {
    float[] b = local.get();
    if (b.length < size) {
      b = new float[size];
      local.set(b);
    }
    return b;
  }
}
