package dev.crane.ingest.dataset;

import dev.crane.schemas.Modality;
import dev.crane.schemas.Split;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Generates an MMRec-shaped dataset with planted structure:
 *
 * <ul>
 *   <li>K unit-norm cluster centres in R^L; each item belongs to a random cluster and its latent
 *       factor is the centre plus Gaussian scatter; each user's taste is a random centre plus
 *       scatter.
 *   <li>Item popularity follows a Zipf-Mandelbrot law over a random ranking of the items:
 *       p_i ~ (rank + 1 + offset)^-a; the offset flattens the head as in real catalogues.
 *   <li>Each user draws 5 + Geometric distinct items by successive sampling without replacement
 *       from softmax_i(affinity * u.v_i + log p_i). The draw is exact and costs O(L) per try,
 *       not O(items): propose a cluster z ~ P_z exp(affinity u.c_z), then an item of z by
 *       popularity, and accept with exp(affinity u.(v_i - c_z) - M), M bounding the exponent.
 *   <li>Each modality's features are a fixed random projection of the item factor plus Gaussian
 *       noise, so they are informative about taste.
 *   <li>Each user's rows get MMRec's random 8:1:1 split ({@link SplitRule}); timestamps are uniform
 *       over the span and the rows are in timestamp order (ties by user, then draw order).
 * </ul>
 *
 * <p>Deterministic: every random stream is a {@link SplittableRandom} seeded by mixing (seed,
 * purpose, index), so the result depends only on the config (and the JDK's SplittableRandom /
 * nextGaussian algorithms, fixed since Java 17), never on thread scheduling. Users and items are
 * generated in parallel.
 */
public final class SyntheticGenerator {
  private SyntheticGenerator() {}

  private static final long CENTRES = 1;
  private static final long ITEMS = 2;
  private static final long POPULARITY = 3;
  private static final long USERS = 4;
  private static final long PROJECTION = 100;
  private static final long FEATURES = 200;
  private static final int MIN_PER_USER = 5;

  public static SyntheticDataset generate(SyntheticConfig c) {
    int l = c.latentDim();
    int k = c.clusters();
    int numItems = c.numItems();
    double invSqrtL = 1 / Math.sqrt(l);

    double[] centres = new double[k * l];
    SplittableRandom cr = rng(c.seed(), CENTRES, 0);
    for (int z = 0; z < k; z++) {
      double norm = 0;
      for (int d = 0; d < l; d++) {
        centres[z * l + d] = cr.nextGaussian();
        norm += centres[z * l + d] * centres[z * l + d];
      }
      norm = Math.sqrt(norm);
      for (int d = 0; d < l; d++) {
        centres[z * l + d] /= norm;
      }
    }

    // Items: cluster, scatter (eps) and factor v = centre + eps.
    int[] itemCluster = new int[numItems];
    double[] eps = new double[numItems * l];
    float[] itemFactors = new float[numItems * l];
    IntStream.range(0, numItems).parallel().forEach(i -> {
      SplittableRandom r = rng(c.seed(), ITEMS, i);
      int z = r.nextInt(k);
      itemCluster[i] = z;
      for (int d = 0; d < l; d++) {
        eps[i * l + d] = c.itemSpread() * r.nextGaussian() * invSqrtL;
        itemFactors[i * l + d] = (float) (centres[z * l + d] + eps[i * l + d]);
      }
    });
    double maxEpsNorm = 0;
    for (int i = 0; i < numItems; i++) {
      maxEpsNorm = Math.max(maxEpsNorm, Math.sqrt(dot(eps, i * l, eps, i * l, l)));
    }

    double[] popularity = popularity(c);
    ClusterIndex clustersIndex = new ClusterIndex(itemCluster, popularity, k);

    // Users, in parallel; each fills its own slots.
    int numUsers = c.numUsers();
    int[] userCluster = new int[numUsers];
    float[] userFactors = new float[numUsers * l];
    int[][] userItems = new int[numUsers][];
    Split[][] userSplits = new Split[numUsers][];
    long[][] userTimes = new long[numUsers][];
    int cap = Math.max(MIN_PER_USER, numItems / 2);
    double maxEps = maxEpsNorm;
    ThreadLocal<int[]> marks = ThreadLocal.withInitial(() -> new int[numItems]);
    IntStream.range(0, numUsers).parallel().forEach(u -> {
      SplittableRandom r = rng(c.seed(), USERS, u);
      int z = r.nextInt(k);
      userCluster[u] = z;
      double[] taste = new double[l];
      for (int d = 0; d < l; d++) {
        taste[d] = centres[z * l + d] + c.userSpread() * r.nextGaussian() * invSqrtL;
        userFactors[u * l + d] = (float) taste[d];
      }
      int n = Math.min(cap, MIN_PER_USER + geometric(r, c.meanInteractions() - MIN_PER_USER));
      userItems[u] = new UserSampler(c, centres, eps, itemFactors, popularity, clustersIndex, maxEps, marks.get(), u + 1)
          .sample(taste, n, r);
      userSplits[u] = SplitRule.assign(n, r);
      long[] times = new long[n];
      for (int j = 0; j < n; j++) {
        times[j] = (long) (r.nextDouble() * c.spanSeconds());
      }
      userTimes[u] = times;
    });

    InteractionTable table = inTimeOrder(c, userItems, userSplits, userTimes);
    List<FeatureMatrix> features = new ArrayList<>();
    for (int m = 0; m < c.modalities().size(); m++) {
      features.add(features(c, m, itemFactors));
    }
    MmrecDataset dataset = MmrecDataset.of(c.name(), table, features);
    return new SyntheticDataset(dataset, c, itemCluster, userCluster, popularity, itemFactors, userFactors);
  }

  /** Zipf-Mandelbrot weights (rank + 1 + offset)^-a over a random ranking, normalised to sum 1. */
  private static double[] popularity(SyntheticConfig c) {
    int n = c.numItems();
    int[] rank = new int[n];
    Arrays.setAll(rank, i -> i);
    SplittableRandom r = rng(c.seed(), POPULARITY, 0);
    for (int i = n - 1; i > 0; i--) {
      int j = r.nextInt(i + 1);
      int t = rank[i];
      rank[i] = rank[j];
      rank[j] = t;
    }
    double[] p = new double[n];
    double sum = 0;
    for (int i = 0; i < n; i++) {
      p[i] = Math.pow(rank[i] + 1 + c.popularityOffset(), -c.popularityExponent());
      sum += p[i];
    }
    for (int i = 0; i < n; i++) {
      p[i] /= sum;
    }
    return p;
  }

  /** A count with mean {@code mean} (>= 0) and a geometric (heavy-ish) tail. */
  private static int geometric(SplittableRandom r, double mean) {
    if (mean <= 0) {
      return 0;
    }
    double q = mean / (1 + mean); // P(G >= g+1 | G >= g)
    double g = Math.floor(Math.log(1 - r.nextDouble()) / Math.log(q));
    return (int) Math.min(g, Integer.MAX_VALUE / 4);
  }

  /** Items of each cluster with cumulative popularity, for sampling an item of a cluster. */
  static final class ClusterIndex {
    final int[][] items;
    final double[][] cumulative;
    final double[] mass;

    ClusterIndex(int[] itemCluster, double[] popularity, int k) {
      int[] sizes = new int[k];
      for (int z : itemCluster) {
        sizes[z]++;
      }
      items = new int[k][];
      cumulative = new double[k][];
      mass = new double[k];
      for (int z = 0; z < k; z++) {
        items[z] = new int[sizes[z]];
        cumulative[z] = new double[sizes[z]];
      }
      int[] fill = new int[k];
      for (int i = 0; i < itemCluster.length; i++) {
        int z = itemCluster[i];
        mass[z] += popularity[i];
        items[z][fill[z]] = i;
        cumulative[z][fill[z]++] = mass[z];
      }
    }

    int sample(int z, SplittableRandom r) {
      double[] cum = cumulative[z];
      double x = r.nextDouble() * mass[z];
      int pos = Arrays.binarySearch(cum, x);
      pos = pos >= 0 ? pos + 1 : -pos - 1; // first index with cum > x
      return items[z][Math.min(pos, cum.length - 1)];
    }
  }

  /** Draws one user's distinct items (see the class comment). */
  private static final class UserSampler {
    private final SyntheticConfig c;
    private final double[] centres;
    private final double[] eps;
    private final float[] itemFactors;
    private final double[] popularity;
    private final ClusterIndex index;
    private final double maxEpsNorm;
    private final int[] marks;
    private final int stamp;

    UserSampler(SyntheticConfig c, double[] centres, double[] eps, float[] itemFactors, double[] popularity,
        ClusterIndex index, double maxEpsNorm, int[] marks, int stamp) {
      this.c = c;
      this.centres = centres;
      this.eps = eps;
      this.itemFactors = itemFactors;
      this.popularity = popularity;
      this.index = index;
      this.maxEpsNorm = maxEpsNorm;
      this.marks = marks;
      this.stamp = stamp;
    }

    int[] sample(double[] taste, int n, SplittableRandom r) {
      int l = c.latentDim();
      int k = c.clusters();
      double a = c.affinity();
      // Proposal over clusters: P_z exp(a u.c_z), as a cumulative table.
      double[] logits = new double[k];
      double max = Double.NEGATIVE_INFINITY;
      for (int z = 0; z < k; z++) {
        logits[z] = index.mass[z] > 0 ? a * dot(taste, 0, centres, z * l, l) + Math.log(index.mass[z]) : Double.NEGATIVE_INFINITY;
        max = Math.max(max, logits[z]);
      }
      double[] cum = new double[k];
      double total = 0;
      for (int z = 0; z < k; z++) {
        total += Math.exp(logits[z] - max);
        cum[z] = total;
      }
      double bound = a * Math.sqrt(dot(taste, 0, taste, 0, l)) * maxEpsNorm; // >= a u.eps_i for every i
      int[] out = new int[n];
      int count = 0;
      long tries = 0;
      long budget = 2000L * n + 100_000; // expected tries are about n / acceptance; this is a safety net
      while (count < n && tries < budget) {
        tries++;
        double x = r.nextDouble() * total;
        int z = 0;
        while (z < k - 1 && cum[z] <= x) {
          z++;
        }
        int i = index.sample(z, r);
        if (r.nextDouble() >= Math.exp(a * dot(taste, 0, eps, i * l, l) - bound) || marks[i] == stamp) {
          continue;
        }
        marks[i] = stamp;
        out[count++] = i;
      }
      if (count < n) {
        gumbelFill(taste, out, count, r);
      }
      return out;
    }

    /**
     * Exact fallback when the rejection sampler stalls (e.g. a tiny catalogue where the user
     * already holds most of the likely items): the top n-count of score + Gumbel noise over the
     * unpicked items is a successive draw without replacement from the remaining softmax.
     */
    private void gumbelFill(double[] taste, int[] out, int count, SplittableRandom r) {
      int l = c.latentDim();
      int numItems = popularity.length;
      double[] key = new double[numItems];
      for (int i = 0; i < numItems; i++) {
        double s = 0;
        for (int d = 0; d < l; d++) {
          s += taste[d] * itemFactors[i * l + d];
        }
        key[i] = marks[i] == stamp ? Double.NEGATIVE_INFINITY
            : c.affinity() * s + Math.log(popularity[i]) - Math.log(-Math.log(1 - r.nextDouble()));
      }
      while (count < out.length) {
        int best = -1;
        for (int i = 0; i < numItems; i++) {
          if (marks[i] != stamp && (best < 0 || key[i] > key[best])) {
            best = i;
          }
        }
        marks[best] = stamp;
        out[count++] = best;
      }
    }
  }

  /** Concatenates the users' rows and orders them by timestamp (ties: user, then draw order). */
  private static InteractionTable inTimeOrder(SyntheticConfig c, int[][] items, Split[][] splits, long[][] times) {
    int total = 0;
    for (int[] it : items) {
      total += it.length;
    }
    int[] user = new int[total];
    int[] item = new int[total];
    Split[] split = new Split[total];
    long[] keys = new long[total];
    int row = 0;
    for (int u = 0; u < items.length; u++) {
      for (int j = 0; j < items[u].length; j++) {
        user[row] = u;
        item[row] = items[u][j];
        split[row] = splits[u][j];
        // time < 2^32 and row < 2^31: one long sorts by time, then by row, with a primitive sort.
        keys[row] = (times[u][j] << 31) | row;
        row++;
      }
    }
    Arrays.sort(keys);
    int[] users = new int[total];
    int[] its = new int[total];
    Split[] sp = new Split[total];
    long[] ts = new long[total];
    for (int k = 0; k < total; k++) {
      int from = (int) (keys[k] & 0x7fff_ffffL);
      users[k] = user[from];
      its[k] = item[from];
      sp[k] = split[from];
      ts[k] = c.startEpochSecond() + (keys[k] >>> 31);
    }
    return new InteractionTable(users, its, ts, null, sp);
  }

  /** Features of modality m: a fixed Gaussian projection of the item factor, plus noise. */
  private static FeatureMatrix features(SyntheticConfig c, int m, float[] itemFactors) {
    Modality md = c.modalities().get(m);
    int dim = md.dim();
    int l = c.latentDim();
    // Stored latent-major (l x dim) so the inner loop is a vectorisable axpy over the feature row.
    float[] proj = new float[l * dim];
    SplittableRandom pr = rng(c.seed(), PROJECTION + m, 0);
    for (int j = 0; j < proj.length; j++) {
      proj[j] = (float) pr.nextGaussian();
    }
    int numItems = c.numItems();
    float[] data = new float[Math.multiplyExact(numItems, dim)];
    float noise = (float) c.featureNoise();
    IntStream.range(0, numItems).parallel().forEach(i -> {
      SplittableRandom r = rng(c.seed(), FEATURES + m, i);
      int base = i * dim;
      for (int d = 0; d < dim; d++) {
        data[base + d] = noise * (float) r.nextGaussian();
      }
      for (int t = 0; t < l; t++) {
        float v = itemFactors[i * l + t];
        int p = t * dim;
        for (int d = 0; d < dim; d++) {
          data[base + d] += v * proj[p + d];
        }
      }
    });
    return new FeatureMatrix(md.name(), numItems, dim, data);
  }

  private static double dot(double[] a, int ao, double[] b, int bo, int n) {
    double s = 0;
    for (int d = 0; d < n; d++) {
      s += a[ao + d] * b[bo + d];
    }
    return s;
  }

  /** An independent stream per (seed, purpose, index): SplitMix64's finaliser over their mix. */
  static SplittableRandom rng(long seed, long purpose, long index) {
    long h = mix(seed ^ 0x9E37_79B9_7F4A_7C15L);
    h = mix(h + purpose * 0xC2B2_AE3D_27D4_EB4FL);
    h = mix(h + index * 0x1656_67B1_9E37_79F9L);
    return new SplittableRandom(h);
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58_476D_1CE4_E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D0_49BB_1331_11EBL;
    return z ^ (z >>> 31);
  }
}
