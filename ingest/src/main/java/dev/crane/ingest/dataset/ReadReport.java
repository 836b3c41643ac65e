package dev.crane.ingest.dataset;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * What a read loaded and what it skipped. Nothing is lost silently: every data line of the
 * {@code .inter} file read is either loaded or counted under one {@link BadReason}, so
 * {@code dataLines() == loaded() + skippedLines()} always holds; blank lines are counted apart.
 * Feature rows rejected for NaN/Inf are counted per modality.
 */
public final class ReadReport {
  private final int examplesPerReason;
  private final EnumMap<BadReason, Long> counts = new EnumMap<>(BadReason.class);
  private final EnumMap<BadReason, List<String>> examples = new EnumMap<>(BadReason.class);
  private final Map<String, Long> badFeatureRows = new LinkedHashMap<>();
  private int[] badItems = new int[0];
  private long dataLines;
  private long blankLines;
  private long loaded;
  private boolean stoppedAtLimit;

  ReadReport(int examplesPerReason) {
    this.examplesPerReason = examplesPerReason;
  }

  void lineRead() {
    dataLines++;
  }

  void blankLine() {
    blankLines++;
  }

  void loadedLine() {
    loaded++;
  }

  void stoppedAtLimit() {
    stoppedAtLimit = true;
  }

  void reject(DatasetException e) {
    counts.merge(e.reason(), 1L, Long::sum);
    List<String> list = examples.computeIfAbsent(e.reason(), r -> new ArrayList<>());
    if (list.size() < examplesPerReason) {
      list.add(e.getMessage());
    }
  }

  void badFeatureRow(String modality, DatasetException e) {
    badFeatureRows.merge(modality, 1L, Long::sum);
    reject(e);
  }

  void badItems(boolean[] flags) {
    badItems = IntStream.range(0, flags.length).filter(i -> flags[i]).toArray();
  }

  /**
   * Items whose feature row was rejected in some modality (ascending). They remain items with
   * all-zero features and no interactions; a publisher may want to leave them out.
   */
  public int[] badItems() {
    return badItems.clone();
  }

  /** Data lines read from the {@code .inter} file (header and blank lines excluded). */
  public long dataLines() {
    return dataLines;
  }

  public long blankLines() {
    return blankLines;
  }

  /** Interactions loaded into the dataset. */
  public long loaded() {
    return loaded;
  }

  /** Data lines skipped, over all line reasons. */
  public long skippedLines() {
    return counts.entrySet().stream()
        .filter(e -> e.getKey().isLineReason())
        .mapToLong(Map.Entry::getValue)
        .sum();
  }

  /** Count for one reason (lines, or feature rows for {@link BadReason#NON_FINITE_FEATURE_ROW}). */
  public long count(BadReason reason) {
    return counts.getOrDefault(reason, 0L);
  }

  /** Non-zero counts per reason. */
  public Map<BadReason, Long> counts() {
    return Collections.unmodifiableMap(new EnumMap<>(counts));
  }

  /** Non-zero counts keyed by {@link BadReason#description()}, e.g. for a publish summary. */
  public Map<String, Long> countsByDescription() {
    Map<String, Long> out = new LinkedHashMap<>();
    counts.forEach((reason, n) -> out.put(reason.description(), n));
    return Collections.unmodifiableMap(out);
  }

  /** The first few messages per reason, each naming file and line or row. */
  public List<String> examples(BadReason reason) {
    return List.copyOf(examples.getOrDefault(reason, List.of()));
  }

  /** Feature rows rejected (NaN/Inf) per modality; those items' interactions are skipped. */
  public Map<String, Long> badFeatureRows() {
    return Collections.unmodifiableMap(badFeatureRows);
  }

  /** True when {@link ReadOptions#limit()} stopped the read before the end of the file. */
  public boolean isStoppedAtLimit() {
    return stoppedAtLimit;
  }

  /** True when nothing was skipped. */
  public boolean isClean() {
    return counts.isEmpty();
  }

  /** A few lines for a log or the CLI. */
  public String summary() {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format("read %,d data lines: %,d loaded, %,d skipped", dataLines, loaded, skippedLines()));
    if (blankLines > 0) {
      sb.append(String.format(", %,d blank lines ignored", blankLines));
    }
    if (stoppedAtLimit) {
      sb.append(" (stopped at the limit)");
    }
    counts.forEach((reason, n) -> {
      sb.append(String.format("%n  %s: %,d", reason.description(), n));
      for (String example : examples.getOrDefault(reason, List.of())) {
        sb.append("\n    e.g. ").append(example);
      }
    });
    return sb.toString();
  }

  @Override
  public String toString() {
    return summary();
  }
}
