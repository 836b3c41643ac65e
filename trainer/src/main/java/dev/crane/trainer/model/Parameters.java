package dev.crane.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.crane.trainer.engine.Tensors;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A model's trainable tensors by name, in creation order (the order the optimizer and the
 * checkpoint use). Each is a gradient-recording leaf owned by the model's manager.
 */
public final class Parameters {
  private final NDManager manager;
  private final Map<String, NDArray> byName = new LinkedHashMap<>();

  public Parameters(NDManager manager) {
    this.manager = manager;
  }

  public NDArray add(String name, float[] values, Shape shape) {
    if (byName.containsKey(name)) {
      throw new IllegalArgumentException("parameter " + name + " defined twice");
    }
    NDArray p = Tensors.owned(manager, values, shape);
    p.setName(name);
    p.setRequiresGradient(true);
    byName.put(name, p);
    return p;
  }

  public NDArray get(String name) {
    NDArray p = byName.get(name);
    if (p == null) {
      throw new IllegalArgumentException("no parameter " + name);
    }
    return p;
  }

  public Map<String, NDArray> all() {
    return Collections.unmodifiableMap(byName);
  }

  public long count() {
    return byName.values().stream().mapToLong(p -> p.getShape().size()).sum();
  }

  public NDManager manager() {
    return manager;
  }
}
