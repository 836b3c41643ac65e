package dev.crane.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crane.schemas.avro.Interaction;
import dev.crane.schemas.avro.SnapshotManifest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** The BACKWARD rule of COMPATIBILITY.md: current schemas read every released version's data. */
class BackwardCompatibilityTest {
  /** Records that travel on topics; each needs its released versions under compat/. */
  private static final List<String> TOPIC_RECORDS = List.of("Interaction", "ItemFeatures", "UserProfile",
      "SnapshotManifest", "UserEmbedding", "ItemEmbedding", "ModelVersion");

  @TestFactory
  Stream<DynamicTest> currentSchemasReadEveryStoredVersion() {
    List<DynamicTest> tests = new ArrayList<>();
    for (String name : TOPIC_RECORDS) {
      Schema current = currentSchema(name);
      List<Path> versions = storedVersions(name);
      assertThat(versions).as("released versions of %s under compat/%s", name, name).isNotEmpty();
      for (Path v : versions) {
        tests.add(DynamicTest.dynamicTest(name + " reads " + v.getFileName(), () -> {
          Schema old = parse(v);
          var result = SchemaCompatibility.checkReaderWriterCompatibility(current, old);
          assertThat(result.getType())
              .as("%s cannot read data written with %s: %s", name, v, result.getDescription())
              .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
        }));
      }
    }
    return tests.stream();
  }

  @Test
  void everyTopLevelAvscIsATopicRecordOrNestedInOne() throws IOException {
    List<String> nested = List.of("FloatVector", "DoubleVector", "Split", "TopicOffset", "ModalitySpec",
        "ContentProjection");
    try (Stream<Path> files = Files.list(Paths.get("src/main/avro"))) {
      List<String> names = files.map(p -> p.getFileName().toString().replace(".avsc", "")).toList();
      assertThat(names).isNotEmpty().allSatisfy(n -> assertThat(TOPIC_RECORDS.contains(n) || nested.contains(n))
          .as("%s.avsc is new: add it to TOPIC_RECORDS (with compat/%s/v1.avsc) or to the nested list", n, n)
          .isTrue());
    }
  }

  @Test
  void theCheckRejectsABreakingChange() {
    // Guards the test above: a type change must be caught, or the check proves nothing.
    Schema old = parse(storedVersions("Interaction").get(0));
    Schema changed = new Schema.Parser().parse(Interaction.getClassSchema().toString()
        .replace("\"name\":\"weight\",\"type\":[\"null\",\"float\"]", "\"name\":\"weight\",\"type\":[\"null\",\"string\"]"));
    assertThat(changed).isNotEqualTo(Interaction.getClassSchema());
    Schema v1 = parse(storedVersions("Interaction").get(1));
    assertThat(SchemaCompatibility.checkReaderWriterCompatibility(changed, v1).getType())
        .isEqualTo(SchemaCompatibilityType.INCOMPATIBLE);
    // A required field added without default cannot read old data either.
    Schema required = new Schema.Parser().parse(Interaction.getClassSchema().toString()
        .replace("{\"name\":\"weight\"", "{\"name\":\"score\",\"type\":\"double\"},{\"name\":\"weight\""));
    assertThat(SchemaCompatibility.checkReaderWriterCompatibility(required, old).getType())
        .isEqualTo(SchemaCompatibilityType.INCOMPATIBLE);
  }

  @Test
  void interactionWrittenBeforeOptionalFieldsReadsWithNullDefaults() {
    Schema v0 = parse(compatDir("Interaction").resolve("v0.avsc"));
    assertThat(v0.getField("weight")).isNull();
    GenericRecord old = new GenericRecordBuilder(v0)
        .set("eventId", "e1").set("userId", "u1").set("itemId", "i9").set("eventTime", 1_234L).build();

    Interaction read = readAs(Interaction.class, v0, write(v0, old));

    assertThat(read).isEqualTo(new Interaction("e1", "u1", "i9", Instant.ofEpochMilli(1_234L), null, null, null));
  }

  @Test
  void manifestWrittenBeforeNewFieldsReadsWithTheirDefaults() {
    Schema v0 = parse(compatDir("SnapshotManifest").resolve("v0.avsc"));
    GenericRecord old = new GenericRecordBuilder(v0)
        .set("version", 3L).set("createdAt", 99L).set("path", "/snap/3")
        .set("users", 10L).set("items", 20L).set("interactions", 30L)
        .set("modalities", List.of()).set("offsets", List.of()).build();

    SnapshotManifest read = readAs(SnapshotManifest.class, v0, write(v0, old));

    assertThat(read.getVersion()).isEqualTo(3L);
    assertThat(read.getPreviousVersion()).isNull();
    assertThat(read.getFormatVersion()).isEqualTo(1);
    assertThat(read.getNewInteractions()).isEqualTo(0L);
    assertThat(read.getFiles()).isEqualTo(Map.of());
  }

  private static byte[] write(Schema schema, GenericRecord record) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
      new GenericDatumWriter<GenericRecord>(schema, GenericData.get()).write(record, enc);
      enc.flush();
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static <T> T readAs(Class<T> type, Schema writer, byte[] bytes) {
    SpecificData model = SpecificData.getForClass(type);
    try {
      return new SpecificDatumReader<T>(writer, model.getSchema(type), model)
          .read(null, DecoderFactory.get().binaryDecoder(bytes, null));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Schema currentSchema(String name) {
    try {
      Class<?> c = Class.forName("dev.crane.schemas.avro." + name);
      return SpecificData.get().getSchema(c);
    } catch (ClassNotFoundException e) {
      throw new AssertionError("no generated class for " + name, e);
    }
  }

  private static Path compatDir(String name) {
    try {
      return Paths.get(BackwardCompatibilityTest.class.getResource("/compat/" + name).toURI());
    } catch (URISyntaxException | NullPointerException e) {
      throw new AssertionError("missing test resource compat/" + name, e);
    }
  }

  /** v0.avsc, v1.avsc, ... in version order. */
  private static List<Path> storedVersions(String name) {
    try (Stream<Path> files = Files.list(compatDir(name))) {
      return files.filter(p -> p.getFileName().toString().matches("v\\d+\\.avsc"))
          .sorted((a, b) -> Integer.compare(version(a), version(b))).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static int version(Path p) {
    String f = p.getFileName().toString();
    return Integer.parseInt(f.substring(1, f.indexOf('.')));
  }

  private static Schema parse(Path p) {
    try (InputStream in = Files.newInputStream(p)) {
      return new Schema.Parser().parse(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
