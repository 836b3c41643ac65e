package dev.crane.ingest.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.crane.schemas.Modality;
import dev.crane.schemas.Split;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Reads the real datasets when present (see {@link TestData}; skipped otherwise). Expected values
 * were computed with numpy 2.4.6:
 * {@code a = np.load('tiktok/image_feat.npy').astype(np.float32); float(a[r, c])},
 * {@code float(a.astype(np.float64).sum())} and, for the .inter files,
 * {@code d = np.loadtxt('tiktok/tiktok.inter', skiprows=1, dtype=np.int64); np.bincount(d[:, 2])}.
 */
class RealDatasetsTest {

  @Test
  void tiktok() throws Exception {
    Path dir = TestData.dataset("tiktok");
    for (String f : new String[] {"tiktok.inter", "image_feat.npy", "audio_feat.npy"}) {
      TestData.checkSha256(dir.getParent(), dir.resolve(f));
    }
    Map<String, Integer> dims = new LinkedHashMap<>();
    dims.put("image", 128);
    dims.put("audio", 128);
    long start = System.nanoTime();
    MmrecReader.ReadResult r = MmrecReader.read(dir, ReadOptions.defaults().withExpectedDims(dims));
    System.out.printf("TikTok read in %.0f ms%n", (System.nanoTime() - start) / 1e6);
    MmrecDataset d = r.dataset();
    InteractionTable t = d.interactions();

    assertThat(r.report().isClean()).isTrue();
    assertThat(d.name()).isEqualTo("tiktok");
    assertThat(d.numUsers()).isEqualTo(9_308);
    assertThat(d.numItems()).isEqualTo(6_710);
    assertThat(t.size()).isEqualTo(68_722);
    assertThat(t.count(Split.TRAIN)).isEqualTo(59_541);
    assertThat(t.count(Split.VALID)).isEqualTo(3_051);
    assertThat(t.count(Split.TEST)).isEqualTo(6_130);
    assertThat(t.hasTimestamps()).isFalse();
    assertThat(t.publishOrder()).startsWith(0, 1, 2).endsWith(68_721);
    // rows 0, 12345 and the last one, as (userID, itemID, x_label)
    assertThat(new int[] {t.users()[0], t.items()[0], t.splits()[0].label()}).containsExactly(0, 885, 0);
    assertThat(new int[] {t.users()[12_345], t.items()[12_345], t.splits()[12_345].label()}).containsExactly(74, 873, 0);
    assertThat(new int[] {t.users()[68_721], t.items()[68_721], t.splits()[68_721].label()}).containsExactly(9_307, 5_010, 2);

    assertThat(d.modalities()).containsExactly(new Modality("image", 128), new Modality("audio", 128));
    FeatureMatrix image = d.feature("image");
    FeatureMatrix audio = d.feature("audio");
    // The files are float16: these values are exact halves, so exact equality is right.
    assertThat(image.get(0, 0)).isEqualTo(2.583984375f);
    assertThat(image.get(0, 127)).isEqualTo(2.224609375f);
    assertThat(image.get(1, 5)).isEqualTo(4.76171875f);
    assertThat(image.get(6_709, 127)).isEqualTo(2.87890625f);
    // The only two subnormal halves in the file (bits 0x024d and 0x035c).
    assertThat(image.get(100, 64)).isEqualTo(3.510713577270508e-05f).isEqualTo(0x24d * 0x1p-24f);
    assertThat(image.get(4_556, 84)).isEqualTo(5.125999450683594e-05f).isEqualTo(0x35c * 0x1p-24f);
    assertThat(audio.get(0, 0)).isEqualTo(0.49755859375f);
    assertThat(audio.get(1, 5)).isEqualTo(0.00730133056640625f);
    assertThat(audio.get(6_709, 127)).isEqualTo(-0.305908203125f);
    assertThat(sum(image)).isCloseTo(2_309_677.059724629, within(1e-3));
    assertThat(sum(audio)).isCloseTo(31_687.021550536156, within(1e-3));
  }

  @Test
  void baby() throws Exception {
    Path dir = TestData.dataset("baby");
    TestData.checkSha256(dir.getParent(), dir.resolve("baby.inter"));
    long start = System.nanoTime();
    MmrecDataset d = MmrecReader.read(dir);
    System.out.printf("Baby read in %.0f ms%n", (System.nanoTime() - start) / 1e6);
    InteractionTable t = d.interactions();
    assertThat(d.numUsers()).isEqualTo(19_445);
    assertThat(d.numItems()).isEqualTo(7_050);
    assertThat(t.size()).isEqualTo(160_792);
    assertThat(t.count(Split.TRAIN)).isEqualTo(119_674);
    assertThat(t.count(Split.VALID)).isEqualTo(20_559);
    assertThat(t.count(Split.TEST)).isEqualTo(20_559);
    assertThat(d.features()).isEmpty();
    assertThat(t.hasRatings()).isFalse();
    assertThat(new int[] {t.users()[160_791], t.items()[160_791], t.splits()[160_791].label()})
        .containsExactly(19_444, 7_023, 0);
  }

  private static double sum(FeatureMatrix f) {
    double s = 0;
    for (float v : f.data()) {
      s += v;
    }
    return s;
  }
}
