package dev.crane.trainer.train;

import ai.djl.ndarray.NDArray;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.crane.trainer.config.TrainConfig;
import dev.crane.trainer.data.IdMapping;
import dev.crane.trainer.engine.Autograd;
import dev.crane.trainer.engine.Tensors;
import dev.crane.trainer.model.core.Recommender;
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
 * float32 little-endian); optionally {@code optimizer.bin}, Adam's first then second moments in the
 * same order and layout, its step count in the JSON ({@code optimizerSteps}; checkpoints without it
 * read as before). Written to a temporary directory and renamed, so a reader never sees half a
 * checkpoint.
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
    /** Adam's steps when {@code optimizer.bin} holds its moments; null without them. */
    public Integer optimizerSteps;
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
  private final Adam.State optimizer;

  public Checkpoint(Meta meta, Map<String, float[]> parameters) {
    this(meta, parameters, null);
  }

  /** @param optimizer Adam's state with these parameters, or null */
  public Checkpoint(Meta meta, Map<String, float[]> parameters, Adam.State optimizer) {
    this.meta = meta;
    this.parameters = parameters;
    this.optimizer = optimizer;
    meta.optimizerSteps = optimizer == null ? null : optimizer.steps();
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

  /** Adam's state with these parameters, or null when the checkpoint has none. */
  public Adam.State optimizer() {
    return optimizer;
  }

  /** The same checkpoint with Adam's state. */
  public Checkpoint withOptimizer(Adam.State state) {
    return new Checkpoint(meta, parameters, state);
  }

  public void save(Path dir) throws IOException {
    Path parent = dir.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    Path tmp = Files.createTempDirectory(parent, ".ckpt-");
    JSON.writeValue(tmp.resolve("checkpoint.json").toFile(), meta);
    write(tmp.resolve("parameters.bin"), parameters, null);
    if (optimizer != null) {
      write(tmp.resolve("optimizer.bin"), optimizer.m(), optimizer.v());
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
    List<Map<String, float[]>> values = read(dir.resolve("parameters.bin"), m, 1);
    Adam.State optimizer = null;
    if (m.optimizerSteps != null) {
      List<Map<String, float[]>> moments = read(dir.resolve("optimizer.bin"), m, 2);
      optimizer = new Adam.State(m.optimizerSteps, moments.get(0), moments.get(1));
    }
    return new Checkpoint(m, values.get(0), optimizer);
  }

  /** Every parameter's values of {@code first}, then of {@code second} (when not null), in manifest order. */
  private void write(Path file, Map<String, float[]> first, Map<String, float[]> second) throws IOException {
    try (OutputStream os = Files.newOutputStream(file);
        DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(os, 1 << 20))) {
      for (Map<String, float[]> part : second == null ? List.of(first) : List.of(first, second)) {
        for (String name : meta.parameterNames) {
          float[] v = part.get(name);
          ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
          b.asFloatBuffer().put(v);
          out.write(b.array());
        }
      }
    }
  }

  /** {@code parts} sets of every parameter's values, shaped as the manifest says; the file holds exactly those. */
  private static List<Map<String, float[]>> read(Path file, Meta m, int parts) throws IOException {
    List<Map<String, float[]>> out = new ArrayList<>();
    try (InputStream is = Files.newInputStream(file);
        DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(is, 1 << 20))) {
      for (int part = 0; part < parts; part++) {
        Map<String, float[]> values = new LinkedHashMap<>();
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
        out.add(values);
      }
      if (in.read() != -1) {
        throw new IOException(file.getFileName() + " in " + file.getParent() + " is longer than its manifest says");
      }
    }
    return out;
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
