package dev.crane.standalone.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.Map;

/** Writes a benchmark's figures as flat JSON (units in the key names) with its command, date and machine. */
public final class BenchFile {
  private BenchFile() {}

  public static void write(Path file, String command, Map<String, ?> figures) throws IOException {
    write(file, command, figures, Map.of());
  }

  /**
   * As {@link #write(Path, String, Map)}, keeping the figures of {@code file} whose keys start with
   * one of {@code keptPrefixes} (another part of the benchmark, run earlier) unless this run has them.
   */
  public static void merge(Path file, String command, Map<String, ?> figures, java.util.List<String> keptPrefixes)
      throws IOException {
    Map<String, Object> kept = new LinkedHashMap<>();
    if (Files.exists(file) && !keptPrefixes.isEmpty()) {
      Map<?, ?> old = new ObjectMapper().readValue(file.toFile(), Map.class);
      old.forEach((k, v) -> {
        if (keptPrefixes.stream().anyMatch(k.toString()::startsWith) && !figures.containsKey(k.toString())) {
          kept.put(k.toString(), v);
        }
      });
    }
    write(file, command, figures, kept);
  }

  private static void write(Path file, String command, Map<String, ?> figures, Map<String, Object> kept)
      throws IOException {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("command", command);
    json.put("date", LocalDate.now().toString());
    json.putIfAbsent("machine", dev.crane.ops.bench.Machine.describe());
    json.putAll(figures);
    json.putAll(kept);
    Files.createDirectories(file.toAbsolutePath().getParent());
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), json);
  }
}
