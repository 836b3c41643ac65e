package dev.crane.ingest.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.crane.schemas.Modality;
import dev.crane.schemas.Split;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SyntheticGeneratorTest {
  private static final SyntheticConfig CONFIG =
      SyntheticConfig.defaults(2000, 800, Modality.parseList("visual:256,text:32"), 42);
  private static SyntheticDataset syn;
  private static MmrecDataset d;

  @BeforeAll
  static void generate() {
    syn = SyntheticGenerator.generate(CONFIG);
    d = syn.dataset();
  }

  /** Per user: row indices. */
  private static int[][] rowsByUser(InteractionTable t, int users) {
    int[] count = new int[users];
    for (int u : t.users()) {
      count[u]++;
    }
    int[][] rows = new int[users][];
    for (int u = 0; u < users; u++) {
      rows[u] = new int[count[u]];
    }
    int[] fill = new int[users];
    for (int r = 0; r < t.size(); r++) {
      rows[t.users()[r]][fill[t.users()[r]]++] = r;
    }
    return rows;
  }

  @Test
  void shapesFollowTheConfig() {
    assertThat(d.name()).isEqualTo("synthetic");
    assertThat(d.numUsers()).isEqualTo(2000);
    assertThat(d.numItems()).isEqualTo(800);
    assertThat(d.modalities()).containsExactly(new Modality("visual", 256), new Modality("text", 32));
    assertThat(d.interactions().hasTimestamps()).isTrue();
    assertThat(d.interactions().hasRatings()).isFalse();
    double mean = d.interactions().size() / 2000.0;
    assertThat(mean).isBetween(8.0, 9.0); // configured 8.5
  }

  @Test
  void everyUserHasAtLeastFiveDistinctItemsAndTheSplitRuleCounts() {
    InteractionTable t = d.interactions();
    int[][] rows = rowsByUser(t, d.numUsers());
    for (int u = 0; u < d.numUsers(); u++) {
      int n = rows[u].length;
      assertThat(n).as("user %d", u).isGreaterThanOrEqualTo(5);
      Set<Integer> items = new HashSet<>();
      int[] perSplit = new int[3];
      for (int r : rows[u]) {
        items.add(t.items()[r]);
        perSplit[t.splits()[r].label()]++;
      }
      assertThat(items).as("user %d items distinct", u).hasSize(n);
      assertThat(perSplit).as("user %d split", u).containsExactly(SplitRule.counts(n));
    }
  }

  @Test
  void splitIsRandomWithinUsersNotChronological() {
    // MMRec's split is random: a user's test rows are not simply the latest ones.
    InteractionTable t = d.interactions();
    int[][] rows = rowsByUser(t, d.numUsers());
    int testLast = 0;
    for (int[] r : rows) {
      if (t.splits()[r[r.length - 1]] == Split.TEST) {
        testLast++;
      }
    }
    assertThat(testLast).isBetween(100, 600); // about 1/8 of 2000 users, far from all of them
  }

  @Test
  void timestampsIncreaseInFileOrderWithinTheSpan() {
    long[] ts = d.interactions().timestamps();
    for (int i = 1; i < ts.length; i++) {
      assertThat(ts[i]).isGreaterThanOrEqualTo(ts[i - 1]);
    }
    assertThat(ts[0]).isGreaterThanOrEqualTo(CONFIG.startEpochSecond());
    assertThat(ts[ts.length - 1]).isLessThan(CONFIG.startEpochSecond() + CONFIG.spanSeconds());
    assertThat(d.interactions().publishOrder()).isSorted();
  }

  @Test
  void sameSeedSameDatasetOtherSeedOtherDataset() {
    SyntheticDataset again = SyntheticGenerator.generate(CONFIG);
    assertThat(again.dataset()).isEqualTo(d);
    assertThat(again.itemCluster()).isEqualTo(syn.itemCluster());
    MmrecDataset other = SyntheticGenerator.generate(CONFIG.withSeed(43)).dataset();
    assertThat(other.interactions()).isNotEqualTo(d.interactions());
    assertThat(other.features().get(0)).isNotEqualTo(d.features().get(0));
  }

  @Test
  void featuresAreInformativeAboutTheLatentClusters() {
    for (FeatureMatrix f : d.features()) {
      SplittableRandom r = new SplittableRandom(1);
      double same = 0;
      double any = 0;
      int n = 2000;
      for (int k = 0; k < n; k++) {
        int i = r.nextInt(d.numItems());
        int j;
        do {
          j = r.nextInt(d.numItems());
        } while (j == i || syn.itemCluster()[j] != syn.itemCluster()[i]);
        same += cosine(f, i, j);
        int x = r.nextInt(d.numItems());
        int y = r.nextInt(d.numItems());
        any += x == y ? 0 : cosine(f, x, y);
      }
      assertThat(same / n).as(f.modality()).isGreaterThan(any / n + 0.2);
    }
  }

  @Test
  void noiseFreeFeaturesAreAnExactProjection() {
    // With no noise, equal latent factors would give equal features: check linearity instead,
    // f(v_i) ~ P v_i, via the cosine of same-cluster items rising when the noise goes.
    MmrecDataset clean = SyntheticGenerator.generate(CONFIG.withFeatureNoise(0)).dataset();
    FeatureMatrix noisy = d.feature("visual");
    FeatureMatrix exact = clean.feature("visual");
    int i = 0;
    int j = 1;
    while (syn.itemCluster()[j] != syn.itemCluster()[i]) {
      j++;
    }
    assertThat(cosine(exact, i, j)).isGreaterThan(cosine(noisy, i, j));
  }

  @Test
  void popularityIsSkewed() {
    // 10% of items would get 10% of the interactions without any skew (a bit more here, as users
    // concentrate on their cluster); the default prior gives the top 10% about three times that.
    assertThat(topTenPercentShare(d)).isGreaterThan(0.28);
    MmrecDataset flat = SyntheticGenerator.generate(CONFIG.withPopularityExponent(0)).dataset();
    assertThat(topTenPercentShare(flat)).isLessThan(0.2);
  }

  @Test
  void usersPreferTheirOwnCluster() {
    InteractionTable t = d.interactions();
    int own = 0;
    for (int r = 0; r < t.size(); r++) {
      if (syn.itemCluster()[t.items()[r]] == syn.userCluster()[t.users()[r]]) {
        own++;
      }
    }
    // 8 clusters: 1/8 by chance; affinity makes the user's own cluster dominant.
    assertThat((double) own / t.size()).isGreaterThan(0.4);
    MmrecDataset blind = SyntheticGenerator.generate(CONFIG.withAffinity(0)).dataset();
    int blindOwn = 0;
    for (int r = 0; r < blind.interactions().size(); r++) {
      if (syn.itemCluster()[blind.interactions().items()[r]] == syn.userCluster()[blind.interactions().users()[r]]) {
        blindOwn++;
      }
    }
    assertThat((double) blindOwn / blind.interactions().size()).isLessThan(0.2);
  }

  @Test
  void tinyCatalogueWithExtremePopularityStillGivesDistinctItems() {
    // Almost all mass on a few items: the rejection sampler stalls and the exact fallback finishes.
    SyntheticConfig c = SyntheticConfig.defaults(50, 10, List.of(), 3).withPopularity(60, 0).withMeanInteractions(20);
    MmrecDataset tiny = SyntheticGenerator.generate(c).dataset();
    int[][] rows = rowsByUser(tiny.interactions(), 50);
    for (int[] r : rows) {
      assertThat(r).hasSize(5); // capped at numItems / 2
      assertThat(Arrays.stream(r).map(x -> tiny.interactions().items()[x]).distinct().count()).isEqualTo(5);
    }
    assertThat(tiny.features()).isEmpty();
  }

  @Test
  void rejectsImpossibleConfigs() {
    assertThatThrownBy(() -> SyntheticConfig.defaults(10, 9, List.of(), 1)).hasMessageContaining("numItems");
    assertThatThrownBy(() -> SyntheticConfig.defaults(10, 100, List.of(), 1).withMeanInteractions(4))
        .hasMessageContaining("meanInteractions");
    assertThatThrownBy(() -> SyntheticConfig.defaults(0, 100, List.of(), 1)).hasMessageContaining("numUsers");
    assertThatThrownBy(() -> SyntheticConfig.defaults(10, 100, Modality.parseList("a:1"), 1).withLatent(0, 3))
        .hasMessageContaining("latentDim");
  }

  private static double topTenPercentShare(MmrecDataset data) {
    long[] count = new long[data.numItems()];
    for (int i : data.interactions().items()) {
      count[i]++;
    }
    Arrays.sort(count);
    long top = 0;
    for (int k = count.length - count.length / 10; k < count.length; k++) {
      top += count[k];
    }
    return (double) top / data.interactions().size();
  }

  private static double cosine(FeatureMatrix f, int i, int j) {
    double dot = 0;
    double a = 0;
    double b = 0;
    for (int c = 0; c < f.dim(); c++) {
      double x = f.get(i, c);
      double y = f.get(j, c);
      dot += x * y;
      a += x * x;
      b += y * y;
    }
    return dot / Math.sqrt(a * b);
  }
}
