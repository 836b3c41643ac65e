package dev.crane.api.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KernelBenchmarkTest {
  @Test
  void everyPassSizeAndCacheStateGetsAFigureForBothScansAndTheirRatio() {
    List<String> progress = new ArrayList<>();
    Map<String, Object> f = new KernelBenchmark(new KernelBenchmark.Options(2_000, 37, 2, 1, "test")).run(progress::add);
    assertThat(progress).hasSize(2);
    for (String cache : new String[] {"cached", "evicted"}) {
      for (int n : new int[] {1, 2, 4, 8}) {
        double fl = (double) f.get("2k_float_ms_per_query_n" + n + "_" + cache);
        double i8 = (double) f.get("2k_int8_ms_per_query_n" + n + "_" + cache);
        assertThat(fl).as("float n=%d %s", n, cache).isPositive();
        assertThat(i8).as("int8 n=%d %s", n, cache).isPositive();
        assertThat((double) f.get("2k_int8_to_float_n" + n + "_" + cache)).isCloseTo(i8 / fl, org.assertj.core.data.Offset.offset(0.02 * i8 / fl + 1e-3));
      }
    }
    assertThat(f).containsKeys("command", "date", "machine", "load_average", "load_average_after", "topk_kernel");
  }

  @Test
  void aCatalogSmallerThanOneTileIsRefusedWithTheRule() {
    assertThatThrownBy(() -> new KernelBenchmark.Options(10, 64, 1, 1, "x"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rows >= 64");
  }
}
