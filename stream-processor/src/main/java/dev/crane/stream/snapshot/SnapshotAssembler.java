package dev.crane.stream.snapshot;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.crane.schemas.Modality;
import dev.crane.schemas.avro.ModalitySpec;
import dev.crane.schemas.avro.SnapshotManifest;
import dev.crane.schemas.avro.TopicOffset;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Turns the parts of one version into a snapshot directory (format: SNAPSHOT-FORMAT.md): the
 * previous version's interactions plus the new ones, every user's profile, item features and
 * degrees, and manifest.json; then renames the temporary directory into place. Runs off the
 * stream thread; the coordinator publishes the manifest record after it returns.
 */
public final class SnapshotAssembler {
  public static final int FORMAT_VERSION = 1;
  static final String INTERACTIONS_HEADER = "user_id\titem_id\ttimestamp\tx_label\tweight\tversion\n";
  static final String USERS_HEADER =
      "user_id\tdegree\ttotal_degree\tn_train\tn_valid\tn_test\tn_unlabelled\tupdated_at\n";
  static final String ITEMS_HEADER = "item_id\tdegree\ttotal_degree\tn_train\tn_valid\tn_test\tn_unlabelled\n";

  /**
   * Everything one assembly needs, captured on the stream thread.
   *
   * @param itemEnds per partition of {@code itemsTopic}: every record below this offset was in the
   *     items store when {@code itemIds} and the feature matrices were copied from it
   */
  public record Job(long version, Long previousVersion, Path previousDir, List<CutWriter.Part> parts, Path root,
      Path tmpDir, List<String> itemIds, SortedMap<Integer, Long> itemEnds, List<Modality> modalities,
      String applicationId, String interactionsTopic, String itemsTopic, long createdAt) {}

  private SnapshotAssembler() {}

  public static String dirName(long version) {
    return String.format("v%08d", version);
  }

  public static SnapshotManifest assemble(Job job) {
    try {
      return run(job);
    } catch (IOException e) {
      throw new UncheckedIOException("snapshot v" + job.version() + ": " + e.getMessage(), e);
    }
  }

  private static SnapshotManifest run(Job job) throws IOException {
    Path tmp = job.tmpDir();
    Map<String, long[]> itemCounts = new HashMap<>();
    long[] totals = new long[2]; // all interactions, new ones
    try (BufferedWriter out = Files.newBufferedWriter(tmp.resolve("interactions.tsv"), StandardCharsets.UTF_8)) {
      out.write(INTERACTIONS_HEADER);
      if (job.previousDir() != null) {
        Path prev = job.previousDir().resolve("interactions.tsv");
        if (!Files.exists(prev)) {
          throw new IOException("previous snapshot " + job.previousDir() + " has no interactions.tsv; "
              + "the latest published snapshot must be kept for the next one to be written");
        }
        copyLines(prev, out, true, itemCounts, totals, false);
      }
      for (CutWriter.Part p : job.parts()) {
        copyLines(job.root().resolve(p.dir()).resolve("interactions.tsv"), out, false, itemCounts, totals, true);
      }
    }
    long users = 0;
    try (OutputStream out = Files.newOutputStream(tmp.resolve("users.tsv"))) {
      out.write(USERS_HEADER.getBytes(StandardCharsets.UTF_8));
      for (CutWriter.Part p : job.parts()) {
        Files.copy(job.root().resolve(p.dir()).resolve("users.tsv"), out);
        users += p.users();
      }
    }
    for (Modality m : job.modalities()) {
      try (OutputStream out = Files.newOutputStream(tmp.resolve("user_profile_" + m.name() + ".npy"))) {
        Npy.writeHeader(out, "<f8", users, m.dim());
        for (CutWriter.Part p : job.parts()) {
          Files.copy(job.root().resolve(p.dir()).resolve("profile_" + m.name() + ".f64"), out);
        }
      }
    }
    try (BufferedWriter out = Files.newBufferedWriter(tmp.resolve("items.tsv"), StandardCharsets.UTF_8)) {
      out.write(ITEMS_HEADER);
      for (String id : job.itemIds()) {
        long[] c = itemCounts.getOrDefault(id, new long[4]);
        out.write(id + '\t' + (c[0] + c[3]) + '\t' + (c[0] + c[1] + c[2] + c[3]) + '\t' + c[0] + '\t' + c[1] + '\t'
            + c[2] + '\t' + c[3] + '\n');
      }
    }

    Map<String, String> sha = new TreeMap<>();
    try (var files = Files.list(tmp)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        sha.put(f.getFileName().toString(), sha256(f));
      }
    }
    long pending = job.parts().stream().mapToLong(CutWriter.Part::pending).sum();
    ObjectNode manifest = SnapshotMessages.JSON.createObjectNode();
    manifest.put("format", "crane-snapshot").put("formatVersion", FORMAT_VERSION).put("version", job.version());
    if (job.previousVersion() == null) {
      manifest.putNull("previousVersion");
    } else {
      manifest.put("previousVersion", job.previousVersion());
    }
    manifest.put("createdAt", job.createdAt()).put("createdAtIso", Instant.ofEpochMilli(job.createdAt()).toString())
        .put("applicationId", job.applicationId());
    ArrayNode mods = manifest.putArray("modalities");
    job.modalities().forEach(m -> mods.addObject().put("name", m.name()).put("dim", m.dim()));
    manifest.putObject("counts").put("users", users).put("items", job.itemIds().size())
        .put("interactions", totals[0]).put("newInteractions", totals[1]).put("pending", pending);
    ArrayNode inputs = manifest.putArray("inputs");
    for (CutWriter.Part p : job.parts()) {
      inputs.addObject().put("topic", job.interactionsTopic()).put("partition", p.partition())
          .put("endOffset", p.endOffset()).put("seqFrom", p.seqFrom()).put("seqTo", p.seqTo())
          .put("newInteractions", p.interactions()).put("users", p.users()).put("pending", p.pending());
    }
    ArrayNode itemInputs = manifest.putArray("itemInputs");
    job.itemEnds().forEach((partition, end) ->
        itemInputs.addObject().put("topic", job.itemsTopic()).put("partition", partition).put("endOffset", end));
    ObjectNode files = manifest.putObject("files");
    sha.forEach(files::put);
    Files.writeString(tmp.resolve("manifest.json"),
        SnapshotMessages.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(manifest) + "\n");
    Files2.fsyncAll(tmp);

    Path target = job.root().resolve(dirName(job.version()));
    if (Files.exists(target)) {
      // Left by an attempt whose manifest record was never committed: nobody reads it.
      Path stale = job.root().resolve(".stale-" + dirName(job.version()) + "-" + System.nanoTime());
      Files.move(target, stale);
      Files2.deleteTree(stale);
    }
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException("the snapshot directory " + job.root() + " does not support atomic renames", e);
    }
    Files2.fsync(job.root());

    List<ModalitySpec> specs = new ArrayList<>();
    job.modalities().forEach(m -> specs.add(new ModalitySpec(m.name(), m.dim())));
    List<TopicOffset> offsets = new ArrayList<>();
    job.parts().forEach(p -> offsets.add(new TopicOffset(job.interactionsTopic(), p.partition(), p.endOffset())));
    job.itemEnds().forEach((partition, end) -> offsets.add(new TopicOffset(job.itemsTopic(), partition, end)));
    sha.put("manifest.json", sha256(target.resolve("manifest.json")));
    return SnapshotManifest.newBuilder()
        .setVersion(job.version())
        .setPreviousVersion(job.previousVersion())
        .setCreatedAt(Instant.ofEpochMilli(job.createdAt()))
        .setPath(target.toAbsolutePath().toString())
        .setFormatVersion(FORMAT_VERSION)
        .setUsers(users)
        .setItems(job.itemIds().size())
        .setInteractions(totals[0])
        .setNewInteractions(totals[1])
        .setModalities(specs)
        .setOffsets(offsets)
        .setFiles(new HashMap<>(sha))
        .build();
  }

  private static void copyLines(Path in, BufferedWriter out, boolean skipHeader, Map<String, long[]> itemCounts,
      long[] totals, boolean isNew) throws IOException {
    try (BufferedReader r = Files.newBufferedReader(in, StandardCharsets.UTF_8)) {
      String line;
      boolean first = true;
      while ((line = r.readLine()) != null) {
        if (first && skipHeader) {
          first = false;
          continue;
        }
        first = false;
        if (line.isEmpty()) {
          continue;
        }
        int t1 = line.indexOf('\t');
        int t2 = line.indexOf('\t', t1 + 1);
        int t3 = line.indexOf('\t', t2 + 1);
        int t4 = line.indexOf('\t', t3 + 1);
        String item = line.substring(t1 + 1, t2);
        int label = Integer.parseInt(line.substring(t3 + 1, t4));
        itemCounts.computeIfAbsent(item, k -> new long[4])[label < 0 ? 3 : label]++;
        totals[0]++;
        if (isNew) {
          totals[1]++;
        }
        out.write(line);
        out.write('\n');
      }
    }
  }

  static String sha256(Path f) throws IOException {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    try (InputStream in = new DigestInputStream(Files.newInputStream(f), md)) {
      in.transferTo(OutputStream.nullOutputStream());
    }
    return HexFormat.of().formatHex(md.digest());
  }
}
