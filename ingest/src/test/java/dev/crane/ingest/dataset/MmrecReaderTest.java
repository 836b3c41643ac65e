package dev.crane.ingest.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.crane.schemas.Split;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MmrecReaderTest {
  @TempDir Path dir;

  private static final ReadOptions SKIP = ReadOptions.defaults().withSkipBad(true);

  /** 4 items x 2 dims: item i = (i, -i). */
  private void features(String modality, int rows, int dim) {
    float[] v = new float[rows * dim];
    for (int i = 0; i < rows; i++) {
      for (int d = 0; d < dim; d++) {
        v[i * dim + d] = d % 2 == 0 ? i : -i;
      }
    }
    Fixtures.matrix(dir.resolve(modality + "_feat.npy"), rows, dim, v);
  }

  @Test
  void readsColumnsInAnyOrderAndIgnoresExtraColumns() throws IOException {
    Fixtures.text(dir.resolve("toy.inter"),
        "x_label\tcomment\ttimestamp\titemID\trating\tuserID",
        "0\thello\t1000\t2\t4.5\t0",
        "1\t\t999\t0\t5\t3",
        "2\tz\t1001.0\t1\t3.25\t0");
    MmrecDataset d = MmrecReader.read(dir);
    InteractionTable t = d.interactions();
    assertThat(d.name()).isEqualTo("toy");
    assertThat(t.users()).containsExactly(0, 3, 0);
    assertThat(t.items()).containsExactly(2, 0, 1);
    assertThat(t.splits()).containsExactly(Split.TRAIN, Split.VALID, Split.TEST);
    assertThat(t.timestamps()).containsExactly(1000L, 999L, 1001L);
    assertThat(t.ratings()).containsExactly(4.5f, 5f, 3.25f);
    assertThat(d.numUsers()).isEqualTo(4); // max(userID) + 1, even though user 1 and 2 never appear
    assertThat(d.numItems()).isEqualTo(3);
    assertThat(d.features()).isEmpty();
  }

  @Test
  void optionalColumnsAreNullWhenAbsent() throws IOException {
    Fixtures.text(dir.resolve("toy.inter"), "userID\titemID\tx_label", "0\t0\t0", "1\t1\t0");
    InteractionTable t = MmrecReader.read(dir).interactions();
    assertThat(t.hasTimestamps()).isFalse();
    assertThat(t.hasRatings()).isFalse();
    assertThat(t.publishOrder()).containsExactly(0, 1);
  }

  @Test
  void featureRowsBeyondTheLargestItemStillCountAsItems() throws IOException {
    Fixtures.text(dir.resolve("toy.inter"), "userID\titemID\tx_label", "0\t1\t0", "1\t2\t0");
    features("image", 5, 2);
    features("audio", 5, 3);
    MmrecDataset d = MmrecReader.read(dir);
    assertThat(d.numItems()).isEqualTo(5);
    assertThat(d.modalityNames()).containsExactly("audio", "image"); // by name when no order is configured
    assertThat(d.feature("image").row(4)).containsExactly(4f, -4f);
    assertThat(d.feature("audio").row(3)).containsExactly(3f, -3f, 3f);
  }

  @Test
  void expectedDimsFixTheModalityOrderAndAreChecked() throws IOException {
    Fixtures.text(dir.resolve("toy.inter"), "userID\titemID\tx_label", "0\t1\t0");
    features("image", 3, 2);
    features("audio", 3, 3);
    Map<String, Integer> dims = new LinkedHashMap<>();
    dims.put("image", 2);
    dims.put("audio", 3);
    MmrecDataset d = MmrecReader.read(dir, ReadOptions.defaults().withExpectedDims(dims)).dataset();
    assertThat(d.modalityNames()).containsExactly("image", "audio");

    assertThatThrownBy(() -> MmrecReader.read(dir, ReadOptions.defaults().withExpectedDims(Map.of("audio", 128))))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining("audio_feat.npy")
        .hasMessageContaining("dimension 3 but 128 is expected");
    assertThatThrownBy(() -> MmrecReader.read(dir, ReadOptions.defaults().withExpectedDims(Map.of("text", 384))))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining("expected modality 'text'")
        .hasMessageContaining("[audio, image]");
  }

  @Test
  void loadsOnlyTheRequestedModalities() throws IOException {
    Fixtures.text(dir.resolve("toy.inter"), "userID\titemID\tx_label", "0\t1\t0");
    features("image", 3, 2);
    features("audio", 3, 3);
    MmrecDataset d = MmrecReader.read(dir, ReadOptions.defaults().withModalities(Set.of("image"))).dataset();
    assertThat(d.modalityNames()).containsExactly("image");
    assertThatThrownBy(() -> MmrecReader.read(dir, ReadOptions.defaults().withModalities(Set.of("text"))))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining("'text'");
  }

  @Test
  void missingOrSeveralInterFilesAreErrors() throws IOException {
    assertThatThrownBy(() -> MmrecReader.read(dir)).isInstanceOf(DatasetException.class)
        .hasMessageContaining(dir.toString()).hasMessageContaining("no <name>.inter");
    Fixtures.text(dir.resolve("a.inter"), "userID\titemID\tx_label");
    Fixtures.text(dir.resolve("b.inter"), "userID\titemID\tx_label");
    assertThatThrownBy(() -> MmrecReader.read(dir)).isInstanceOf(DatasetException.class)
        .hasMessageContaining("several .inter files [a.inter, b.inter]");
    assertThatThrownBy(() -> MmrecReader.read(dir.resolve("nope"))).isInstanceOf(DatasetException.class)
        .hasMessageContaining("no such directory");
  }

  @Test
  void headerProblemsNameLineOne() {
    Fixtures.text(dir.resolve("toy.inter"), "userID\titemID\trating", "0\t0\t1");
    assertThatThrownBy(() -> MmrecReader.read(dir)).isInstanceOf(DatasetException.class)
        .hasMessageContaining("toy.inter:1:").hasMessageContaining("no column 'x_label'");
    Fixtures.text(dir.resolve("toy.inter"), "userID itemID x_label", "0 0 0");
    assertThatThrownBy(() -> MmrecReader.read(dir)).isInstanceOf(DatasetException.class)
        .hasMessageContaining("tab-separated");
    Fixtures.text(dir.resolve("toy.inter"), "userID\titemID\tx_label\titemID");
    assertThatThrownBy(() -> MmrecReader.read(dir)).isInstanceOf(DatasetException.class)
        .hasMessageContaining("'itemID' appears twice");
  }

  @Test
  void emptyFileIsAnError() throws IOException {
    Files.writeString(dir.resolve("toy.inter"), "");
    assertThatThrownBy(() -> MmrecReader.read(dir)).isInstanceOf(DatasetException.class).hasMessageContaining("empty file");
  }

  @Test
  void headerOnlyGivesAnEmptyDataset() throws IOException {
    Fixtures.text(dir.resolve("toy.inter"), "userID\titemID\tx_label");
    MmrecDataset d = MmrecReader.read(dir);
    assertThat(d.interactions().size()).isZero();
    assertThat(d.numUsers()).isZero();
  }

  /** One bad line per reason, in a file with good lines around them. */
  private void badFile() {
    Fixtures.text(dir.resolve("bad.inter"),
        "userID\titemID\trating\ttimestamp\tx_label", // line 1
        "0\t0\t5\t100\t0", // 2 ok
        "0\t1\t5\t100", // 3 wrong field count
        "0\t1\t5\t100\t0\textra", // 4 wrong field count
        "x\t1\t5\t100\t0", // 5 bad id
        "0\t-1\t5\t100\t0", // 6 bad id
        "0\t1.5\t5\t100\t0", // 7 bad id
        "0\t1\t5\t100\t3", // 8 bad label
        "0\t1\tgood\t100\t0", // 9 bad rating
        "0\t1\tNaN\t100\t0", // 10 bad rating
        "0\t1\t5\tyesterday\t0", // 11 bad timestamp
        "0\t9\t5\t100\t0", // 12 item without features (3 rows)
        "", // 13 blank
        "1\t2\t4\t101\t1"); // 14 ok
    features("image", 3, 2);
  }

  @Test
  void strictModeStopsAtTheFirstBadLineWithFileAndLine() {
    badFile();
    assertThatThrownBy(() -> MmrecReader.read(dir))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining("bad.inter:3: ")
        .hasMessageContaining("fields")
        .satisfies(e -> {
          DatasetException de = (DatasetException) e;
          assertThat(de.reason()).isEqualTo(BadReason.WRONG_FIELD_COUNT);
          assertThat(de.location()).isEqualTo("3");
          assertThat(de.file().getFileName().toString()).isEqualTo("bad.inter");
        });
  }

  @Test
  void strictModeMessagesSayWhatIsWrong() {
    String[][] cases = {
        {"x\t1\t0", "userID 'x' is not an integer"},
        {"0\t-1\t0", "itemID -1 is negative"},
        {"0\t99999999999\t0", "itemID 99999999999 is too large"},
        {"0\t1\t7", "x_label must be 0 (train), 1 (valid) or 2 (test), got '7'"},
        {"0\t9\t0", "itemID 9 has no feature row"},
    };
    features("image", 3, 2);
    for (String[] c : cases) {
      Fixtures.text(dir.resolve("one.inter"), "userID\titemID\tx_label", "0\t0\t0", c[0]);
      assertThatThrownBy(() -> MmrecReader.read(dir)).as(c[0])
          .isInstanceOf(DatasetException.class)
          .hasMessageContaining("one.inter:3: " + c[1]);
    }
  }

  @Test
  void skipModeCountsEveryBadLinePerReason() throws IOException {
    badFile();
    MmrecReader.ReadResult r = MmrecReader.read(dir, SKIP);
    ReadReport rep = r.report();
    assertThat(r.dataset().interactions().users()).containsExactly(0, 1);
    assertThat(r.dataset().interactions().timestamps()).containsExactly(100L, 101L);
    assertThat(rep.count(BadReason.WRONG_FIELD_COUNT)).isEqualTo(2);
    assertThat(rep.count(BadReason.BAD_ID)).isEqualTo(3);
    assertThat(rep.count(BadReason.BAD_LABEL)).isEqualTo(1);
    assertThat(rep.count(BadReason.BAD_RATING)).isEqualTo(2);
    assertThat(rep.count(BadReason.BAD_TIMESTAMP)).isEqualTo(1);
    assertThat(rep.count(BadReason.ITEM_WITHOUT_FEATURES)).isEqualTo(1);
    assertThat(rep.blankLines()).isEqualTo(1);
    assertThat(rep.dataLines()).isEqualTo(12);
    assertThat(rep.loaded()).isEqualTo(2);
    // Nothing lost: every data line is loaded or counted.
    assertThat(rep.loaded() + rep.skippedLines()).isEqualTo(rep.dataLines());
    assertThat(rep.examples(BadReason.BAD_ID)).hasSize(3).first().asString().contains("bad.inter:5:");
    assertThat(rep.countsByDescription()).containsEntry("bad x_label", 1L);
    assertThat(rep.summary()).contains("12 data lines: 2 loaded, 10 skipped").contains("bad rating: 2");
    assertThat(rep.isClean()).isFalse();
  }

  @Test
  void examplesAreCappedButCountsAreNot() throws IOException {
    String[] lines = new String[52];
    lines[0] = "userID\titemID\tx_label";
    lines[1] = "0\t0\t0";
    for (int i = 2; i < lines.length; i++) {
      lines[i] = "0\t0\t5";
    }
    Fixtures.text(dir.resolve("toy.inter"), lines);
    ReadReport rep = MmrecReader.read(dir, SKIP.withExamplesPerReason(2)).report();
    assertThat(rep.count(BadReason.BAD_LABEL)).isEqualTo(50);
    assertThat(rep.examples(BadReason.BAD_LABEL)).hasSize(2);
  }

  @Test
  void nonFiniteFeatureRowIsAnErrorInStrictMode() {
    Fixtures.text(dir.resolve("toy.inter"), "userID\titemID\tx_label", "0\t0\t0", "0\t1\t0");
    Fixtures.matrix(dir.resolve("image_feat.npy"), 3, 2, 0, 0, 1, Float.NaN, 2, 2);
    assertThatThrownBy(() -> MmrecReader.read(dir))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining("image_feat.npy:row 1: item 1 has NaN in column 1");
  }

  @Test
  void skipModeZeroesABadFeatureRowAndSkipsThatItemsInteractions() throws IOException {
    Fixtures.text(dir.resolve("toy.inter"), "userID\titemID\tx_label",
        "0\t0\t0", "0\t1\t0", "1\t1\t1", "1\t2\t0", "2\t2\t2");
    Fixtures.matrix(dir.resolve("image_feat.npy"), 3, 2, 0, 0, Float.POSITIVE_INFINITY, 1, 2, 2);
    Fixtures.matrix(dir.resolve("audio_feat.npy"), 3, 1, 5, 6, Float.NaN);
    MmrecReader.ReadResult r = MmrecReader.read(dir, SKIP);
    MmrecDataset d = r.dataset();
    assertThat(d.numItems()).isEqualTo(3); // bad items stay items
    assertThat(d.feature("image").row(1)).containsExactly(0f, 0f);
    assertThat(d.feature("audio").row(2)).containsExactly(0f);
    assertThat(d.feature("audio").row(1)).containsExactly(6f); // the other modality's row is untouched
    assertThat(d.interactions().items()).containsExactly(0);
    ReadReport rep = r.report();
    assertThat(rep.count(BadReason.BAD_ITEM_FEATURES)).isEqualTo(4);
    assertThat(rep.count(BadReason.NON_FINITE_FEATURE_ROW)).isEqualTo(2);
    assertThat(rep.badFeatureRows()).containsEntry("image", 1L).containsEntry("audio", 1L);
    assertThat(rep.badItems()).containsExactly(1, 2);
    assertThat(rep.loaded() + rep.skippedLines()).isEqualTo(rep.dataLines());
  }

  @Test
  void featureFilesWithDifferentRowCountsAreAnError() {
    Fixtures.text(dir.resolve("toy.inter"), "userID\titemID\tx_label", "0\t0\t0");
    features("image", 3, 2);
    features("text", 4, 2);
    assertThatThrownBy(() -> MmrecReader.read(dir, SKIP))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining("text_feat.npy: has 4 rows but image_feat.npy has 3");
  }

  @Test
  void unreadableNpyHeaderIsAnErrorEvenInSkipMode() throws IOException {
    Fixtures.text(dir.resolve("toy.inter"), "userID\titemID\tx_label", "0\t0\t0");
    Files.writeString(dir.resolve("image_feat.npy"), "not numpy");
    assertThatThrownBy(() -> MmrecReader.read(dir, SKIP))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining("image_feat.npy: not an .npy file");
  }

  @Test
  void badModalityFileNameIsAnError() {
    Fixtures.text(dir.resolve("toy.inter"), "userID\titemID\tx_label", "0\t0\t0");
    features("my image", 1, 1);
    assertThatThrownBy(() -> MmrecReader.read(dir)).isInstanceOf(DatasetException.class)
        .hasMessageContaining("my image_feat.npy").hasMessageContaining("modality name");
  }

  @Test
  void readsFloat16FeaturesFromNumpy() throws IOException {
    Fixtures.text(dir.resolve("toy.inter"), "userID\titemID\tx_label", "0\t2\t0");
    Fixtures.npy("f16_3x4.npy", dir.resolve("image_feat.npy"));
    Fixtures.npy("f64_3x4.npy", dir.resolve("text_feat.npy"));
    MmrecDataset d = MmrecReader.read(dir);
    assertThat(d.numItems()).isEqualTo(3);
    assertThat(d.feature("image").get(0, 1)).isEqualTo(-2.5f);
    assertThat(d.feature("text").get(2, 0)).isEqualTo((float) Math.PI);
  }

  @Test
  void limitStopsAfterThatManyInteractions() throws IOException {
    Fixtures.text(dir.resolve("toy.inter"), "userID\titemID\tx_label", "0\t0\t0", "bad", "1\t1\t0", "2\t2\t0", "3\t3\t0");
    ReadReport rep = MmrecReader.read(dir, SKIP.withLimit(2)).report();
    assertThat(rep.loaded()).isEqualTo(2);
    assertThat(rep.dataLines()).isEqualTo(3);
    assertThat(rep.isStoppedAtLimit()).isTrue();
    ReadReport all = MmrecReader.read(dir, SKIP.withLimit(4)).report();
    assertThat(all.loaded()).isEqualTo(4);
    assertThat(all.isStoppedAtLimit()).isFalse();
  }

  @Test
  void toleratesCrlfByteOrderMarkAndPaddedFields() throws IOException {
    Files.writeString(dir.resolve("win.inter"), "\uFEFFuserID\titemID\tx_label\r\n0\t 4 \t0\r\n1\t2\t2\r\n");
    MmrecDataset d = MmrecReader.read(dir);
    assertThat(d.interactions().items()).containsExactly(4, 2);
    assertThat(d.interactions().splits()).containsExactly(Split.TRAIN, Split.TEST);
  }

  @Test
  void invalidUtf8FailsOnItsLine() throws IOException {
    byte[] content = "userID\titemID\tx_label\n0\t0\t0\n0\t\u00ff1\t0\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    Files.write(dir.resolve("bytes.inter"), content);
    assertThatThrownBy(() -> MmrecReader.read(dir)).isInstanceOf(DatasetException.class).hasMessageContaining("bytes.inter:3:");
  }
}
