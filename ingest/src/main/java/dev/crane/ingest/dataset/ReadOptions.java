package dev.crane.ingest.dataset;

import dev.crane.schemas.Modality;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * How {@link MmrecReader} reads a dataset.
 *
 * @param skipBad false (default): the first bad line or feature row throws {@link
 *     DatasetException}; true: bad lines/rows are skipped and counted in the {@link ReadReport}.
 *     Whole-file problems (missing or duplicate files, unreadable npy header, row counts that
 *     differ between modalities, a dimension other than expected) always throw.
 * @param expectedDims modality name to required dimension, in the deployment's modality order;
 *     each listed modality must exist with that dimension. Empty = accept whatever is there.
 * @param modalities modalities to load (empty = all found); naming one that is absent throws
 * @param limit load at most this many interactions (0 = no limit); the rest of the file is not read
 * @param examplesPerReason how many example messages the report keeps per reason
 */
public record ReadOptions(
    boolean skipBad, Map<String, Integer> expectedDims, Set<String> modalities, long limit, int examplesPerReason) {

  public ReadOptions {
    // Copies keep the caller's order: expectedDims' order becomes the dataset's modality order.
    expectedDims = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(expectedDims, "expectedDims")));
    modalities = Collections.unmodifiableSet(new LinkedHashSet<>(Objects.requireNonNull(modalities, "modalities")));
    expectedDims.forEach((name, dim) -> {
      if (dim == null || dim <= 0) {
        throw new IllegalArgumentException("expected dimension of modality '" + name + "' must be > 0, got " + dim);
      }
    });
    if (limit < 0) {
      throw new IllegalArgumentException("limit must be >= 0 (0 = no limit), got " + limit);
    }
    if (examplesPerReason < 0) {
      throw new IllegalArgumentException("examplesPerReason must be >= 0, got " + examplesPerReason);
    }
  }

  /** Strict, all modalities, no expected dimensions, no limit. */
  public static ReadOptions defaults() {
    return new ReadOptions(false, Map.of(), Set.of(), 0, 3);
  }

  public ReadOptions withSkipBad(boolean skip) {
    return new ReadOptions(skip, expectedDims, modalities, limit, examplesPerReason);
  }

  /** Modality dimensions every dataset must have, e.g. from {@link Modality#toMap}. */
  public ReadOptions withExpectedDims(Map<String, Integer> dims) {
    return new ReadOptions(skipBad, dims, modalities, limit, examplesPerReason);
  }

  public ReadOptions withModalities(Set<String> names) {
    return new ReadOptions(skipBad, expectedDims, names, limit, examplesPerReason);
  }

  public ReadOptions withLimit(long maxInteractions) {
    return new ReadOptions(skipBad, expectedDims, modalities, maxInteractions, examplesPerReason);
  }

  public ReadOptions withExamplesPerReason(int n) {
    return new ReadOptions(skipBad, expectedDims, modalities, limit, n);
  }
}
