package dev.crane.ingest.dataset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.crane.schemas.Modality;
import dev.crane.schemas.Split;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Reads a stream-processor snapshot directory (stream-processor/SNAPSHOT-FORMAT.md) into the same
 * {@link MmrecDataset} an MMRec directory reads into, with the same parsers ({@link InterParser},
 * {@link Npy}): string ids become dense indices in the order of users.tsv and items.tsv (the rows
 * of the profile and feature matrices), x_label -1 becomes {@link Split#UNLABELLED}.
 *
 * <p>Nothing is taken on trust: every file's SHA-256 must match the manifest, every id of
 * interactions.tsv must be listed, and the processor's Eq. 5 profile sums must equal a
 * recomputation from interactions.tsv and the features (train and unlabelled rows, each occurrence,
 * summed in double in file order, which is the processor's order for each user), as must each
 * user's degree. Any disagreement is a {@link DatasetException} naming the file and the row.
 */
public final class SnapshotReader {
  public static final String MANIFEST = "manifest.json";
  static final String FORMAT = "crane-snapshot";
  static final int FORMAT_VERSION = 1;
  /** Relative tolerance of the profile check: far above double rounding, far below one item's features. */
  static final double PROFILE_TOLERANCE = 1e-6;

  private SnapshotReader() {}

  /**
   * A read snapshot.
   *
   * @param profiles the processor's sums per modality, in the dataset's modality order (users x dim)
   * @param newInteractions rows that first appeared in this version
   * @param inputs the input positions the snapshot covers (manifest.json's inputs and itemInputs)
   */
  public record Snapshot(MmrecDataset dataset, long version, long createdAt, long newInteractions,
      List<ProfileSums> profiles, List<Input> inputs) {}

  /** Every record of the topic's partition below {@code endOffset} is accounted for. */
  public record Input(String topic, int partition, long endOffset) {}

  /** True when {@code dir} holds a snapshot (its manifest.json) rather than an MMRec dataset. */
  public static boolean isSnapshot(Path dir) {
    return Files.isRegularFile(dir.resolve(MANIFEST));
  }

  public static Snapshot read(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new DatasetException(dir, Files.exists(dir) ? "not a directory" : "no such directory");
    }
    Path manifestFile = dir.resolve(MANIFEST);
    JsonNode manifest;
    try {
      manifest = new ObjectMapper().readTree(manifestFile.toFile());
    } catch (IOException e) {
      throw new DatasetException(manifestFile, "cannot read the snapshot manifest: " + e.getMessage());
    }
    if (!FORMAT.equals(manifest.path("format").asText()) || manifest.path("formatVersion").asInt() != FORMAT_VERSION) {
      throw new DatasetException(manifestFile, "not a " + FORMAT + " manifest of formatVersion " + FORMAT_VERSION
          + " (format '" + manifest.path("format").asText() + "', formatVersion " + manifest.path("formatVersion") + ")");
    }
    verifyChecksums(dir, manifest.path("files"));

    List<String> userIds = firstColumn(dir.resolve("users.tsv"), "user_id");
    List<String> itemIds = firstColumn(dir.resolve("items.tsv"), "item_id");
    Map<String, Integer> userRows = rows(dir.resolve("users.tsv"), userIds);
    Map<String, Integer> itemRows = rows(dir.resolve("items.tsv"), itemIds);

    List<FeatureMatrix> features = new ArrayList<>();
    List<Modality> modalities = new ArrayList<>();
    for (JsonNode m : manifest.path("modalities")) {
      Modality md = new Modality(m.path("name").asText(), m.path("dim").asInt());
      Path file = dir.resolve(md.name() + MmrecReader.FEAT_SUFFIX);
      FeatureMatrix f = Npy.readMatrix(file, md.name());
      if (f.dim() != md.dim() || f.rows() != itemIds.size()) {
        throw new DatasetException(file, "has shape (" + f.rows() + ", " + f.dim() + ") but the manifest says "
            + md + " for " + itemIds.size() + " items");
      }
      features.add(f);
      modalities.add(md);
    }
    ReadReport report = new ReadReport(ReadOptions.defaults().examplesPerReason());
    InteractionTable table = new InterParser(dir.resolve("interactions.tsv"), InterLayout.snapshot(userRows, itemRows),
        ReadOptions.defaults(), report, itemIds.size(), null).parse();
    MmrecDataset dataset = new MmrecDataset("snapshot-v" + manifest.path("version").asLong(), userIds.size(),
        itemIds.size(), table, features, userIds, itemIds);

    checkDegrees(dir.resolve("users.tsv"), dataset);
    List<ProfileSums> profiles = new ArrayList<>();
    for (int m = 0; m < modalities.size(); m++) {
      Path file = dir.resolve("user_profile_" + modalities.get(m).name() + ".npy");
      ProfileSums sums = ProfileSums.map(file, userIds.size(), modalities.get(m).dim());
      checkProfile(file, sums, dataset, features.get(m));
      profiles.add(sums);
    }
    List<Input> inputs = new ArrayList<>();
    for (String field : List.of("inputs", "itemInputs")) {
      for (JsonNode in : manifest.path(field)) {
        inputs.add(new Input(in.path("topic").asText(), in.path("partition").asInt(), in.path("endOffset").asLong()));
      }
    }
    return new Snapshot(dataset, manifest.path("version").asLong(), manifest.path("createdAt").asLong(),
        manifest.path("counts").path("newInteractions").asLong(), List.copyOf(profiles), List.copyOf(inputs));
  }

  private static void verifyChecksums(Path dir, JsonNode files) throws IOException {
    if (!files.isObject() || files.isEmpty()) {
      throw new DatasetException(dir.resolve(MANIFEST), "lists no files and their checksums");
    }
    for (var it = files.fields(); it.hasNext(); ) {
      var e = it.next();
      Path file = dir.resolve(e.getKey());
      if (!Files.isRegularFile(file)) {
        throw new DatasetException(file, "is listed in the manifest but missing");
      }
      String actual = sha256(file);
      if (!actual.equalsIgnoreCase(e.getValue().asText())) {
        throw new DatasetException(file, "checksum mismatch: SHA-256 " + actual + ", the manifest says "
            + e.getValue().asText() + " (the file changed after the snapshot was written)");
      }
    }
  }

  static String sha256(Path file) throws IOException {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    byte[] buf = new byte[1 << 20];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }

  /** The first column of a tab-separated file with a header whose first name is {@code header}. */
  private static List<String> firstColumn(Path file, String header) throws IOException {
    List<String> out = new ArrayList<>();
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String first = in.readLine();
      if (first == null || !first.split("\t", -1)[0].equals(header)) {
        throw new DatasetException(file, "1", null, "expected a header starting with '" + header + "', got '" + first + "'");
      }
      String line;
      while ((line = in.readLine()) != null) {
        int tab = line.indexOf('\t');
        out.add(tab < 0 ? line : line.substring(0, tab));
      }
    } catch (NoSuchFileException e) {
      throw new DatasetException(file, "missing");
    }
    return out;
  }

  private static Map<String, Integer> rows(Path file, List<String> ids) {
    Map<String, Integer> rows = new HashMap<>(ids.size() * 2);
    for (int r = 0; r < ids.size(); r++) {
      if (rows.put(ids.get(r), r) != null) {
        throw new DatasetException(file, Integer.toString(r + 2), BadReason.BAD_ID, "id '" + ids.get(r) + "' is listed twice");
      }
    }
    return rows;
  }

  /** users.tsv's {@code degree} (train and unlabelled rows summed into the profile) against interactions.tsv. */
  private static void checkDegrees(Path file, MmrecDataset ds) throws IOException {
    int[] counted = new int[ds.numUsers()];
    InteractionTable t = ds.interactions();
    for (int r = 0; r < t.size(); r++) {
      if (countsIntoProfile(t.splits()[r])) {
        counted[t.users()[r]]++;
      }
    }
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      List<String> header = List.of(in.readLine().split("\t", -1));
      int col = header.indexOf("degree");
      if (col < 0) {
        throw new DatasetException(file, "1", null, "the header has no column 'degree'; found " + header);
      }
      for (int u = 0; u < ds.numUsers(); u++) {
        String[] f = in.readLine().split("\t", -1);
        long degree = Long.parseLong(f[col]);
        if (degree != counted[u]) {
          throw new DatasetException(file, Integer.toString(u + 2), null, "user '" + f[0] + "' has degree " + degree
              + " but interactions.tsv has " + counted[u] + " train or unlabelled rows for it");
        }
      }
    }
  }

  /** What the processor sums into a profile (SNAPSHOT-FORMAT.md): train rows and rows without a label. */
  static boolean countsIntoProfile(Split s) {
    return s == Split.TRAIN || s == Split.UNLABELLED;
  }

  private static void checkProfile(Path file, ProfileSums sums, MmrecDataset ds, FeatureMatrix f) {
    InteractionTable t = ds.interactions();
    int users = ds.numUsers();
    // rows of each user in file order (a counting sort keeps it), only those summed into the profile
    int[] start = new int[users + 1];
    for (int r = 0; r < t.size(); r++) {
      if (countsIntoProfile(t.splits()[r])) {
        start[t.users()[r] + 1]++;
      }
    }
    for (int u = 0; u < users; u++) {
      start[u + 1] += start[u];
    }
    int[] next = start.clone();
    int[] byUser = new int[start[users]];
    for (int r = 0; r < t.size(); r++) {
      if (countsIntoProfile(t.splits()[r])) {
        byUser[next[t.users()[r]]++] = t.items()[r];
      }
    }
    int d = f.dim();
    double[] acc = new double[d];
    double[] stored = new double[d];
    for (int u = 0; u < users; u++) {
      java.util.Arrays.fill(acc, 0);
      for (int k = start[u]; k < start[u + 1]; k++) {
        int off = byUser[k] * d;
        for (int j = 0; j < d; j++) {
          acc[j] += f.data()[off + j];
        }
      }
      sums.row(u, stored);
      for (int j = 0; j < d; j++) {
        if (!(Math.abs(stored[j] - acc[j]) <= PROFILE_TOLERANCE * Math.max(1, Math.abs(acc[j])))) {
          throw new DatasetException(file, "row " + u, null, "user '" + ds.userIds().get(u) + "': column " + j + " is "
              + stored[j] + " but its " + (start[u + 1] - start[u]) + " train/unlabelled interactions and the item "
              + "features sum to " + acc[j] + " (the processor's profile sums and the snapshot's interactions disagree)");
        }
      }
    }
  }

  /**
   * The processor's Eq. 5 sums of one modality (float64, users x dim), memory-mapped: at Electronics
   * size a modality's sums are 6 GB, which the trainer reads a row at a time.
   */
  public static final class ProfileSums {
    private static final long CHUNK_BYTES = 1L << 30;
    private final int users;
    private final int dim;
    private final int rowsPerChunk;
    private final List<DoubleBuffer> chunks;

    private ProfileSums(int users, int dim, int rowsPerChunk, List<DoubleBuffer> chunks) {
      this.users = users;
      this.dim = dim;
      this.rowsPerChunk = rowsPerChunk;
      this.chunks = chunks;
    }

    static ProfileSums map(Path file, int users, int dim) throws IOException {
      Npy.Header h = Npy.readHeader(file);
      if (h.dtype() != Npy.Dtype.FLOAT64 || h.rows() != users || h.cols() != dim) {
        throw new DatasetException(file, "has dtype " + h.descr() + " and shape (" + h.rows() + ", " + h.cols()
            + "); expected float64 (" + users + ", " + dim + ")");
      }
      int rowsPerChunk = (int) Math.max(1, CHUNK_BYTES / (8L * dim));
      List<DoubleBuffer> chunks = new ArrayList<>();
      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
        for (long row = 0; row < users; row += rowsPerChunk) {
          long rows = Math.min(rowsPerChunk, users - row);
          MappedByteBuffer b = ch.map(FileChannel.MapMode.READ_ONLY, h.dataOffset() + row * dim * 8L, rows * dim * 8L);
          chunks.add(b.order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer());
        }
      }
      return new ProfileSums(users, dim, rowsPerChunk, chunks);
    }

    public int users() {
      return users;
    }

    public int dim() {
      return dim;
    }

    /** Copies user {@code u}'s sums into {@code out} (length dim). */
    public void row(int u, double[] out) {
      java.util.Objects.checkIndex(u, users);
      chunks.get(u / rowsPerChunk).get((u % rowsPerChunk) * dim, out, 0, dim);
    }
  }
}
