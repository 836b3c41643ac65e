package dev.crane.ingest.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.crane.schemas.Split;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A small snapshot written here file by file, read through the one reader. */
class SnapshotReaderTest {
  @TempDir Path dir;

  private static final float[] IMAGE = {1f, 2f, 0.5f, -1f, 3f, 0.25f}; // items i1, i2, i3 x 2
  private static final String INTERACTIONS = """
      user_id\titem_id\ttimestamp\tx_label\tweight\tversion
      alice\ti1\t1000\t-1\t\t1
      alice\ti2\t2000\t-1\t\t1
      bob\ti2\t1500\t0\t\t1
      bob\ti3\t1600\t2\t\t1
      carol\ti1\t1700\t-1\t\t1
      alice\ti1\t3000\t-1\t2.5\t2
      """;

  /** Eq. 5 sums of train and unlabelled rows, each occurrence: alice i1+i2+i1, bob i2 (its test row is not summed), carol i1. */
  private static double[] profiles() {
    return new double[] {1 + 0.5 + 1, 2 - 1 + 2, 0.5, -1, 1, 2};
  }

  private void write(String interactions, double[] profiles) throws IOException {
    Files.writeString(dir.resolve("interactions.tsv"), interactions);
    Files.writeString(dir.resolve("users.tsv"), """
        user_id\tdegree\ttotal_degree\tn_train\tn_valid\tn_test\tn_unlabelled\tupdated_at
        alice\t3\t3\t0\t0\t0\t3\t3000
        bob\t1\t2\t1\t0\t1\t0\t1600
        carol\t1\t1\t0\t0\t0\t1\t1700
        """);
    Files.writeString(dir.resolve("items.tsv"), """
        item_id\tdegree\ttotal_degree\tn_train\tn_valid\tn_test\tn_unlabelled
        i1\t3\t3\t0\t0\t0\t3
        i2\t2\t2\t1\t0\t0\t1
        i3\t0\t1\t0\t0\t1\t0
        """);
    Npy.writeFloat32(dir.resolve("image_feat.npy"), 3, 2, IMAGE);
    writeFloat64(dir.resolve("user_profile_image.npy"), 3, 2, profiles);
    writeManifest();
  }

  private void writeManifest() throws IOException {
    StringBuilder files = new StringBuilder();
    for (String f : List.of("interactions.tsv", "users.tsv", "items.tsv", "image_feat.npy", "user_profile_image.npy")) {
      files.append(files.isEmpty() ? "" : ", ").append('"').append(f).append("\": \"")
          .append(SnapshotReader.sha256(dir.resolve(f))).append('"');
    }
    Files.writeString(dir.resolve("manifest.json"), "{\"format\": \"crane-snapshot\", \"formatVersion\": 1, "
        + "\"version\": 2, \"createdAt\": 1767225600000, \"modalities\": [{\"name\": \"image\", \"dim\": 2}], "
        + "\"counts\": {\"users\": 3, \"items\": 3, \"interactions\": 6, \"newInteractions\": 1}, \"files\": {"
        + files + "}}");
  }

  private static void writeFloat64(Path file, int rows, int cols, double[] data) throws IOException {
    byte[] header = new String(Npy.float32Header(rows, cols), StandardCharsets.ISO_8859_1).replace("<f4", "<f8")
        .getBytes(StandardCharsets.ISO_8859_1);
    ByteBuffer b = ByteBuffer.allocate(header.length + data.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    b.put(header);
    b.asDoubleBuffer().put(data);
    Files.write(file, b.array());
  }

  @Test
  void readsIdsInListedOrderLabelsFeaturesAndTheProcessorsSums() throws IOException {
    write(INTERACTIONS, profiles());
    assertThat(SnapshotReader.isSnapshot(dir)).isTrue();
    SnapshotReader.Snapshot s = SnapshotReader.read(dir);
    MmrecDataset d = s.dataset();
    assertThat(s.version()).isEqualTo(2);
    assertThat(s.newInteractions()).isEqualTo(1);
    assertThat(d.name()).isEqualTo("snapshot-v2");
    assertThat(d.userIds()).containsExactly("alice", "bob", "carol");
    assertThat(d.itemIds()).containsExactly("i1", "i2", "i3");
    InteractionTable t = d.interactions();
    assertThat(t.users()).containsExactly(0, 0, 1, 1, 2, 0);
    assertThat(t.items()).containsExactly(0, 1, 1, 2, 0, 0);
    assertThat(t.splits()).containsExactly(Split.UNLABELLED, Split.UNLABELLED, Split.TRAIN, Split.TEST,
        Split.UNLABELLED, Split.UNLABELLED);
    assertThat(t.timestamps()).containsExactly(1000, 2000, 1500, 1600, 1700, 3000);
    assertThat(d.feature("image").data()).containsExactly(IMAGE);
    double[] bob = new double[2];
    s.profiles().get(0).row(1, bob);
    assertThat(bob).containsExactly(0.5, -1);
    // the one reader: MmrecReader.read sees the same dataset
    assertThat(MmrecReader.read(dir)).isEqualTo(d);
  }

  @Test
  void aProfileThatDisagreesWithTheInteractionsIsRefusedNamingTheUser() throws IOException {
    double[] p = profiles();
    p[5] += 0.5; // carol's second column: as if an item were counted that interactions.tsv does not have
    write(INTERACTIONS, p);
    assertThatThrownBy(() -> SnapshotReader.read(dir)).isInstanceOf(DatasetException.class)
        .hasMessageContaining("user_profile_image.npy").hasMessageContaining("user 'carol': column 1 is 2.5")
        .hasMessageContaining("sum to 2.0");
  }

  @Test
  void aChangedFileFailsItsChecksumAndAMissingOneIsNamed() throws IOException {
    write(INTERACTIONS, profiles());
    Files.writeString(dir.resolve("items.tsv"), Files.readString(dir.resolve("items.tsv")).replace("i3\t0", "i3\t1"));
    assertThatThrownBy(() -> SnapshotReader.read(dir)).isInstanceOf(DatasetException.class)
        .hasMessageContaining("items.tsv").hasMessageContaining("checksum mismatch");
    write(INTERACTIONS, profiles());
    Files.delete(dir.resolve("users.tsv"));
    assertThatThrownBy(() -> SnapshotReader.read(dir)).isInstanceOf(DatasetException.class)
        .hasMessageContaining("users.tsv").hasMessageContaining("missing");
  }

  @Test
  void anIdNotListedInUsersTsvIsAnErrorWithItsLine() throws IOException {
    write(INTERACTIONS + "dave\ti1\t4000\t-1\t\t2\n", profiles());
    assertThatThrownBy(() -> SnapshotReader.read(dir)).isInstanceOf(DatasetException.class)
        .hasMessageContaining("interactions.tsv:8").hasMessageContaining("user_id 'dave' is not listed in users.tsv");
  }

  @Test
  void aDegreeThatDisagreesIsRefused() throws IOException {
    write(INTERACTIONS.replace("carol\ti1\t1700\t-1", "carol\ti1\t1700\t1"), profiles());
    assertThatThrownBy(() -> SnapshotReader.read(dir)).isInstanceOf(DatasetException.class)
        .hasMessageContaining("users.tsv").hasMessageContaining("user 'carol' has degree 1 but interactions.tsv has 0");
  }
}
