package dev.crane.trainer.model.core;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.crane.trainer.engine.Tensors;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A model's trainable tensors by name, in creation order (the order the optimizer and the
 * checkpoint use). Each is a gradient-recording leaf owned by the model's manager. Each also says
 * whether its rows belong to users or items ({@link Rows}), which is what a warm start needs to
 * carry a model over to data with more users and items.
 */
public final class Parameters {
  /** What a parameter's first axis indexes. */
  public enum Rows {
    /** A weight shared by every user and item (projections, attention): carried over whole. */
    SHARED,
    /** One learned row per user: old rows carried over, a new user's row from its items' rows. */
    USER,
    /** One learned row per item: old rows carried over, a new item's row from its content neighbours. */
    ITEM,
    /** One row per item taken from the data (fine-tuned raw features): a new item's row is its own data. */
    ITEM_DATA
  }

  private final NDManager manager;
  private final Map<String, NDArray> byName = new LinkedHashMap<>();
  private final Map<String, Rows> rows = new LinkedHashMap<>();

  public Parameters(NDManager manager) {
    this.manager = manager;
  }

  public NDArray add(String name, float[] values, Shape shape) {
    return add(name, values, shape, Rows.SHARED);
  }

  public NDArray add(String name, float[] values, Shape shape, Rows kind) {
    if (byName.containsKey(name)) {
      throw new IllegalArgumentException("parameter " + name + " defined twice");
    }
    NDArray p = Tensors.owned(manager, values, shape);
    p.setName(name);
    p.setRequiresGradient(true);
    byName.put(name, p);
    rows.put(name, kind);
    return p;
  }

  public Rows rows(String name) {
    get(name);
    return rows.get(name);
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
