package dev.crane.api.topk;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Picks the fastest kernel this JVM can run. */
public final class Kernels {
  private static final Logger LOG = LoggerFactory.getLogger(Kernels.class);
  private static final ScoreKernel BEST = choose();

  private Kernels() {}

  /** The Vector API kernel when the module is present, else plain loops. */
  public static ScoreKernel best() {
    return BEST;
  }

  /** The plain-loop kernel (tests compare the two). */
  public static ScoreKernel loops() {
    return new LoopKernel();
  }

  /** The Vector API kernel, or null when the JVM lacks the module. */
  public static ScoreKernel vectorApi() {
    return vectorModulePresent() ? new VectorApiKernel() : null;
  }

  static boolean vectorModulePresent() {
    return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
  }

  private static ScoreKernel choose() {
    if (vectorModulePresent()) {
      return new VectorApiKernel();
    }
    LOG.warn("exact top-k uses plain loops, about 4x slower than the Vector API: start the JVM with "
        + "--add-modules jdk.incubator.vector");
    return new LoopKernel();
  }
}
