package dev.crane.trainer.publish;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import dev.crane.schemas.avro.ItemEmbedding;
import dev.crane.schemas.avro.ModelStatus;
import dev.crane.schemas.avro.ModelVersion;
import dev.crane.schemas.avro.TopicOffset;
import dev.crane.schemas.avro.UserEmbedding;
import dev.crane.trainer.config.TrainConfig;
import dev.crane.trainer.data.PlantedData;
import dev.crane.trainer.data.TrainingData;
import dev.crane.trainer.model.ModelFactory;
import dev.crane.trainer.model.core.FinalEmbeddings;
import dev.crane.trainer.model.core.Recommender;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every model can be published: its records follow schemas/EMBEDDINGS.md. */
class VersionDataTest {
  static final TrainingData DATA = TrainingData.from(PlantedData.generate(60, 40, 3, 6, new int[] {12, 5}, 5));

  @ParameterizedTest
  @ValueSource(strings = {"crane", "crane-ref", "freedom", "lightgcn", "bpr"})
  void recordsCarryTheScoringVectorItsPartsDegreesAndContent(String name) {
    TrainConfig c = TrainConfig.builder(name).embeddingDim(8).attentionHeads(2).build();
    try (NDManager m = NDManager.newBaseManager()) {
      SplittableRandom rng = new SplittableRandom(1);
      Recommender model = ModelFactory.create(c, DATA, m, rng);
      model.beforeEpoch(rng);
      VersionData v = VersionData.of(7, model, DATA, Map.of("holdout_recall@20", 0.5), 3L,
          List.of(new TopicOffset("interactions", 0, 100L)));
      FinalEmbeddings[] e = new FinalEmbeddings[1];
      dev.crane.trainer.engine.Autograd.noGrad(() -> e[0] = model.embed());
      FinalEmbeddings f = e[0];
      float[] users = f.users().toFloatArray();
      float[] items = f.items().toFloatArray();

      assertThat(v.userCount()).isEqualTo(60);
      UserEmbedding u = v.user(5);
      assertThat(u.getUserId()).isEqualTo("5");
      assertThat(u.getModelVersion()).isEqualTo(7);
      assertThat(u.getDegree()).isEqualTo(DATA.userDegree()[5]);
      for (int k = 0; k < 8; k++) {
        // the scoring vector is the model's final vector, and collaborative + semantic
        assertThat(u.getVector().get(k)).isCloseTo(users[5 * 8 + k], org.assertj.core.data.Offset.offset(1e-5f));
        float semantic = u.getSemantic() == null ? 0f : u.getSemantic().get(k);
        assertThat(u.getCollaborative().get(k) + semantic).isCloseTo(u.getVector().get(k), org.assertj.core.data.Offset.offset(1e-6f));
      }
      ItemEmbedding i = v.item(3);
      assertThat(i.getDegree()).isEqualTo(DATA.itemDegree()[3]);
      for (int k = 0; k < 8; k++) {
        assertThat(i.getVector().get(k)).isCloseTo(items[3 * 8 + k], org.assertj.core.data.Offset.offset(1e-5f));
      }
      assertThat(u.getSemantic() != null).as("a semantic user part for crane only").isEqualTo(name.equals("crane"));
      assertThat(i.getSemantic() != null).as("a semantic item part for the models with an item graph")
          .isEqualTo(List.of("crane", "crane-ref", "freedom").contains(name));

      ModelVersion manifest = v.manifest();
      assertThat(manifest.getStatus()).isEqualTo(ModelStatus.COMPLETE);
      assertThat(manifest.getUserCount()).isEqualTo(60);
      assertThat(manifest.getItemCount()).isEqualTo(40);
      assertThat(manifest.getSnapshotVersion()).isEqualTo(3);
      assertThat(manifest.getInputOffsets()).hasSize(1);
      assertThat(manifest.getModalities()).extracting(s -> s.getName() + ":" + s.getDim()).containsExactly("m0:12", "m1:5");
      // the item's content is its features through the manifest's projections
      int contentDim = manifest.getContentProjections().stream().mapToInt(p -> p.getOutputDim()).sum();
      assertThat(i.getContent()).hasSize(contentDim);
      var proj = manifest.getContentProjections().get(0);
      float[] w = floats(proj.getWeights());
      float[] b = floats(proj.getBias());
      var features = DATA.features().get(0);
      for (int o = 0; o < proj.getOutputDim(); o++) {
        double y = b[o];
        for (int j = 0; j < proj.getInputDim(); j++) {
          y += w[o * proj.getInputDim() + j] * features.get(3, j);
        }
        assertThat(i.getContent().get(o)).isCloseTo((float) y, org.assertj.core.data.Offset.offset(1e-4f));
      }
    }
  }

  private static float[] floats(ByteBuffer b) {
    float[] out = new float[b.remaining() / 4];
    b.duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
    return out;
  }
}
