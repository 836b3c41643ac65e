package dev.crane.trainer.engine;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * libtorch operators that DJL's Java API does not expose, called through one-method TorchScript modules
 * built here from source text (libtorch compiles the module's code when it loads the archive, so nothing
 * but the PyTorch library DJL already loads is needed). Calls record autograd like any other operator.
 *
 * <p>The archive is TorchScript's serialization format at its smallest: {@code data.pkl} (the module
 * object, pickle protocol 2, its one attribute {@code training}), {@code code/__torch__.py} (the class
 * and its {@code forward}), {@code constants.pkl} (an empty tuple) and {@code version}.
 */
public final class ScriptedOps {
  private static final Op BAG_SUM = new Op("table: Tensor, indices: Tensor, offsets: Tensor, weights: Tensor",
      "    _0, _1, _2, _3 = torch.embedding_bag(table, indices, offsets, False, 0, False, weights, False)\n"
          + "    return _0\n");
  private static final Op ROW_DOTS = new Op("a: Tensor, b: Tensor, indices: Tensor, starts: Tensor, bag_of: Tensor",
      "    return torch._embedding_bag_per_sample_weights_backward(a, b, indices, starts, bag_of, 0)\n");
  private static NDManager modules; // owns the modules for the life of the process

  private ScriptedOps() {}

  /**
   * Row b of the result is Σ_j weights[j] table[indices[j]] over j in [offsets[b], offsets[b+1]) (the last
   * bag runs to the end; an empty bag gives zeros): torch.embedding_bag in sum mode with per-sample weights,
   * one fused gather-and-sum forward and a scatter-add backward into {@code table} (and into
   * {@code weights} when they need a gradient). The result belongs to {@code table}'s manager.
   */
  public static NDArray bagSum(NDArray table, NDArray indices, NDArray offsets, NDArray weights) {
    return BAG_SUM.run(table, indices, offsets, weights);
  }

  /**
   * Entry j of the result is the dot product of {@code a[bagOf[j]]} and {@code b[indices[j]]}, without
   * gradient (libtorch's per-sample-weight gradient of embedding_bag, which has no derivative of its own: pass
   * tensors that need none). {@code starts} are the bags' first entries, as in {@link #bagSum}.
   */
  public static NDArray rowDots(NDArray a, NDArray b, NDArray indices, NDArray starts, NDArray bagOf) {
    return ROW_DOTS.run(a, b, indices, starts, bagOf);
  }

  /** One scripted operator: its forward's parameters and body, the module loaded at the first call. */
  private static final class Op {
    private final String parameters;
    private final String body;
    private volatile PtSymbolBlock module;

    Op(String parameters, String body) {
      this.parameters = parameters;
      this.body = body;
    }

    /**
     * Runs the operator recording autograd as the thread's mode says. DJL passes a named array as a dict or list
     * entry (parameters are named, e.g. image_proj.weight), so named ones go in as unnamed views.
     */
    NDArray run(NDArray... inputs) {
      PtSymbolBlock m = module;
      if (m == null) {
        synchronized (ScriptedOps.class) {
          if (module == null) {
            module = load(parameters, body);
          }
          m = module;
        }
      }
      NDList list = new NDList(inputs.length);
      for (NDArray x : inputs) {
        list.add(x.getName() == null ? x : x.reshape(x.getShape()));
      }
      return IValueUtils.forward(m, list, true).singletonOrThrow();
    }
  }

  /** A module whose forward takes {@code parameters} and runs {@code body} (called under the class lock). */
  private static PtSymbolBlock load(String parameters, String body) {
    String code = "class Op(Module):\n"
        + "  __parameters__ = []\n"
        + "  __buffers__ = []\n"
        + "  training : bool\n"
        + "  def forward(self: __torch__.Op, " + parameters + ") -> Tensor:\n"
        + body;
    try {
      if (modules == null) {
        modules = Engine.getEngine("PyTorch").newBaseManager();
      }
      PtSymbolBlock block = JniUtils.loadModule((PtNDManager) modules, new ByteArrayInputStream(archive(code)), false,
          false);
      JniUtils.enableTrainingMode(block);
      return block;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static byte[] archive(String code) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      zip.setMethod(ZipOutputStream.STORED); // uncompressed, as torch.jit.save writes them
      put(zip, "op/data.pkl", moduleObject());
      put(zip, "op/code/__torch__.py", code.getBytes(StandardCharsets.UTF_8));
      put(zip, "op/constants.pkl", new byte[] {(byte) 0x80, 2, ')', '.'}); // PROTO 2, EMPTY_TUPLE, STOP
      put(zip, "op/version", "3\n".getBytes(StandardCharsets.US_ASCII));
    }
    return bytes.toByteArray();
  }

  /** Pickle of {@code __torch__.Op()} with {@code training = True}. */
  private static byte[] moduleObject() {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes(new byte[] {(byte) 0x80, 2}); // PROTO 2
    b.writeBytes("c__torch__\nOp\n".getBytes(StandardCharsets.US_ASCII)); // GLOBAL __torch__.Op
    b.writeBytes(new byte[] {'q', 0, ')', (byte) 0x81, '}', '('}); // BINPUT, EMPTY_TUPLE, NEWOBJ, EMPTY_DICT, MARK
    byte[] key = "training".getBytes(StandardCharsets.US_ASCII);
    b.writeBytes(new byte[] {'X', (byte) key.length, 0, 0, 0}); // BINUNICODE
    b.writeBytes(key);
    b.writeBytes(new byte[] {'q', 1, (byte) 0x88, 'u', 'b', '.'}); // BINPUT, NEWTRUE, SETITEMS, BUILD, STOP
    return b.toByteArray();
  }

  private static void put(ZipOutputStream zip, String name, byte[] data) throws IOException {
    ZipEntry entry = new ZipEntry(name);
    CRC32 crc = new CRC32();
    crc.update(data);
    entry.setSize(data.length);
    entry.setCompressedSize(data.length);
    entry.setCrc(crc.getValue());
    zip.putNextEntry(entry);
    zip.write(data);
    zip.closeEntry();
  }
}
