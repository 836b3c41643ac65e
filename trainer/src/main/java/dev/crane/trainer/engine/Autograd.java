package dev.crane.trainer.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/**
 * The few PyTorch autograd controls DJL's engine-neutral API lacks: a no-grad section (optimizer
 * updates, evaluation) and zeroing a leaf's accumulated gradient (PtGradientCollector does not
 * zero gradients between steps).
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

  public static void zeroGrad(NDArray leaf) {
    JniUtils.zeroGrad((PtNDArray) leaf);
  }
}
