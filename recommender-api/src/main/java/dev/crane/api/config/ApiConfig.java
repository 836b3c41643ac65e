package dev.crane.api.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Every setting of the recommender API, validated ({@link ConfigLoader} builds it; README lists
 * the keys). {@code kafka} holds the {@code kafka.*} keys without the prefix, passed to the consumers.
 */
public record ApiConfig(
    String bootstrapServers,
    String schemaRegistryUrl,
    String grpcHost,
    int grpcPort,
    int grpcThreads,
    int metricsPort,
    Path stateDir,
    int maxK,
    Duration keepPrevious,
    int exactPasses,
    int exactInt8MinItems,
    int hnswMinItems,
    int hnswMaxDegree,
    int hnswBeamWidth,
    int hnswSearchBeam,
    int hnswBuildThreads,
    int coldStartNeighbours,
    double loadPauseRatio,
    CpuPriority loadCpuPriority,
    boolean storeBackgroundNice,
    Duration shutdownGrace,
    Duration connectTimeout,
    Map<String, String> kafka) {

  public ApiConfig {
    kafka = Map.copyOf(kafka);
    require(!bootstrapServers.isBlank(), "bootstrap.servers must not be empty");
    require(!schemaRegistryUrl.isBlank(), "schema.registry.url must not be empty");
    require(grpcPort >= 0 && grpcPort <= 65535, "grpc.port must be 0..65535 (0 = any free port), got " + grpcPort);
    require(grpcThreads >= 0, "grpc.threads must be >= 0 (0 = four per core), got " + grpcThreads);
    require(metricsPort >= -1 && metricsPort <= 65535, "metrics.port must be -1 (off) or 0..65535, got " + metricsPort);
    require(maxK >= 1 && maxK <= 100_000, "k.max must be 1..100000, got " + maxK);
    require(!keepPrevious.isNegative(), "previous.version.keep.ms must be >= 0");
    require(exactPasses >= 0, "exact.passes must be >= 0 (0: one per core), got " + exactPasses);
    require(exactInt8MinItems >= 1, "exact.int8.min.items must be >= 1, got " + exactInt8MinItems);
    require(hnswMinItems >= 1, "hnsw.min.items must be >= 1, got " + hnswMinItems);
    require(hnswMaxDegree >= 2 && hnswMaxDegree <= 512, "hnsw.max.degree must be 2..512, got " + hnswMaxDegree);
    require(hnswBeamWidth >= 1, "hnsw.beam.width must be >= 1, got " + hnswBeamWidth);
    require(hnswSearchBeam >= 1, "hnsw.search.beam must be >= 1, got " + hnswSearchBeam);
    require(hnswBuildThreads >= 0, "hnsw.build.threads must be >= 0 (0: half the cores), got " + hnswBuildThreads);
    require(coldStartNeighbours >= 1, "coldstart.neighbours must be >= 1, got " + coldStartNeighbours);
    require(loadCpuPriority != null, "load.cpu.priority must be set");
    require(loadPauseRatio >= 0 && loadPauseRatio <= 100, "load.pause.ratio must be 0..100, got " + loadPauseRatio);
    require(!shutdownGrace.isNegative(), "shutdown.grace.ms must be >= 0");
    require(connectTimeout.toMillis() >= 1, "connect.timeout.ms must be >= 1");
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException("recommender-api config: " + message);
    }
  }

  /**
   * Exact scans running at once, each shared by the queries waiting when it starts: one per core unless
   * set, so that a query alone is scanned at once and queries share passes when every core scans.
   */
  public int effectiveExactPasses() {
    return exactPasses > 0 ? exactPasses : Runtime.getRuntime().availableProcessors();
  }

  /** Threads building an HNSW graph: half the cores unless set, so queries keep the rest. */
  public int effectiveHnswBuildThreads() {
    return hnswBuildThreads > 0 ? hnswBuildThreads : Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
  }

  /**
   * The call executor's size: four per core unless set, so that calls waiting for a shared exact scan
   * ({@code exact.passes}) do not keep the next ones queued in the executor, out of that scan.
   */
  public int effectiveGrpcThreads() {
    return grpcThreads > 0 ? grpcThreads : 4 * Runtime.getRuntime().availableProcessors();
  }
}
