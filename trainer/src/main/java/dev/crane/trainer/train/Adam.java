package dev.crane.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.crane.trainer.engine.Autograd;
import dev.crane.trainer.model.Parameters;
import java.util.ArrayList;
import java.util.List;

/**
 * Adam exactly as torch.optim.Adam without weight decay or amsgrad:
 * m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; p -= lr/(1-b1^t) * m / (sqrt(v)/sqrt(1-b2^t) + eps).
 * Dense updates over every parameter (§5.2.4); gradients are zeroed after each step.
 */
public final class Adam {
  private final float lr;
  private final float beta1 = 0.9f;
  private final float beta2 = 0.999f;
  private final float eps = 1e-8f;
  private final List<NDArray> params = new ArrayList<>();
  private final List<NDArray> m = new ArrayList<>();
  private final List<NDArray> v = new ArrayList<>();
  private int step;

  public Adam(Parameters parameters, float lr) {
    this.lr = lr;
    NDManager manager = parameters.manager();
    for (NDArray p : parameters.all().values()) {
      params.add(p);
      m.add(manager.zeros(p.getShape(), p.getDataType(), p.getDevice()));
      v.add(manager.zeros(p.getShape(), p.getDataType(), p.getDevice()));
    }
  }

  /** One update from the accumulated gradients; call inside an NDScope so temporaries are freed. */
  public void step() {
    step++;
    double bc1 = 1 - Math.pow(beta1, step);
    double bc2 = 1 - Math.pow(beta2, step);
    Autograd.noGrad(() -> {
      for (int k = 0; k < params.size(); k++) {
        NDArray p = params.get(k);
        NDArray g = p.getGradient();
        m.get(k).muli(beta1).addi(g.mul(1 - beta1));
        v.get(k).muli(beta2).addi(g.square().muli(1 - beta2));
        NDArray denom = v.get(k).sqrt().divi((float) Math.sqrt(bc2)).addi(eps);
        p.subi(m.get(k).div(denom).muli((float) (lr / bc1)));
        Autograd.zeroGrad(p);
      }
    });
  }

  public int steps() {
    return step;
  }
}
