package dev.crane.trainer.train;

import java.util.List;
import java.util.Map;

/**
 * Outcome of a run. Test metrics are those of the best validation epoch (never selected on test).
 *
 * @param stopReason "early-stopping", "max-epochs", "nan-loss", "stop-requested" or "time-budget"
 */
public record TrainResult(
    int bestEpoch, Map<String, Double> bestValid, Map<String, Double> bestTest,
    List<EpochRecord> history, String stopReason, double secondsPerEpoch, double totalSeconds) {}
