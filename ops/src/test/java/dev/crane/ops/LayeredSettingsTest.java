package dev.crane.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.crane.ops.config.LayeredSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LayeredSettingsTest {
  @TempDir Path dir;

  @Test
  void fileThenEnvironmentThenFlagsAndEnvironmentNamesMapBackToKeys() throws Exception {
    Path file = dir.resolve("x.properties");
    Files.writeString(file, "a.b=file\nunknown-item.hold.ms=1\nc=file\n");
    Map<String, String> raw = LayeredSettings.load(file,
        Map.of("CRANE_X_A_B", "env", "CRANE_X_UNKNOWN_ITEM_HOLD_MS", "2", "CRANE_X_KAFKA_FETCH_MAX_BYTES", "9", "PATH", "/bin"),
        "CRANE_X_", Set.of("a.b", "unknown-item.hold.ms", "c"), List.of("c=flag"));
    assertThat(raw).containsEntry("a.b", "env").containsEntry("unknown-item.hold.ms", "2").containsEntry("c", "flag")
        .containsEntry("kafka.fetch.max.bytes", "9").doesNotContainKey("path").hasSize(4);
    assertThatThrownBy(() -> LayeredSettings.load(null, Map.of(), "P_", Set.of(), List.of("novalue")))
        .hasMessageContaining("--set expects key=value, got 'novalue'");
    assertThatThrownBy(() -> LayeredSettings.load(dir.resolve("absent"), Map.of(), "P_", Set.of(), List.of()))
        .hasMessageContaining("cannot read config file");
  }

  @Test
  void typedValuesNameTheRoleAndTheKey() {
    Map<String, String> raw = Map.of("n", " 12 ", "big", "99999999999", "x", "0.5", "nan", "NaN", "t", "true", "y", "yes");
    assertThat(LayeredSettings.longValue("r", raw, "n")).isEqualTo(12);
    assertThat(LayeredSettings.intValue("r", raw, "n")).isEqualTo(12);
    assertThat(LayeredSettings.doubleValue("r", raw, "x")).isEqualTo(0.5);
    assertThat(LayeredSettings.booleanValue("r", raw, "t")).isTrue();
    assertThatThrownBy(() -> LayeredSettings.intValue("r", raw, "big")).hasMessage("r: big=99999999999 is out of range");
    assertThatThrownBy(() -> LayeredSettings.longValue("r", raw, "x")).hasMessage("r: x='0.5' is not an integer");
    assertThatThrownBy(() -> LayeredSettings.doubleValue("r", raw, "nan")).hasMessage("r: nan='NaN' is not a number");
    assertThatThrownBy(() -> LayeredSettings.booleanValue("r", raw, "y")).hasMessage("r: y='yes' is not true or false");
  }
}
