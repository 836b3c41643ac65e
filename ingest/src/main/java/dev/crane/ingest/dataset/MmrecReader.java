package dev.crane.ingest.dataset;

import dev.crane.schemas.Modality;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The one reader of MMRec-format dataset directories, for ingest and the trainer alike (and, through
 * the same parsers, of the stream processor's snapshots).
 *
 * <p>A directory holds exactly one {@code <name>.inter} and any number of {@code
 * <modality>_feat.npy} (float16/32/64, cast to float32; row i = item i). Modalities come in the
 * order of {@link ReadOptions#expectedDims()}, then the others by name.
 *
 * <p>Strict by default: the first bad line or feature row throws a {@link DatasetException} naming
 * file and line (or row). With {@link ReadOptions#skipBad()} such lines/rows are skipped and counted
 * in the {@link ReadReport}. A feature row with NaN/Inf is then zeroed (the item keeps its id, and
 * stays an item) and every interaction with that item is skipped as {@link
 * BadReason#BAD_ITEM_FEATURES}, because the trainer and the stream processor must never see
 * features that were made up.
 */
public final class MmrecReader {
  private MmrecReader() {}

  static final String INTER_SUFFIX = ".inter";
  static final String FEAT_SUFFIX = "_feat.npy";

  /** A dataset and what reading it skipped. */
  public record ReadResult(MmrecDataset dataset, ReadReport report) {}

  /** Reads strictly with default options: any bad input throws {@link DatasetException}. */
  public static MmrecDataset read(Path dir) throws IOException {
    return read(dir, ReadOptions.defaults()).dataset();
  }

  /**
   * Reads an MMRec directory, or a stream-processor snapshot directory (recognised by its
   * manifest.json; always strict, see {@link SnapshotReader}).
   */
  public static ReadResult read(Path dir, ReadOptions options) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new DatasetException(dir, Files.exists(dir) ? "not a directory" : "no such directory");
    }
    if (SnapshotReader.isSnapshot(dir)) {
      return new ReadResult(SnapshotReader.read(dir).dataset(), new ReadReport(options.examplesPerReason()));
    }
    Path inter = findInter(dir);
    String name = inter.getFileName().toString();
    name = name.substring(0, name.length() - INTER_SUFFIX.length());
    ReadReport report = new ReadReport(options.examplesPerReason());

    List<FeatureMatrix> features = readFeatures(dir, options);
    int featureRows = features.isEmpty() ? -1 : features.get(0).rows();
    boolean[] badItems = null;
    if (!features.isEmpty()) {
      badItems = new boolean[featureRows];
      for (FeatureMatrix f : features) {
        checkFinite(dir.resolve(f.modality() + FEAT_SUFFIX), f, options, report, badItems);
      }
      report.badItems(badItems);
    }
    InteractionTable table = new InterParser(inter, InterLayout.MMREC, options, report, featureRows, badItems).parse();
    return new ReadResult(MmrecDataset.of(name, table, features), report);
  }

  private static Path findInter(Path dir) throws IOException {
    List<Path> inters = list(dir, INTER_SUFFIX);
    if (inters.isEmpty()) {
      throw new DatasetException(dir, "no <name>.inter file in this directory (MMRec format: <name>.inter "
          + "with columns userID, itemID, x_label, plus optional <modality>_feat.npy files)");
    }
    if (inters.size() > 1) {
      throw new DatasetException(dir, "several .inter files " + inters.stream().map(p -> p.getFileName().toString()).toList()
          + "; a dataset directory holds exactly one");
    }
    return inters.get(0);
  }

  private static List<Path> list(Path dir, String suffix) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(suffix) && Files.isRegularFile(p)).sorted().toList();
    }
  }

  private static List<FeatureMatrix> readFeatures(Path dir, ReadOptions options) throws IOException {
    Map<String, Path> found = new TreeMap<>();
    for (Path p : list(dir, FEAT_SUFFIX)) {
      String file = p.getFileName().toString();
      String modality = file.substring(0, file.length() - FEAT_SUFFIX.length());
      try {
        new Modality(modality, 1);
      } catch (IllegalArgumentException e) {
        throw new DatasetException(p, "bad modality name in the file name: " + e.getMessage());
      }
      found.put(modality, p);
    }
    for (String m : options.expectedDims().keySet()) {
      if (!found.containsKey(m)) {
        throw new DatasetException(dir, "expected modality '" + m + "' (" + m + FEAT_SUFFIX + ", dim "
            + options.expectedDims().get(m) + ") is missing; found modalities " + found.keySet());
      }
    }
    for (String m : options.modalities()) {
      if (!found.containsKey(m)) {
        throw new DatasetException(dir, "modality '" + m + "' was asked for but there is no " + m + FEAT_SUFFIX
            + "; found modalities " + found.keySet());
      }
    }
    // Load order: the deployment's order (expectedDims), then the rest by name.
    Map<String, Path> load = new LinkedHashMap<>();
    options.expectedDims().keySet().forEach(m -> load.put(m, found.get(m)));
    found.forEach(load::putIfAbsent);
    if (!options.modalities().isEmpty()) {
      load.keySet().retainAll(options.modalities());
    }
    // All headers first: a shape problem in the last file should not cost reading the first.
    Map<String, Npy.Header> headers = new LinkedHashMap<>();
    for (Map.Entry<String, Path> e : load.entrySet()) {
      headers.put(e.getKey(), Npy.readHeader(e.getValue()));
    }
    for (Map.Entry<String, Integer> e : options.expectedDims().entrySet()) {
      Npy.Header h = headers.containsKey(e.getKey()) ? headers.get(e.getKey()) : Npy.readHeader(found.get(e.getKey()));
      if (h.cols() != e.getValue()) {
        throw new DatasetException(found.get(e.getKey()), "modality '" + e.getKey() + "' has dimension " + h.cols()
            + " but " + e.getValue() + " is expected");
      }
    }
    String first = null;
    for (Map.Entry<String, Npy.Header> e : headers.entrySet()) {
      if (first == null) {
        first = e.getKey();
      } else if (e.getValue().rows() != headers.get(first).rows()) {
        throw new DatasetException(load.get(e.getKey()), "has " + e.getValue().rows() + " rows but "
            + load.get(first).getFileName() + " has " + headers.get(first).rows()
            + "; every modality needs one row per item");
      }
    }
    List<FeatureMatrix> out = new ArrayList<>();
    for (Map.Entry<String, Path> e : load.entrySet()) {
      out.add(Npy.readMatrix(e.getValue(), e.getKey()));
    }
    return out;
  }

  private static void checkFinite(Path file, FeatureMatrix f, ReadOptions options, ReadReport report, boolean[] badItems) {
    for (int r = 0; r < f.rows(); r++) {
      int c = f.firstNonFinite(r);
      if (c < 0) {
        continue;
      }
      DatasetException e = new DatasetException(file, "row " + r, BadReason.NON_FINITE_FEATURE_ROW,
          "item " + r + " has " + f.get(r, c) + " in column " + c + " (after conversion to float32)");
      if (!options.skipBad()) {
        throw e;
      }
      report.badFeatureRow(f.modality(), e);
      badItems[r] = true;
      Arrays.fill(f.data(), r * f.dim(), (r + 1) * f.dim(), 0f);
    }
  }
}
