package dev.crane.trainer.train;

import java.util.Map;

/** One epoch of the training log: mean batch loss, validation metrics and wall time. */
public record EpochRecord(int epoch, double loss, Map<String, Double> valid, double seconds, boolean improved) {}
