package dev.crane.trainer.engine;

import ai.djl.pytorch.jni.JniUtils;

/**
 * The PyTorch autograd control DJL's engine-neutral API lacks: a no-grad section (optimizer updates,
 * evaluation). Zeroing the accumulated gradients (PtGradientCollector does not) is part of
 * train.Adam's native update.
 */
public final class Autograd {
  private Autograd() {}

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
