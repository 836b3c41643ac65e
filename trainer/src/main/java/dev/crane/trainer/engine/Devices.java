package dev.crane.trainer.engine;

import ai.djl.Device;
import ai.djl.engine.Engine;

/** Picks the device: the first GPU when DJL finds one, otherwise the CPU. */
public final class Devices {
  private Devices() {}

  /** Makes DJL load libtorch from the pytorch-native-cpu jar instead of downloading it. */
  public static void ensureOffline() {
    if (System.getProperty("ai.djl.offline") == null) {
      System.setProperty("ai.djl.offline", "true");
    }
  }

  public static Device pick(boolean forceCpu) {
    if (!forceCpu && Engine.getInstance().getGpuCount() > 0) {
      return Device.gpu();
    }
    return Device.cpu();
  }
}
