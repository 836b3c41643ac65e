package dev.crane.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.crane.trainer.engine.Autograd;
import dev.crane.trainer.model.core.Parameters;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Adam exactly as torch.optim.Adam without weight decay or amsgrad:
 * m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; p -= lr/(1-b1^t) * m / (sqrt(v)/sqrt(1-b2^t) + eps).
 * Dense updates over every parameter (§5.2.4); gradients are zeroed after each step. It can start
 * from a saved {@link State}: a fine-tune then takes the converged model's step sizes instead of a
 * fresh optimizer's, whose first steps move every weight by about the learning rate.
 */
public final class Adam {
  /**
   * The moments of each parameter (by name, the parameter's shape flattened) and the steps taken.
   * Rows a parameter has and the state lacks start at zero.
   */
  public record State(int steps, Map<String, float[]> m, Map<String, float[]> v) {}

  private final float lr;
  private final float beta1 = 0.9f;
  private final float beta2 = 0.999f;
  private final float eps = 1e-8f;
  private final List<String> names = new ArrayList<>();
  private final List<NDArray> params = new ArrayList<>();
  private final List<NDArray> m = new ArrayList<>();
  private final List<NDArray> v = new ArrayList<>();
  private int step;

  public Adam(Parameters parameters, float lr) {
    this(parameters, lr, null);
  }

  /** @param start the state to continue from, or null for a fresh optimizer */
  public Adam(Parameters parameters, float lr, State start) {
    this.lr = lr;
    NDManager manager = parameters.manager();
    for (Map.Entry<String, NDArray> e : parameters.all().entrySet()) {
      NDArray p = e.getValue();
      names.add(e.getKey());
      params.add(p);
      m.add(moment(manager, p, start == null ? null : start.m().get(e.getKey())));
      v.add(moment(manager, p, start == null ? null : start.v().get(e.getKey())));
    }
    this.step = start == null ? 0 : start.steps();
  }

  /** A moment shaped as {@code p}: the saved values first (a prefix of the rows), zeros after. */
  private static NDArray moment(NDManager manager, NDArray p, float[] saved) {
    NDArray out = manager.zeros(p.getShape(), p.getDataType(), p.getDevice());
    if (saved != null) {
      long size = p.getShape().size();
      if (saved.length > size) {
        throw new IllegalArgumentException("saved optimizer moment has " + saved.length + " values, parameter "
            + p.getShape() + " only " + size);
      }
      dev.crane.trainer.engine.Tensors.assign(out, java.util.Arrays.copyOf(saved, Math.toIntExact(size)));
    }
    return out;
  }

  /** A copy of the current state (for a checkpoint). */
  public State state() {
    Map<String, float[]> ms = new LinkedHashMap<>();
    Map<String, float[]> vs = new LinkedHashMap<>();
    for (int k = 0; k < names.size(); k++) {
      ms.put(names.get(k), m.get(k).toFloatArray());
      vs.put(names.get(k), v.get(k).toFloatArray());
    }
    return new State(step, ms, vs);
  }

  /** One update from the accumulated gradients; call inside an NDScope so temporaries are freed. */
  public void step() {
    step++;
    double bc1 = 1 - Math.pow(beta1, step);
    double sqrtBc2 = Math.sqrt(1 - Math.pow(beta2, step));
    // torch's p -= lr/bc1 * m / (sqrt(v)/sqrt(bc2) + eps), written as DJL's one native update computes it:
    // p -= (lr sqrt(bc2)/bc1) m / (sqrt(v) + eps sqrt(bc2)); one JNI call per parameter instead of fourteen,
    // which also zeroes the gradient (weight decay 0, no clipping: -1)
    float stepSize = (float) (lr * sqrtBc2 / bc1);
    float scaledEps = (float) (eps * sqrtBc2);
    Autograd.noGrad(() -> {
      for (int k = 0; k < params.size(); k++) {
        NDArray p = params.get(k);
        p.getNDArrayInternal().adamUpdate(new NDList(p, p.getGradient(), m.get(k), v.get(k)), new NDList(p),
            lr, stepSize, 0f, 1f, -1f, beta1, beta2, scaledEps, false, false);
      }
    });
  }

  public int steps() {
    return step;
  }
}
