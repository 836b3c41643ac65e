package dev.crane.stream.snapshot;

import dev.crane.stream.codec.JournalLine;
import dev.crane.stream.codec.PartitionMeta;
import dev.crane.stream.codec.ProfileCodec;
import dev.crane.stream.codec.SplitCounts;
import dev.crane.stream.config.StreamConfig;
import dev.crane.stream.journal.JournalStore;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Writes one input partition's part of a snapshot version from the task's stores, on the task's
 * thread, so that it is exactly the state after the input below {@code endOffset}. The part lives
 * in a directory with a unique name: if the transaction that reports it aborts, the directory is
 * an orphan that the coordinator never reads and later deletes.
 *
 * <p>Files (no headers; the assembler adds them): {@code interactions.tsv} (the journal entries
 * accepted since the previous cut, in acceptance order, tagged with the version),
 * {@code users.tsv} (every user of the partition with degrees), {@code profile_<modality>.f64}
 * (their float64 sums, row-aligned with users.tsv, raw little-endian).
 */
public final class CutWriter {
  private final StreamConfig config;
  private final ProfileCodec codec;

  /**
   * What a part holds; sent to the coordinator as JSON.
   *
   * @param dir the part directory relative to the snapshot root
   * @param endOffset every interaction of the partition below this offset is accounted for
   * @param seqFrom first accepted-interaction sequence number in this part (inclusive)
   * @param seqTo end of the part's sequence numbers (exclusive)
   */
  public record Part(long version, int partition, String dir, long endOffset, long seqFrom, long seqTo,
      long interactions, long users, long pending) {}

  public CutWriter(StreamConfig config, ProfileCodec codec) {
    this.config = config;
    this.codec = codec;
  }

  public Part write(long version, int partition, PartitionMeta meta, JournalStore journal,
      KeyValueStore<String, byte[]> profiles, long pending) {
    String rel = ".parts/v" + version + "/p" + partition + "-" + UUID.randomUUID();
    Path dir = config.snapshotDir().resolve(rel);
    try {
      Files.createDirectories(dir);
      long interactions = 0;
      byte[] suffix = ("\t" + version + "\n").getBytes(StandardCharsets.UTF_8);
      try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(dir.resolve("interactions.tsv")), 1 << 16)) {
        // no entry since the last cut: an empty range (from > to) would make RocksDB log a warning
        long[] written = {0};
        journal.forEach(meta.lastCutSeq, meta.nextSeq - 1, (seq, entry) -> {
          int from = JournalLine.lineStart(entry);
          try {
            out.write(entry, from, entry.length - from);
            out.write(suffix);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
          written[0]++;
        });
        interactions = written[0];
      }
      long users = writeProfiles(dir, profiles);
      Files2.fsyncAll(dir);
      return new Part(version, partition, rel, meta.position, meta.lastCutSeq, meta.nextSeq, interactions, users,
          pending);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write snapshot part " + dir, e);
    }
  }

  private long writeProfiles(Path dir, KeyValueStore<String, byte[]> profiles) throws IOException {
    int n = codec.modalities().size();
    List<OutputStream> sums = new ArrayList<>(n);
    long users = 0;
    try (OutputStream usersOut = new BufferedOutputStream(Files.newOutputStream(dir.resolve("users.tsv")), 1 << 16);
         KeyValueIterator<String, byte[]> it = profiles.all()) {
      for (int m = 0; m < n; m++) {
        sums.add(new BufferedOutputStream(Files.newOutputStream(
            dir.resolve("profile_" + codec.modalities().get(m).name() + ".f64")), 1 << 16));
      }
      while (it.hasNext()) {
        var kv = it.next();
        if (kv.key.startsWith("\0")) {
          continue; // bookkeeping key, not a user
        }
        byte[] p = kv.value;
        codec.check(p, kv.key);
        StringBuilder line = new StringBuilder(kv.key).append('\t').append(codec.degree(p)).append('\t')
            .append(codec.totalDegree(p));
        for (int s = 0; s < SplitCounts.SLOTS; s++) {
          line.append('\t').append(codec.count(p, s));
        }
        line.append('\t').append(codec.updatedAt(p)).append('\n');
        usersOut.write(line.toString().getBytes(StandardCharsets.UTF_8));
        for (int m = 0; m < n; m++) {
          sums.get(m).write(p, codec.sumOffset(m), 8 * codec.modalities().get(m).dim());
        }
        users++;
      }
    } finally {
      for (OutputStream o : sums) {
        o.close();
      }
    }
    return users;
  }
}
