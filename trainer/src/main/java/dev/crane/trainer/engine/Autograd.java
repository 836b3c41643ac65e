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
   * Whether operators are being recorded for a backward pass (inside a gradient collector, outside noGrad).
   * Asked of the mode, not of a tensor: the engine's requiresGrad answers false for results of recorded operators.
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
