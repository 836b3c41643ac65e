package dev.crane.stream.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.crane.schemas.Modality;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  @TempDir Path dir;

  @Test
  void fileThenEnvironmentThenFlagsWin() throws Exception {
    Path file = dir.resolve("stream.properties");
    Files.writeString(file, "history.cap=50\nsnapshot.interval.ms=1000\nmodalities=visual:4096,text:384\n"
        + "kafka.num.stream.threads=3\n");
    StreamConfig c = ConfigLoader.load(file,
        Map.of("CRANE_STREAM_SNAPSHOT_INTERVAL_MS", "2000", "CRANE_STREAM_STANDBY_REPLICAS", "1", "PATH", "/bin",
            "CRANE_STREAM_UNKNOWN_ITEM_HOLD_MS", "1234", "CRANE_STREAM_KAFKA_MAX_POLL_RECORDS", "77"),
        Map.of("history.cap", "70"));
    assertThat(c.historyCap()).isEqualTo(70);
    assertThat(c.snapshotInterval()).isEqualTo(Duration.ofSeconds(2));
    assertThat(c.standbyReplicas()).isEqualTo(1);
    assertThat(c.unknownItemHold()).isEqualTo(Duration.ofMillis(1234));
    assertThat(c.kafka()).containsEntry("max.poll.records", "77");
    assertThat(c.modalities()).containsExactly(new Modality("visual", 4096), new Modality("text", 384));
    assertThat(StreamsProperties.of(c).getProperty(StreamsConfig.NUM_STREAM_THREADS_CONFIG)).isEqualTo("3");
    assertThat(StreamsProperties.of(c).getProperty(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG)).isEqualTo("1");
    assertThat(StreamsProperties.of(c).getProperty(StreamsConfig.PROCESSING_GUARANTEE_CONFIG))
        .isEqualTo(StreamsConfig.EXACTLY_ONCE_V2);
  }

  @Test
  void typosAndBadValuesAreErrorsThatNameTheKey() {
    assertThatThrownBy(() -> ConfigLoader.fromMap(Map.of("histroy.cap", "5")))
        .hasMessageContaining("unknown key 'histroy.cap'");
    assertThatThrownBy(() -> ConfigLoader.fromMap(Map.of("history.cap", "many")))
        .hasMessageContaining("history.cap='many' is not an integer");
    assertThatThrownBy(() -> ConfigLoader.fromMap(Map.of("history.cap", "0")))
        .hasMessageContaining("history.cap must be >= 1");
    assertThatThrownBy(() -> ConfigLoader.fromMap(Map.of("modalities", "image:0")))
        .hasMessageStartingWith("stream-processor config: modalities: ").hasMessageContaining("dimension must be > 0");
    assertThatThrownBy(() -> ConfigLoader.fromMap(Map.of("modalities", "image:4,image:8")))
        .hasMessageContaining("listed twice");
    assertThatThrownBy(() -> ConfigLoader.fromMap(Map.of("journal.checkpoint", "yes")))
        .hasMessageContaining("journal.checkpoint='yes' is not true or false");
    assertThat(ConfigLoader.fromMap(Map.of()).journalCheckpoint()).isTrue();
  }

  @Test
  void snapshotsAreOffOnlyWhenNoTriggerIsSet() {
    assertThat(ConfigLoader.fromMap(Map.of("snapshot.interval.ms", "0")).snapshotsEnabled()).isFalse();
    assertThat(ConfigLoader.fromMap(Map.of("snapshot.interval.ms", "0", "snapshot.every.interactions", "10"))
        .snapshotsEnabled()).isTrue();
  }
}
