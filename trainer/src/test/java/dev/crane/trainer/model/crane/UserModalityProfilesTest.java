package dev.crane.trainer.model.crane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import dev.crane.trainer.data.PlantedData;
import dev.crane.trainer.data.TrainingData;
import dev.crane.trainer.model.core.Parameters;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The model sums projected item rows through the interaction matrix; its user rows must equal the
 * projection of the per-user raw-feature sums (Eq. 5, the stream processor's profile) plus d_u·b, for
 * each modality (of different widths) out of the one sparse product they share.
 */
class UserModalityProfilesTest {

  @Test
  void userRowsAreTheProjectedFeatureSumsPlusDegreeTimesBias() {
    TrainingData data = TrainingData.from(PlantedData.generate(60, 40, 3, 6, new int[] {12, 5}, 5));
    int dim = 4;
    try (NDManager m = NDManager.newBaseManager()) {
      Parameters params = new Parameters(m);
      UserModalityProfiles p = new UserModalityProfiles(data, dim, params, m, new SplittableRandom(5));
      var stacked = p.stacked();
      assertThat(stacked).hasSize(2);
      for (int mod = 0; mod < 2; mod++) {
        float[] x = stacked.get(mod).toFloatArray();
        String name = data.features().get(mod).modality();
        float[] w = params.get(name + "_proj.weight").toFloatArray(); // dim x D
        float[] b = params.get(name + "_proj.bias").toFloatArray();
        int d = data.features().get(mod).dim();
        float[] sums = data.userFeatureSums(mod);
        for (int u = 0; u < data.numUsers(); u++) {
          for (int k = 0; k < dim; k++) {
            double expected = data.userDegree()[u] * (double) b[k];
            for (int j = 0; j < d; j++) {
              expected += sums[u * d + j] * (double) w[k * d + j];
            }
            assertThat(x[u * dim + k]).isCloseTo((float) expected, within(1e-4f * (1 + (float) Math.abs(expected))));
          }
        }
        float[] f = data.features().get(mod).data();
        for (int i = 0; i < data.numItems(); i++) {
          double expected = b[0];
          for (int j = 0; j < d; j++) {
            expected += f[i * d + j] * (double) w[j];
          }
          assertThat(x[(data.numUsers() + i) * dim]).isCloseTo((float) expected, within(1e-4f));
        }
      }
    }
  }
}
