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
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("command", command);
    json.put("date", LocalDate.now().toString());
    json.putIfAbsent("machine", dev.crane.ops.bench.Machine.describe());
    json.putAll(figures);
    Files.createDirectories(file.toAbsolutePath().getParent());
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), json);
  }
}
