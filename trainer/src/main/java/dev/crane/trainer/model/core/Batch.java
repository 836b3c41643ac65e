package dev.crane.trainer.model.core;

import ai.djl.ndarray.NDArray;

/**
 * One training batch of (user, positive, negative) triples: index arrays on the model's device, and
 * the user and positive rows in Java for losses that need the distinct ids (InfoNCE, Eq. 19).
 */
public record Batch(NDArray users, NDArray positives, NDArray negatives, int size, long[] userRows,
    long[] positiveRows) {}
