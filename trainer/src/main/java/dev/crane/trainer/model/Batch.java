package dev.crane.trainer.model;

import ai.djl.ndarray.NDArray;

/** One training batch of (user, positive, negative) triples, as index arrays on the model's device. */
public record Batch(NDArray users, NDArray positives, NDArray negatives, int size) {}
