package dev.crane.trainer.publish;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.crane.schemas.avro.ContentProjection;
import dev.crane.schemas.avro.ItemEmbedding;
import dev.crane.schemas.avro.ModalitySpec;
import dev.crane.schemas.avro.ModelStatus;
import dev.crane.schemas.avro.ModelVersion;
import dev.crane.schemas.avro.TopicOffset;
import dev.crane.schemas.avro.UserEmbedding;
import dev.crane.trainer.data.TrainingData;
import dev.crane.trainer.engine.Autograd;
import dev.crane.trainer.model.core.ContentMap;
import dev.crane.trainer.model.core.ContentSpace;
import dev.crane.trainer.model.core.EmbeddingParts;
import dev.crane.trainer.model.core.Recommender;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.util.AbstractList;
import java.util.List;
import java.util.Map;
import java.util.RandomAccess;

/**
 * A model version as the topics carry it (schemas/EMBEDDINGS.md), held as flat arrays: the records
 * are made one at a time while they are sent, so a 200k-user version never exists as boxed Avro
 * lists all at once.
 *
 * @param userSemantic null when the model has no semantic user part; likewise {@code itemSemantic}
 * @param itemContent I x contentDim, null when the data has no item features
 */
public record VersionData(long version, String model, int dim, Long snapshotVersion, List<TopicOffset> inputOffsets,
    Map<String, Double> metrics, long createdAt,
    List<String> userIds, float[] userCollaborative, float[] userSemantic, int[] userDegree,
    List<String> itemIds, float[] itemCollaborative, float[] itemSemantic, int[] itemDegree,
    List<ContentMap> contentMaps, float[] itemContent, int contentDim) {

  /** The model's current parameters as version {@code version}. */
  public static VersionData of(long version, Recommender model, TrainingData data, Map<String, Double> metrics,
      Long snapshotVersion, List<TopicOffset> inputOffsets) {
    float[][] parts = new float[4][];
    float[][] content = new float[1][];
    List<ContentMap> maps = data.features().isEmpty() ? List.of() : model.contentMaps(data.features());
    NDManager manager = model.parameters().manager();
    Autograd.noGrad(() -> {
      try (NDScope scope = new NDScope()) {
        EmbeddingParts p = model.parts();
        parts[0] = p.userCollaborative().toFloatArray();
        parts[1] = p.userSemantic() == null ? null : p.userSemantic().toFloatArray();
        parts[2] = p.itemCollaborative().toFloatArray();
        parts[3] = p.itemSemantic() == null ? null : p.itemSemantic().toFloatArray();
        if (!maps.isEmpty()) {
          NDArray c = ContentSpace.of(manager, data.features(), maps);
          content[0] = c.toFloatArray();
        }
      }
    });
    int dim = parts[0].length / Math.max(1, data.numUsers());
    int contentDim = maps.stream().mapToInt(ContentMap::outputDim).sum();
    return new VersionData(version, model.name(), dim, snapshotVersion, List.copyOf(inputOffsets), Map.copyOf(metrics),
        System.currentTimeMillis(), data.userIds().ids(), parts[0], parts[1], data.userDegree(), data.itemIds().ids(),
        parts[2], parts[3], data.itemDegree(), maps, content[0], contentDim);
  }

  public int userCount() {
    return userIds.size();
  }

  public int itemCount() {
    return itemIds.size();
  }

  public UserEmbedding user(int row) {
    return UserEmbedding.newBuilder().setUserId(userIds.get(row)).setModelVersion(version)
        .setVector(sum(userCollaborative, userSemantic, row, dim))
        .setCollaborative(view(userCollaborative, row * dim, dim))
        .setSemantic(userSemantic == null ? null : view(userSemantic, row * dim, dim))
        .setDegree(userDegree[row]).build();
  }

  public ItemEmbedding item(int row) {
    return ItemEmbedding.newBuilder().setItemId(itemIds.get(row)).setModelVersion(version)
        .setVector(sum(itemCollaborative, itemSemantic, row, dim))
        .setCollaborative(view(itemCollaborative, row * dim, dim))
        .setSemantic(itemSemantic == null ? null : view(itemSemantic, row * dim, dim))
        .setDegree(itemDegree[row])
        .setContent(itemContent == null ? null : view(itemContent, row * contentDim, contentDim)).build();
  }

  /** The manifest: COMPLETE for a published version. */
  public ModelVersion manifest() {
    return manifest(ModelStatus.COMPLETE, null);
  }

  public ModelVersion manifest(ModelStatus status, String reason) {
    boolean complete = status == ModelStatus.COMPLETE;
    return ModelVersion.newBuilder().setVersion(version).setModel(model).setCreatedAt(Instant.ofEpochMilli(createdAt))
        .setSnapshotVersion(snapshotVersion).setDim(dim).setUserCount(complete ? userCount() : 0)
        .setItemCount(complete ? itemCount() : 0).setMetrics(metrics).setStatus(status).setInputOffsets(inputOffsets)
        .setModalities(contentMaps.stream().map(m -> new ModalitySpec(m.modality(), m.inputDim())).toList())
        .setContentProjections(complete ? contentMaps.stream().map(VersionData::projection).toList() : List.of())
        .setReason(reason).build();
  }

  private static ContentProjection projection(ContentMap m) {
    return new ContentProjection(m.modality(), m.inputDim(), m.outputDim(), littleEndian(m.weights()),
        littleEndian(m.bias()));
  }

  private static ByteBuffer littleEndian(float[] v) {
    ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(v);
    return b;
  }

  private static List<Float> sum(float[] a, float[] b, int row, int dim) {
    float[] out = new float[dim];
    for (int c = 0; c < dim; c++) {
      out[c] = a[row * dim + c] + (b == null ? 0f : b[row * dim + c]);
    }
    return view(out, 0, dim);
  }

  /** A List view of a slice, boxed on read only (the serializer reads each element once). */
  static List<Float> view(float[] a, int offset, int length) {
    return new FloatSlice(a, offset, length);
  }

  private static final class FloatSlice extends AbstractList<Float> implements RandomAccess {
    private final float[] a;
    private final int offset;
    private final int length;

    FloatSlice(float[] a, int offset, int length) {
      this.a = a;
      this.offset = offset;
      this.length = length;
    }

    @Override
    public Float get(int index) {
      java.util.Objects.checkIndex(index, length);
      return a[offset + index];
    }

    @Override
    public int size() {
      return length;
    }
  }
}
