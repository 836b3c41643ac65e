package dev.crane.trainer.train;

import ai.djl.ndarray.NDArray;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.crane.trainer.data.IdMapping;
import dev.crane.trainer.engine.Autograd;
import dev.crane.trainer.engine.Tensors;
import dev.crane.trainer.model.Recommender;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A checkpoint directory: {@code checkpoint.json} (format version, model, config, metrics, id
 * mappings, parameter names and shapes) and {@code parameters.bin} (the parameters in that order,
 * float32 little-endian). Written to a temporary directory and renamed, so a reader never sees half
 * a checkpoint.
 */
public final class Checkpoint {
  public static final int FORMAT_VERSION = 1;
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** The JSON part. */
  public static final class Meta {
    public int formatVersion = FORMAT_VERSION;
    public String model;
    public TrainConfig config;
    public Map<String, Object> metrics = new LinkedHashMap<>();
    public List<String> userIds;
    public List<String> itemIds;
    public List<String> parameterNames = new ArrayList<>();
    public List<long[]> parameterShapes = new ArrayList<>();
    /** Where a service's model came from and what it became; null for a plain training run. */
    public Provenance provenance;
  }

  /** A position on a topic: every record below {@code endOffset} is covered. */
  public record Position(String topic, int partition, long endOffset) {}

  /**
   * What the trainer service records with a model it trained: the snapshot (its version, directory,
   * interaction count and its record's offset on topic snapshots), the input positions it covers, the
   * model version it is published as, and the metrics published with it.
   */
  public static final class Provenance {
    public long modelVersion;
    public long snapshotVersion;
    public String snapshotPath;
    public long snapshotOffset;
    public long snapshotInteractions;
    public List<Position> inputOffsets = new ArrayList<>();
    public Map<String, Double> metrics = new LinkedHashMap<>();
  }

  private final Meta meta;
  private final Map<String, float[]> parameters;

  public Checkpoint(Meta meta, Map<String, float[]> parameters) {
    this.meta = meta;
    this.parameters = parameters;
  }

  public static Checkpoint of(Recommender model, Map<String, float[]> values, TrainConfig config,
      IdMapping users, IdMapping items, Map<String, Object> metrics) {
    Meta m = new Meta();
    m.model = model.name();
    m.config = config;
    m.metrics.putAll(metrics);
    m.userIds = users.ids();
    m.itemIds = items.ids();
    model.parameters().all().forEach((name, p) -> {
      m.parameterNames.add(name);
      m.parameterShapes.add(p.getShape().getShape());
    });
    return new Checkpoint(m, values);
  }

  public Meta meta() {
    return meta;
  }

  public Map<String, float[]> parameters() {
    return parameters;
  }

  public void save(Path dir) throws IOException {
    Path parent = dir.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    Path tmp = Files.createTempDirectory(parent, ".ckpt-");
    JSON.writeValue(tmp.resolve("checkpoint.json").toFile(), meta);
    try (OutputStream os = Files.newOutputStream(tmp.resolve("parameters.bin"));
        DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(os, 1 << 20))) {
      for (String name : meta.parameterNames) {
        float[] v = parameters.get(name);
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        out.write(b.array());
      }
    }
    if (Files.exists(dir)) {
      deleteTree(dir);
    }
    Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
  }

  public static Checkpoint load(Path dir) throws IOException {
    Meta m = JSON.readValue(dir.resolve("checkpoint.json").toFile(), Meta.class);
    if (m.formatVersion != FORMAT_VERSION) {
      throw new IOException("checkpoint " + dir + " has format version " + m.formatVersion
          + "; this trainer reads version " + FORMAT_VERSION);
    }
    Map<String, float[]> values = new LinkedHashMap<>();
    try (InputStream is = Files.newInputStream(dir.resolve("parameters.bin"));
        DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(is, 1 << 20))) {
      for (int k = 0; k < m.parameterNames.size(); k++) {
        long size = 1;
        for (long s : m.parameterShapes.get(k)) {
          size *= s;
        }
        byte[] raw = new byte[Math.toIntExact(size * 4)];
        in.readFully(raw);
        float[] v = new float[(int) size];
        ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
        values.put(m.parameterNames.get(k), v);
      }
      if (in.read() != -1) {
        throw new IOException("parameters.bin in " + dir + " is longer than its manifest says");
      }
    }
    return new Checkpoint(m, values);
  }

  /** Copies the stored values into a freshly built model of the same shape. */
  public void applyTo(Recommender model) {
    Map<String, NDArray> ps = model.parameters().all();
    if (!ps.keySet().equals(parameters.keySet())) {
      throw new IllegalArgumentException("checkpoint parameters " + parameters.keySet()
          + " do not match model parameters " + ps.keySet());
    }
    Autograd.noGrad(() -> ps.forEach((name, p) -> {
      float[] v = parameters.get(name);
      if (v.length != p.getShape().size()) {
        throw new IllegalArgumentException("parameter " + name + " has " + v.length + " values, model expects " + p.getShape());
      }
      Tensors.assign(p, v);
    }));
  }

  private static void deleteTree(Path dir) throws IOException {
    try (var s = Files.walk(dir)) {
      for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
