package dev.crane.trainer.engine;

import ai.djl.pytorch.jni.JniUtils;

/**
 * The PyTorch autograd control DJL's engine-neutral API lacks: a no-grad section (optimizer updates,
 * evaluation). Zeroing the accumulated gradients (PtGradientCollector does not) is part of
 * train.Adam's native update.
 */
public final class Autograd {
  private Autograd() {}

  /**
   * Whether this thread records operators for a backward pass (a gradient collector's section, not noGrad).
   * Asked of libtorch's mode, not of an array: DJL's hasGradient is a flag of the Java array, false for the
   * results of recorded operators.
   */
  public static boolean recording() {
    return JniUtils.isGradMode();
  }

  /** Runs {@code body} with gradient recording off, restoring the previous mode. */
  public static void noGrad(Runnable body) {
    boolean prev = JniUtils.isGradMode();
    JniUtils.setGradMode(false);
    try {
      body.run();
    } finally {
      JniUtils.setGradMode(prev);
    }
  }
}
