package dev.crane.trainer.model.crane;

import dev.crane.trainer.engine.Scalars;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import dev.crane.trainer.model.core.Init;
import dev.crane.trainer.model.core.Parameters;
import java.util.SplittableRandom;

/**
 * Multi-head self-attention with PyTorch MultiheadAttention's parameters, shapes and inits
 * (crane-spec.md §2.1): in_proj W_in (3d x d, Xavier-uniform), c_in (3d, zeros); out_proj W_o
 * (d x d, U(±1/√d), Linear's default) and c_o (d, zeros). No dropout, no bias_kv, no residual.
 *
 * <p>Input (B, S, d) = B independent sequences of S tokens. For each sequence and head h (columns
 * h·d/H .. (h+1)·d/H of Q, K, V = X W_{q,k,v}ᵀ + c_{q,k,v}): softmax over keys of
 * Q_h K_hᵀ / √(d/H), times V_h; heads concatenated, then W_o, c_o (§2.4 step 2).
 */
public final class MultiHeadAttention {
  private final int dim;
  private final int heads;
  private final NDArray inWeight;
  private final NDArray inBias;
  private final NDArray outWeight;
  private final NDArray outBias;

  public MultiHeadAttention(int dim, int heads, String prefix, Parameters params, SplittableRandom rng) {
    if (heads < 1 || dim % heads != 0) {
      throw new IllegalArgumentException("embedding dim " + dim + " is not divisible by " + heads + " heads");
    }
    this.dim = dim;
    this.heads = heads;
    this.inWeight = params.add(prefix + ".in_proj_weight", Init.xavierUniform(rng, 3 * dim, dim), new Shape(3L * dim, dim));
    this.inBias = params.add(prefix + ".in_proj_bias", new float[3 * dim], new Shape(3L * dim));
    this.outWeight = params.add(prefix + ".out_proj.weight", Init.uniform(rng, dim * dim, 1 / Math.sqrt(dim)),
        new Shape(dim, dim));
    this.outBias = params.add(prefix + ".out_proj.bias", new float[dim], new Shape(dim));
  }

  /** @param x (B, S, d) @return (B, S, d) */
  public NDArray apply(NDArray x) {
    Shape s = x.getShape();
    long b = s.get(0);
    long len = s.get(1);
    long dh = dim / heads;
    NDList qkv = x.matMul(inWeight.transpose()).add(inBias).split(3, 2);
    // PyTorch scales q before the product, so only one S x S score tensor is created per head
    NDArray q = toHeads(Scalars.mul(qkv.get(0), (float) (1 / Math.sqrt(dh))), b, len, dh);
    NDArray k = toHeads(qkv.get(1), b, len, dh);
    NDArray v = toHeads(qkv.get(2), b, len, dh);
    NDArray scores = q.batchMatMul(k.transpose(0, 2, 1));
    NDArray att = scores.softmax(2);
    // autograd keeps what softmax's backward needs (its output); the raw scores can go now, which
    // matters on the items axis where each is (B·H) x I x I floats
    scores.close();
    NDArray o = att.batchMatMul(v).reshape(b, heads, len, dh).transpose(0, 2, 1, 3).reshape(b, len, dim);
    return o.matMul(outWeight.transpose()).add(outBias);
  }

  /** (B, S, d) -> (B·H, S, d/H). */
  private NDArray toHeads(NDArray t, long b, long len, long dh) {
    return t.reshape(b, len, heads, dh).transpose(0, 2, 1, 3).reshape(b * heads, len, dh);
  }

  public int heads() {
    return heads;
  }
}
