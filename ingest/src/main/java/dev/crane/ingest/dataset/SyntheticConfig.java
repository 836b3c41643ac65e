package dev.crane.ingest.dataset;

import dev.crane.schemas.Modality;
import java.util.List;

/**
 * Parameters of {@link SyntheticGenerator}. Start from {@link #defaults} (shaped like Amazon Baby:
 * about 8.5 interactions per user) and change what a test or benchmark needs.
 *
 * @param name dataset name (the .inter file is {@code <name>.inter})
 * @param numUsers users; every user gets at least 5 distinct items
 * @param numItems items (at least 10, so that 5 distinct items fit in the per-user cap of numItems/2)
 * @param modalities feature modalities and dimensions (may be empty: an id-only dataset)
 * @param seed the only source of randomness: equal configs give equal datasets
 * @param meanInteractions mean interactions per user (&ge; 5): 5 + a geometric count, capped at numItems/2
 * @param latentDim dimension of the latent user/item factors
 * @param clusters number of taste clusters (latent centres)
 * @param affinity softmax temperature on the user-item affinity (0 = popularity only)
 * @param itemSpread how far item factors scatter around their cluster centre
 * @param userSpread how far user tastes scatter around their cluster centre
 * @param popularityExponent Zipf exponent a of the item popularity prior (0 = uniform)
 * @param popularityOffset flattens the head of the prior (rank + 1 + offset)^-a. The defaults
 *     (a = 0.8, offset 30) give Baby-shaped data: on 19,445 x 7,050 the top 10% of items get 46%
 *     of the interactions and the top item 720 (Baby: 45%, 780)
 * @param featureNoise standard deviation of the Gaussian noise added to each feature value
 *     (the signal part has variance about 1 + itemSpread^2 per value)
 * @param startEpochSecond first possible timestamp
 * @param spanSeconds timestamps fall in [start, start + span)
 */
public record SyntheticConfig(
    String name, int numUsers, int numItems, List<Modality> modalities, long seed,
    double meanInteractions, int latentDim, int clusters, double affinity, double itemSpread,
    double userSpread, double popularityExponent, double popularityOffset, double featureNoise, long startEpochSecond,
    long spanSeconds) {

  public SyntheticConfig {
    modalities = List.copyOf(modalities);
    check(numUsers >= 1, "numUsers must be >= 1, got " + numUsers);
    check(numItems >= 10, "numItems must be >= 10 (every user needs 5 distinct items), got " + numItems);
    check(meanInteractions >= 5, "meanInteractions must be >= 5 (the minimum per user), got " + meanInteractions);
    check(latentDim >= 1, "latentDim must be >= 1, got " + latentDim);
    check(clusters >= 1, "clusters must be >= 1, got " + clusters);
    check(affinity >= 0 && itemSpread >= 0 && userSpread >= 0 && popularityExponent >= 0 && popularityOffset >= 0
        && featureNoise >= 0, "affinity, spreads, popularity exponent/offset and featureNoise must be >= 0");
    check(spanSeconds >= 1 && spanSeconds < (1L << 32), "spanSeconds must be in [1, 2^32), got " + spanSeconds);
    check(modalities.stream().map(Modality::name).distinct().count() == modalities.size(),
        "modality names must be distinct: " + modalities);
    check(name != null && !name.isEmpty(), "name must not be empty");
  }

  private static void check(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException("synthetic dataset: " + message);
    }
  }

  public static SyntheticConfig defaults(int numUsers, int numItems, List<Modality> modalities, long seed) {
    return new SyntheticConfig("synthetic", numUsers, numItems, modalities, seed, 8.5, 16, 8, 3.0, 0.5, 0.5, 0.8,
        30, 1.0, 1_600_000_000L, 180L * 24 * 3600);
  }

  public SyntheticConfig withName(String n) {
    return new SyntheticConfig(n, numUsers, numItems, modalities, seed, meanInteractions, latentDim, clusters,
        affinity, itemSpread, userSpread, popularityExponent, popularityOffset, featureNoise, startEpochSecond, spanSeconds);
  }

  public SyntheticConfig withSeed(long s) {
    return new SyntheticConfig(name, numUsers, numItems, modalities, s, meanInteractions, latentDim, clusters,
        affinity, itemSpread, userSpread, popularityExponent, popularityOffset, featureNoise, startEpochSecond, spanSeconds);
  }

  public SyntheticConfig withMeanInteractions(double m) {
    return new SyntheticConfig(name, numUsers, numItems, modalities, seed, m, latentDim, clusters,
        affinity, itemSpread, userSpread, popularityExponent, popularityOffset, featureNoise, startEpochSecond, spanSeconds);
  }

  public SyntheticConfig withLatent(int dim, int numClusters) {
    return new SyntheticConfig(name, numUsers, numItems, modalities, seed, meanInteractions, dim, numClusters,
        affinity, itemSpread, userSpread, popularityExponent, popularityOffset, featureNoise, startEpochSecond, spanSeconds);
  }

  public SyntheticConfig withAffinity(double a) {
    return new SyntheticConfig(name, numUsers, numItems, modalities, seed, meanInteractions, latentDim, clusters,
        a, itemSpread, userSpread, popularityExponent, popularityOffset, featureNoise, startEpochSecond, spanSeconds);
  }

  public SyntheticConfig withPopularityExponent(double e) {
    return new SyntheticConfig(name, numUsers, numItems, modalities, seed, meanInteractions, latentDim, clusters,
        affinity, itemSpread, userSpread, e, popularityOffset, featureNoise, startEpochSecond, spanSeconds);
  }

  public SyntheticConfig withPopularity(double exponent, double offset) {
    return new SyntheticConfig(name, numUsers, numItems, modalities, seed, meanInteractions, latentDim, clusters,
        affinity, itemSpread, userSpread, exponent, offset, featureNoise, startEpochSecond, spanSeconds);
  }

  public SyntheticConfig withFeatureNoise(double sigma) {
    return new SyntheticConfig(name, numUsers, numItems, modalities, seed, meanInteractions, latentDim, clusters,
        affinity, itemSpread, userSpread, popularityExponent, popularityOffset, sigma, startEpochSecond, spanSeconds);
  }
}
