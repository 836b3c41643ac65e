package dev.crane.trainer.engine;

import ai.djl.ndarray.NDArray;
import java.util.function.BinaryOperator;

/**
 * Arithmetic with a constant, safe under autograd. DJL's {@code x.mul(2f)} (and div, add,
 * maximum, clip with a Number) wraps the constant in a tensor over a direct ByteBuffer
 * (from_blob) and closes the wrapper right away; autograd keeps that tensor for the backward
 * pass (mul/div/maximum save it), and once the GC frees the buffer, backward reads freed
 * memory. This produced the NaN losses and native crashes of CRANE paper mode on TikTok.
 * Here the constant is a libtorch-owned copy, kept alive by autograd's reference alone.
 */
public final class Scalars {
  private Scalars() {}

  /** A 0-d float tensor on {@code like}'s device whose storage libtorch owns. */
  public static NDArray of(NDArray like, float value) {
    try (NDArray view = like.getManager().create(value)) {
      return view.duplicate();
    }
  }

  public static NDArray mul(NDArray x, float value) {
    return with(x, value, NDArray::mul);
  }

  public static NDArray div(NDArray x, float value) {
    return with(x, value, NDArray::div);
  }

  public static NDArray add(NDArray x, float value) {
    return with(x, value, NDArray::add);
  }

  /** max(x, floor) elementwise. */
  public static NDArray atLeast(NDArray x, float floor) {
    return with(x, floor, NDArray::maximum);
  }

  /** 1 / x elementwise. */
  private static NDArray reciprocal(NDArray x) {
    return with(x, 1f, (a, one) -> one.div(a));
  }

  /** 1 / max(|x_n|, 1e-12) per row, N x 1. */
  public static NDArray inverseRowNorms(NDArray x) {
    return reciprocal(atLeast(x.norm(new int[] {1}, true), 1e-12f));
  }

  /**
   * Rows scaled to unit L2 norm; all-zero rows stay zero (MMRec would give NaN). Multiplied by the N x 1
   * reciprocal instead of divided by the norm: an N x d division and the backward's two are the
   * costliest element-wise operators of a paper-mode step.
   */
  public static NDArray unitRows(NDArray x) {
    return x.mul(inverseRowNorms(x));
  }

  private static NDArray with(NDArray x, float value, BinaryOperator<NDArray> op) {
    try (NDArray s = of(x, value)) {
      return op.apply(x, s);
    }
  }
}
