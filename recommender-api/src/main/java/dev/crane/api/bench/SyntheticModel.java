package dev.crane.api.bench;

import dev.crane.schemas.avro.ItemEmbedding;
import dev.crane.schemas.avro.ModelVersion;
import dev.crane.schemas.avro.TopicOffset;
import dev.crane.schemas.avro.UserEmbedding;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import java.util.function.IntFunction;

/**
 * Random but structured embeddings for tests and the benchmark: items around a few cluster
 * centres (as trained embeddings are, which is what an HNSW graph's recall depends on), users near
 * the items they would like, degrees spread like popularity. Records are made lazily, so a million
 * items need no list of records in memory.
 */
public final class SyntheticModel {
  private final int dim;
  private final long seed;
  private final int clusters;
  private final float[][] centres;

  public SyntheticModel(int dim, int clusters, long seed) {
    this.dim = dim;
    this.seed = seed;
    this.clusters = clusters;
    SplittableRandom r = new SplittableRandom(seed);
    centres = new float[clusters][dim];
    for (float[] c : centres) {
      for (int j = 0; j < dim; j++) {
        c[j] = (float) gaussian(r);
      }
    }
  }

  public static String userId(int u) {
    return "u" + u;
  }

  public static String itemId(int i) {
    return "i" + i;
  }

  /** Item i's vector in version {@code version} (each version moves the vectors a little). */
  public float[] itemVector(int i, long version) {
    SplittableRandom r = new SplittableRandom(seed * 31 + i * 7919L + version * 1_000_003L);
    float[] c = centres[(int) Math.floorMod(i * 2654435761L, (long) clusters)];
    float[] v = new float[dim];
    for (int j = 0; j < dim; j++) {
      v[j] = (float) (c[j] + 0.6 * gaussian(r));
    }
    return v;
  }

  public float[] userVector(int u, long version) {
    SplittableRandom r = new SplittableRandom(seed * 17 + u * 104729L + version * 999_983L);
    float[] c = centres[r.nextInt(clusters)];
    float[] v = new float[dim];
    for (int j = 0; j < dim; j++) {
      v[j] = (float) (0.3 * (c[j] + gaussian(r)));
    }
    return v;
  }

  /** A popularity-like degree: a few items with many users, most with few. */
  public int itemDegree(int i) {
    return 1 + (int) (1000.0 / (1 + i % 997));
  }

  public Iterable<UserEmbedding> users(int n, long version) {
    return lazy(n, u -> UserEmbedding.newBuilder().setUserId(userId(u)).setModelVersion(version)
        .setVector(list(userVector(u, version))).setDegree(10).build());
  }

  public Iterable<ItemEmbedding> items(int n, long version) {
    return lazy(n, i -> ItemEmbedding.newBuilder().setItemId(itemId(i)).setModelVersion(version)
        .setVector(list(itemVector(i, version))).setDegree(itemDegree(i)).build());
  }

  /** A manifest with no input offsets (every interaction is new to it) and no content space. */
  public ModelVersion.Builder manifest(long version, String model) {
    return ModelVersion.newBuilder().setVersion(version).setModel(model).setCreatedAt(Instant.now()).setDim(dim)
        .setMetrics(Map.of("holdout_recall@20", 0.1)).setInputOffsets(new ArrayList<TopicOffset>())
        .setUserCount(0).setItemCount(0).setStatus(dev.crane.schemas.avro.ModelStatus.PUBLISHING);
  }

  public static List<Float> list(float[] v) {
    List<Float> out = new ArrayList<>(v.length);
    for (float x : v) {
      out.add(x);
    }
    return out;
  }

  private static <T> Iterable<T> lazy(int n, IntFunction<T> make) {
    return () -> new Iterator<T>() {
      private int next;

      @Override
      public boolean hasNext() {
        return next < n;
      }

      @Override
      public T next() {
        if (next >= n) {
          throw new NoSuchElementException();
        }
        return make.apply(next++);
      }
    };
  }

  private static double gaussian(SplittableRandom r) {
    double u = 1 - r.nextDouble();
    double v = r.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}
