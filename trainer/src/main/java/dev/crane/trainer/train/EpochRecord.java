package dev.crane.trainer.train;

import java.util.Map;

/**
 * One epoch of the training log: mean batch loss, validation metrics and wall time, split into the
 * per-epoch preparation (graph resampling, kNN refresh), the {@code batches} training steps and the
 * evaluation (the rest), so a cost run capped with {@code maxBatches} can be scaled to a full epoch.
 */
public record EpochRecord(int epoch, double loss, Map<String, Double> valid, double seconds, boolean improved,
    int batches, double prepareSeconds, double stepSeconds) {}
