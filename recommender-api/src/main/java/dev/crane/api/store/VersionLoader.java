package dev.crane.api.store;

import dev.crane.api.coldstart.ColdStartPlacer;
import dev.crane.api.model.EmbeddingTable;
import dev.crane.api.model.Ids;
import dev.crane.api.model.Projection;
import dev.crane.api.model.VersionData;
import dev.crane.api.model.VersionInfo;
import dev.crane.schemas.Modality;
import dev.crane.schemas.Topics;
import dev.crane.schemas.avro.ContentProjection;
import dev.crane.schemas.avro.ModalitySpec;
import dev.crane.schemas.avro.ModelVersion;
import dev.crane.schemas.avro.TopicOffset;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds a version's tables from the store, checking the contract of schemas/EMBEDDINGS.md:
 * exactly {@code userCount} users and {@code itemCount} items of width {@code dim}, semantic parts
 * on all records of a side or on none, content of the manifest's content width.
 */
public final class VersionLoader {
  /** The loaded version, or why it is not (yet) complete. */
  public record Result(VersionData data, String problem) {}

  private final LocalStore store;

  public VersionLoader(LocalStore store) {
    this.store = store;
  }

  /** The manifest as the API uses it; fails with a message on malformed projections. */
  public static VersionInfo info(ModelVersion m) {
    Map<Integer, Long> offsets = new HashMap<>();
    for (TopicOffset o : m.getInputOffsets()) {
      if (Topics.INTERACTIONS.equals(o.getTopic())) {
        offsets.put(o.getPartition(), o.getEndOffset());
      }
    }
    List<Modality> modalities = new ArrayList<>();
    for (ModalitySpec s : m.getModalities()) {
      modalities.add(new Modality(s.getName(), s.getDim()));
    }
    List<Projection> projections = new ArrayList<>();
    for (ContentProjection p : m.getContentProjections()) {
      projections.add(new Projection(p.getModality(), p.getInputDim(), p.getOutputDim(),
          floats(p.getWeights(), (long) p.getInputDim() * p.getOutputDim(), p.getModality() + " weights"),
          floats(p.getBias(), p.getOutputDim(), p.getModality() + " bias")));
    }
    if (!projections.isEmpty() && projections.size() != modalities.size()) {
      throw new IllegalArgumentException(projections.size() + " content projections for " + modalities.size()
          + " modalities");
    }
    return new VersionInfo(m.getVersion(), m.getModel(), m.getDim(), m.getUserCount(), m.getItemCount(),
        m.getMetrics(), m.getCreatedAt().toEpochMilli(), offsets, modalities, projections);
  }

  private static float[] floats(ByteBuffer b, long n, String what) {
    ByteBuffer d = b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    if (d.remaining() != n * Float.BYTES) {
      throw new IllegalArgumentException("projection " + what + ": " + d.remaining() + " bytes, expected " + n * 4);
    }
    float[] out = new float[(int) n];
    d.asFloatBuffer().get(out);
    return out;
  }

  /** Loads the version of {@code info} when the store holds exactly what its manifest announces. */
  public Result load(VersionInfo info) {
    Side users = new Side(info.dim(), info.userCount(), 0);
    store.forEachEmbedding(true, info.version(), users::add);
    if (users.problem != null || users.n != info.userCount()) {
      return new Result(null, users.problem != null ? users.problem
          : "holds " + users.n + " of " + info.userCount() + " user records");
    }
    Side items = new Side(info.dim(), info.itemCount(), info.contentDim());
    store.forEachEmbedding(false, info.version(), items::add);
    if (items.problem != null || items.n != info.itemCount()) {
      return new Result(null, items.problem != null ? items.problem
          : "holds " + items.n + " of " + info.itemCount() + " item records");
    }
    return new Result(new VersionData(info, users.table(), items.table()), null);
  }

  /** Accumulates one side's records into contiguous arrays. */
  private static final class Side {
    private final int dim;
    private final int contentDim;
    private final int capacity;
    private final Ids.Builder ids;
    private final float[] vectors;
    private float[] collaborative;
    private float[] semantic;
    private final int[] degrees;
    private final float[] content;
    private int n;
    private int withSemantic;
    private String problem;

    Side(int dim, long expected, int contentDim) {
      this.dim = dim;
      this.contentDim = contentDim;
      int cap = (int) Math.min(Integer.MAX_VALUE - 8, Math.max(0, expected));
      capacity = cap;
      ids = new Ids.Builder(cap);
      vectors = new float[cap * dim];
      degrees = new int[cap];
      content = contentDim > 0 ? new float[cap * contentDim] : null;
    }

    void add(String id, byte[] bytes) {
      add0(id, bytes);
      if (problem == null && withSemantic != 0 && withSemantic != n) {
        problem = "record " + id + " and others disagree on having a semantic part (all or none, EMBEDDINGS.md)";
      }
    }

    private void add0(String id, byte[] bytes) {
      if (problem != null) {
        return;
      }
      if (n >= capacity) {
        problem = "holds more records than the manifest's count " + capacity;
        return;
      }
      EmbeddingCodec.Entry e = EmbeddingCodec.decode(bytes);
      if (e.vector().length != dim) {
        problem = "record " + id + " has width " + e.vector().length + ", the manifest says " + dim;
        return;
      }
      ids.add(id);
      System.arraycopy(e.vector(), 0, vectors, n * dim, dim);
      if (e.collaborative() != null) {
        if (collaborative == null) {
          collaborative = new float[capacity * dim];
          System.arraycopy(vectors, 0, collaborative, 0, n * dim); // earlier records: parts = vector
        }
        System.arraycopy(e.collaborative(), 0, collaborative, n * dim, dim);
      } else if (collaborative != null) {
        System.arraycopy(e.vector(), 0, collaborative, n * dim, dim);
      }
      if (e.semantic() != null) {
        if (semantic == null) {
          semantic = new float[capacity * dim];
        }
        System.arraycopy(e.semantic(), 0, semantic, n * dim, dim);
        withSemantic++;
      }
      degrees[n] = e.degree();
      if (content != null && e.content() != null) {
        if (e.content().length != contentDim) {
          problem = "item " + id + " has content of width " + e.content().length + ", the projections give "
              + contentDim;
          return;
        }
        float[] unit = e.content().clone();
        if (ColdStartPlacer.normalise(unit)) {
          System.arraycopy(unit, 0, content, n * contentDim, contentDim);
        }
      }
      n++;
    }

    EmbeddingTable table() {
      return new EmbeddingTable(ids.build(), dim, vectors, collaborative, semantic, degrees, content, contentDim);
    }
  }
}
