package dev.crane.ingest.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.crane.schemas.Modality;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Timings of generate / write / read at Amazon-like feature sizes. Not part of the normal run (the
 * name does not match surefire's test patterns, and it writes ~130 MB): {@code mvn -pl ingest -am
 * test -Dtest=DatasetBenchmark -Dsurefire.failIfNoSpecifiedTests=false -Dcrane.bench=true}.
 * {@code -Dcrane.bench.users=192403 -Dcrane.bench.items=63001} gives Electronics' shape (about
 * 1.1 GB of features; needs a larger heap for the read-back copy, e.g. -Dsurefire.argLine=-Xmx4g).
 */
class DatasetBenchmark {
  @TempDir Path dir;

  @Test
  void syntheticAmazonShaped() throws Exception {
    assumeTrue(Boolean.getBoolean("crane.bench"), "benchmark: run with -Dcrane.bench=true");
    int users = Integer.getInteger("crane.bench.users", 20_000);
    int items = Integer.getInteger("crane.bench.items", 7_000);
    SyntheticConfig c = SyntheticConfig.defaults(users, items, Modality.parseList("visual:4096,text:384"), 1);
    long t0 = System.nanoTime();
    MmrecDataset d = SyntheticGenerator.generate(c).dataset();
    long t1 = System.nanoTime();
    MmrecWriter.write(d, dir);
    long t2 = System.nanoTime();
    MmrecDataset back = MmrecReader.read(dir, ReadOptions.defaults().withExpectedDims(Modality.toMap(d.modalities())))
        .dataset();
    long t3 = System.nanoTime();
    System.out.printf("%s: generate %.2f s, write %.2f s, read %.2f s%n", d, (t1 - t0) / 1e9, (t2 - t1) / 1e9,
        (t3 - t2) / 1e9);
    assertThat(back).isEqualTo(d);
  }

  @Test
  void tiktokWarm() throws Exception {
    assumeTrue(Boolean.getBoolean("crane.bench"), "benchmark: run with -Dcrane.bench=true");
    Path tiktok = TestData.dataset("tiktok");
    for (int i = 0; i < 5; i++) {
      long t0 = System.nanoTime();
      MmrecDataset d = MmrecReader.read(tiktok);
      System.out.printf("TikTok read %d: %.0f ms (%d interactions)%n", i, (System.nanoTime() - t0) / 1e6,
          d.interactions().size());
    }
  }
}
