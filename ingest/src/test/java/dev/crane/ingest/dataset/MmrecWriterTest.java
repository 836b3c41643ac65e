package dev.crane.ingest.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.crane.schemas.Modality;
import dev.crane.schemas.Split;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MmrecWriterTest {
  @TempDir Path dir;

  private static MmrecDataset sample(boolean ratings, boolean timestamps) {
    InteractionTable t = new InteractionTable(
        new int[] {0, 1, 1, 4}, new int[] {3, 0, 2, 3},
        timestamps ? new long[] {1_400_000_000L, 5, -7, Long.MAX_VALUE} : null,
        ratings ? new float[] {5f, 0.1f, 1e-8f, 3.3333333f} : null,
        new Split[] {Split.TRAIN, Split.VALID, Split.TEST, Split.TRAIN});
    FeatureMatrix image = new FeatureMatrix("image", 6, 2,
        new float[] {0, -0f, 1.5f, Float.MIN_VALUE, Float.MAX_VALUE, -1e-30f, 7, 8, 9, 10, 11, 0.1f});
    FeatureMatrix text = new FeatureMatrix("text", 6, 1, new float[] {1, 2, 3, 4, 5, 6});
    return MmrecDataset.of("toy", t, List.of(image, text));
  }

  @Test
  void roundTripsEveryColumnExactly() throws IOException {
    for (boolean ratings : new boolean[] {false, true}) {
      for (boolean timestamps : new boolean[] {false, true}) {
        Path out = dir.resolve("r" + ratings + "t" + timestamps);
        MmrecDataset d = sample(ratings, timestamps);
        MmrecWriter.write(d, out);
        MmrecDataset back = MmrecReader.read(out, sameModalities(d)).dataset();
        assertThat(back).as("ratings=%s timestamps=%s", ratings, timestamps).isEqualTo(d);
        assertThat(back.numItems()).isEqualTo(6);
      }
    }
  }

  @Test
  void writesTheMmrecHeaderWithAbsentColumnsOmitted() throws IOException {
    MmrecWriter.write(sample(true, true), dir.resolve("full"));
    MmrecWriter.write(sample(false, false), dir.resolve("bare"));
    assertThat(Files.readAllLines(dir.resolve("full/toy.inter")))
        .startsWith("userID\titemID\trating\ttimestamp\tx_label", "0\t3\t5.0\t1400000000\t0");
    assertThat(Files.readAllLines(dir.resolve("bare/toy.inter")))
        .containsExactly("userID\titemID\tx_label", "0\t3\t0", "1\t0\t1", "1\t2\t2", "4\t3\t0");
  }

  @Test
  void leavesNoTemporaryFiles() throws IOException {
    MmrecWriter.write(sample(true, true), dir);
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("toy.inter", "image_feat.npy", "text_feat.npy");
    }
  }

  @Test
  void overwritesItsOwnFilesButRefusesAnotherDatasets() throws IOException {
    MmrecWriter.write(sample(false, false), dir);
    MmrecWriter.write(sample(true, true), dir); // same dataset name: replaced
    assertThat(MmrecReader.read(dir)).isEqualTo(sample(true, true));
    Fixtures.text(dir.resolve("other.inter"), "userID\titemID\tx_label");
    assertThatThrownBy(() -> MmrecWriter.write(sample(true, true), dir))
        .isInstanceOf(DatasetException.class).hasMessageContaining("other.inter");
  }

  @Test
  void roundTripsASyntheticDataset() throws IOException {
    MmrecDataset d = SyntheticGenerator.generate(
        SyntheticConfig.defaults(300, 120, Modality.parseList("visual:64,text:16"), 5)).dataset();
    MmrecWriter.write(d, dir);
    assertThat(MmrecReader.read(dir, sameModalities(d)).dataset()).isEqualTo(d);
    // Files carry no modality order: without the expected order they come back sorted by name.
    assertThat(MmrecReader.read(dir).modalityNames()).containsExactly("text", "visual");
  }

  /** Reading with the dataset's own modality list restores its modality order. */
  private static ReadOptions sameModalities(MmrecDataset d) {
    return ReadOptions.defaults().withExpectedDims(Modality.toMap(d.modalities()));
  }

  @Test
  void rejectsNamesThatAreNotFileNames() {
    MmrecDataset d = sample(false, false);
    MmrecDataset bad = new MmrecDataset("../x", d.numUsers(), d.numItems(), d.interactions(), d.features());
    assertThatThrownBy(() -> MmrecWriter.write(bad, dir)).isInstanceOf(IllegalArgumentException.class);
  }
}
