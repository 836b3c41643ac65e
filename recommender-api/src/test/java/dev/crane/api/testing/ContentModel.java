package dev.crane.api.testing;

import dev.crane.api.bench.SyntheticModel;
import dev.crane.schemas.avro.ContentProjection;
import dev.crane.schemas.avro.ItemEmbedding;
import dev.crane.schemas.avro.ModalitySpec;
import dev.crane.schemas.avro.ModelVersion;
import dev.crane.schemas.avro.TopicOffset;
import dev.crane.schemas.avro.UserEmbedding;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A small crane-like version with every part EMBEDDINGS.md defines: collaborative and semantic
 * parts, degrees, one modality "image" of {@value #RAW} values with a projection to the content
 * space, and items' content computed through it.
 */
public final class ContentModel {
  public static final int RAW = 6;
  public final int dim;
  public final int users;
  public final int items;
  public final float[][] raw;
  private final float[] w;
  private final float[] b;
  private final SyntheticModel base;

  public ContentModel(int dim, int users, int items, long seed) {
    this.dim = dim;
    this.users = users;
    this.items = items;
    this.base = new SyntheticModel(dim, 6, seed);
    Random r = new Random(seed);
    raw = new float[items][RAW];
    for (float[] x : raw) {
      for (int j = 0; j < RAW; j++) {
        x[j] = (float) r.nextGaussian();
      }
    }
    w = new float[RAW * RAW];
    for (int i = 0; i < w.length; i++) {
      w[i] = (float) r.nextGaussian();
    }
    b = new float[RAW];
  }

  public float[] content(float[] x) {
    float[] y = new float[RAW];
    for (int o = 0; o < RAW; o++) {
      for (int i = 0; i < RAW; i++) {
        y[o] += w[o * RAW + i] * x[i];
      }
      y[o] += b[o];
    }
    return y;
  }

  public float[] collaborative(int i, long v) {
    return base.itemVector(i, v);
  }

  public float[] semantic(int i, long v) {
    float[] c = base.itemVector(i + 100_000, v);
    for (int j = 0; j < dim; j++) {
      c[j] *= 0.2f;
    }
    return c;
  }

  public float[] itemVector(int i, long v) {
    float[] c = collaborative(i, v);
    float[] s = semantic(i, v);
    for (int j = 0; j < dim; j++) {
      c[j] += s[j];
    }
    return c;
  }

  public int itemDegree(int i) {
    return base.itemDegree(i);
  }

  public float[] userCollaborative(int u, long v) {
    return base.userVector(u, v);
  }

  public float[] userSemantic(int u, long v) {
    float[] s = base.userVector(u + 100_000, v);
    for (int j = 0; j < dim; j++) {
      s[j] *= 0.2f;
    }
    return s;
  }

  public float[] userVector(int u, long v) {
    float[] c = userCollaborative(u, v);
    float[] s = userSemantic(u, v);
    for (int j = 0; j < dim; j++) {
      c[j] += s[j];
    }
    return c;
  }

  public List<UserEmbedding> userRecords(long v) {
    List<UserEmbedding> out = new ArrayList<>();
    for (int u = 0; u < users; u++) {
      out.add(UserEmbedding.newBuilder().setUserId(SyntheticModel.userId(u)).setModelVersion(v)
          .setVector(Events.list(userVector(u, v))).setCollaborative(Events.list(userCollaborative(u, v)))
          .setSemantic(Events.list(userSemantic(u, v))).setDegree(4).build());
    }
    return out;
  }

  public List<ItemEmbedding> itemRecords(long v) {
    List<ItemEmbedding> out = new ArrayList<>();
    for (int i = 0; i < items; i++) {
      out.add(ItemEmbedding.newBuilder().setItemId(SyntheticModel.itemId(i)).setModelVersion(v)
          .setVector(Events.list(itemVector(i, v))).setCollaborative(Events.list(collaborative(i, v)))
          .setSemantic(Events.list(semantic(i, v))).setDegree(itemDegree(i))
          .setContent(Events.list(content(raw[i]))).build());
    }
    return out;
  }

  /** The manifest of version v with the given interaction offsets (partition to end offset). */
  public ModelVersion.Builder manifest(long v, java.util.Map<Integer, Long> offsets) {
    List<TopicOffset> in = new ArrayList<>();
    offsets.forEach((p, o) -> in.add(new TopicOffset("interactions", p, o)));
    return base.manifest(v, "crane").setInputOffsets(in)
        .setModalities(List.of(new ModalitySpec("image", RAW)))
        .setContentProjections(List.of(new ContentProjection("image", RAW, RAW, le(w), le(b))));
  }

  private static ByteBuffer le(float[] a) {
    ByteBuffer buf = ByteBuffer.allocate(a.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    buf.asFloatBuffer().put(a);
    return buf;
  }
}
