package dev.crane.trainer.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.ArrayList;
import java.util.List;

/**
 * Backward steps written out by the model, run after autograd's pass in the reverse of the order they were
 * recorded, as autograd would run them. DJL has no custom autograd functions: an operator whose gradient is
 * written out computes its result from detached inputs and hands autograd a leaf; its entry here reads the leaf's
 * gradient once the loss's backward pass (and the entries recorded after it) have left it there, and sends the
 * inputs' gradients on ({@link #send}). Used where autograd's own gradient is much slower: embedding_bag's
 * backward sorts its indices on every call, while the written-out gradient is a forward bag over the transpose.
 */
public final class Tape {
  private final List<Runnable> entries = new ArrayList<>();

  public void add(Runnable entry) {
    entries.add(entry);
  }

  /** Runs the entries, last recorded first, and forgets them. */
  public void run() {
    List<Runnable> todo = new ArrayList<>(entries);
    entries.clear();
    for (int i = todo.size() - 1; i >= 0; i--) {
      todo.get(i).run();
    }
  }

  /** Forgets the entries without running them (a forward pass that will have no backward pass). */
  public void clear() {
    entries.clear();
  }

  public boolean isEmpty() {
    return entries.isEmpty();
  }

  /**
   * Sends {@code gradient} into {@code input}: into its accumulated gradient if it is a leaf, else on through the
   * graph that made it. That graph must be recorded (DJL can tell neither for an operator's result: its
   * requires_grad reads false, and asking for the gradient function of a tensor without one crashes the JVM), and
   * no operator in it that keeps tensors for its gradient (a product, a division) may have been run through by an
   * earlier backward pass, which frees them: a row slice of a leaf may, an addition or a gather may not.
   */
  public static void send(NDArray input, NDArray gradient) {
    JniUtils.backward((PtNDArray) input, (PtNDArray) gradient, false, false);
  }
}
