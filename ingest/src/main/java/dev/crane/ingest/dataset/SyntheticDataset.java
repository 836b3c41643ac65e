package dev.crane.ingest.dataset;

/**
 * A generated dataset and the structure planted in it, for tests that check a model recovers it.
 *
 * @param dataset the MMRec-shaped data (what ingest publishes and the trainer reads)
 * @param config the config it was generated from
 * @param itemCluster taste cluster of each item
 * @param userCluster taste cluster of each user
 * @param itemPopularity normalised popularity prior of each item (sums to 1)
 * @param itemFactors latent item factors, row-major numItems x latentDim
 * @param userFactors latent user tastes, row-major numUsers x latentDim
 */
public record SyntheticDataset(
    MmrecDataset dataset, SyntheticConfig config, int[] itemCluster, int[] userCluster,
    double[] itemPopularity, float[] itemFactors, float[] userFactors) {}
