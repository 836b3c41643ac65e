package dev.crane.trainer.model.core;

import ai.djl.ndarray.NDArray;

/** The vectors used for scoring (paper Eq. 17): score(u, i) = <users[u], items[i]>. */
public record FinalEmbeddings(NDArray users, NDArray items) {}
