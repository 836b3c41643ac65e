package dev.crane.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.crane.ops.config.LayeredSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LayeredSettingsTest {
  @Test
  void laterLayersWinAndEnvironmentNamesMapToKnownKeys(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("x.properties");
    Files.writeString(file, "a.b = 1\nunknown-item.hold.ms=5\n");
    Map<String, String> raw = LayeredSettings.load("test", file,
        Map.of("CRANE_X_A_B", "2", "CRANE_X_UNKNOWN_ITEM_HOLD_MS", "6", "CRANE_X_KAFKA_LINGER_MS", "7", "HOME", "/"),
        "CRANE_X_", List.of("a.b", "unknown-item.hold.ms"), Map.of("a.b", "3"));
    assertThat(raw).containsEntry("a.b", "3").containsEntry("unknown-item.hold.ms", "6")
        .containsEntry("kafka.linger.ms", "7").doesNotContainKey("home");
  }

  @Test
  void badFilesAndFlagsSayWhat() {
    assertThatThrownBy(() -> LayeredSettings.load("role x", Path.of("/nonexistent.properties"), Map.of(), "P_",
        List.of(), Map.of())).hasMessageContaining("role x: cannot read /nonexistent.properties");
    assertThatThrownBy(() -> LayeredSettings.keyValues(List.of("novalue"))).hasMessageContaining("key=value");
    assertThat(LayeredSettings.keyValues(List.of("k = v=w"))).containsEntry("k", "v=w");
    Map<String, String> raw = Map.of("n", " 12 ", "big", "9999999999", "x", "1.5", "bad", "many");
    assertThat(LayeredSettings.integer("r", raw, "n")).isEqualTo(12);
    assertThat(LayeredSettings.decimal("r", raw, "x")).isEqualTo(1.5);
    assertThatThrownBy(() -> LayeredSettings.integer("r", raw, "big")).hasMessageContaining("r: big=9999999999 is out of range");
    assertThatThrownBy(() -> LayeredSettings.number("r", raw, "bad")).hasMessageContaining("r: bad='many' is not an integer");
    assertThatThrownBy(() -> LayeredSettings.decimal("r", raw, "bad")).hasMessageContaining("is not a number");
  }
}
