package dev.crane.api.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  @Test
  void flagsBeatEnvironmentWhichBeatsTheFileWhichBeatsDefaults(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("api.properties");
    Files.writeString(file, "k.max = 50\ngrpc.port=7000\nhnsw.min.items=10\nkafka.fetch.max.wait.ms=20\n");
    ApiConfig c = ConfigLoader.load(file, Map.of("CRANE_API_GRPC_PORT", "7001", "CRANE_API_HNSW_MIN_ITEMS", "20",
        "OTHER", "x"), Map.of("hnsw.min.items", "30"));
    assertThat(c.maxK()).isEqualTo(50);
    assertThat(c.grpcPort()).isEqualTo(7001);
    assertThat(c.hnswMinItems()).isEqualTo(30);
    assertThat(c.kafka()).containsEntry("fetch.max.wait.ms", "20");
    assertThat(c.bootstrapServers()).isEqualTo("localhost:9092");
    assertThat(c.keepPrevious().toMillis()).isEqualTo(600_000);
  }

  @Test
  void unknownKeysAndBadValuesAreErrorsThatNameTheKey() {
    assertThatThrownBy(() -> ConfigLoader.fromMap(Map.of("k.maks", "5")))
        .hasMessageContaining("unknown key 'k.maks'").hasMessageContaining("k.max");
    assertThatThrownBy(() -> ConfigLoader.fromMap(Map.of("k.max", "many"))).hasMessageContaining("k.max='many'");
    assertThatThrownBy(() -> ConfigLoader.fromMap(Map.of("k.max", "0"))).hasMessageContaining("k.max must be");
    assertThatThrownBy(() -> ConfigLoader.fromMap(Map.of("grpc.port", "70000"))).hasMessageContaining("grpc.port");
    assertThatThrownBy(() -> ConfigLoader.fromMap(Map.of("hnsw.max.degree", "1"))).hasMessageContaining("hnsw.max.degree");
    assertThatThrownBy(() -> ConfigLoader.load(Path.of("/nonexistent/api.properties"), Map.of(), Map.of()))
        .hasMessageContaining("cannot read");
  }

  @Test
  void environmentNamesMapToKeysAndFlagsMustBeKeyValue() {
    ApiConfig c = ConfigLoader.load(null, Map.of("CRANE_API_PREVIOUS_VERSION_KEEP_MS", "5",
        "CRANE_API_KAFKA_FETCH_MAX_BYTES", "7"), List.of("load.pause.ratio=0.5"));
    assertThat(c.keepPrevious().toMillis()).isEqualTo(5);
    assertThat(c.kafka()).containsEntry("fetch.max.bytes", "7");
    assertThat(c.loadPauseRatio()).isEqualTo(0.5);
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), List.of("k.max"))).hasMessageContaining("key=value");
    assertThatThrownBy(() -> ConfigLoader.fromMap(Map.of("load.pause.ratio", "lots")))
        .hasMessageContaining("load.pause.ratio='lots' is not a number");
  }

  @Test
  void theStoresBackgroundWorkIsNicedUnlessTurnedOff() {
    Map<String, String> base = Map.of("bootstrap.servers", "b:9092", "schema.registry.url", "http://r");
    assertThat(ConfigLoader.fromMap(base).storeBackgroundNice()).isTrue();
    Map<String, String> off = new java.util.HashMap<>(base);
    off.put("store.background.nice", "false");
    assertThat(ConfigLoader.fromMap(off).storeBackgroundNice()).isFalse();
    off.put("store.background.nice", "yes");
    assertThatThrownBy(() -> ConfigLoader.fromMap(off)).hasMessageContaining("store.background.nice='yes' is not true or false");
  }

  @Test
  void versionsAreReadAtIdlePriorityUnlessSetOtherwise() {
    assertThat(ConfigLoader.fromMap(Map.of()).loadCpuPriority()).isEqualTo(CpuPriority.IDLE);
    assertThat(ConfigLoader.fromMap(Map.of("load.cpu.priority", " Low ")).loadCpuPriority()).isEqualTo(CpuPriority.LOW);
    assertThat(ConfigLoader.load(null, Map.of("CRANE_API_LOAD_CPU_PRIORITY", "normal"), List.of()).loadCpuPriority())
        .isEqualTo(CpuPriority.NORMAL);
    assertThatThrownBy(() -> ConfigLoader.fromMap(Map.of("load.cpu.priority", "lowest")))
        .hasMessageContaining("load.cpu.priority must be one of [normal, low, idle], got 'lowest'");
  }
}
