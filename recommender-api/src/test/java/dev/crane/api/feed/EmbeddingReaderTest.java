package dev.crane.api.feed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.crane.schemas.avro.ItemEmbedding;
import dev.crane.schemas.avro.UserEmbedding;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.Test;

/** The unboxed reader gives what Avro's generated classes give, for current and older writers. */
class EmbeddingReaderTest {
  private static final Random RANDOM = new Random(17);
  /** UserEmbedding as first published: no parts, no degree. */
  private static final Schema FIRST_USER_EMBEDDING = new Schema.Parser().parse("""
        {"type": "record", "name": "UserEmbedding", "namespace": "dev.crane.schemas.avro", "fields": [
          {"name": "userId", "type": "string"},
          {"name": "modelVersion", "type": "long"},
          {"name": "vector", "type": {"type": "array", "items": "float"}}]}""");

  private static byte[] firstUserEmbedding(String id, long version, List<Float> vector) throws IOException {
    GenericData.Record r = new GenericData.Record(FIRST_USER_EMBEDDING);
    r.put("userId", id);
    r.put("modelVersion", version);
    r.put("vector", vector);
    return encode(r, FIRST_USER_EMBEDDING);
  }

  private static List<Float> floats(int n) {
    List<Float> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(switch (i) {
        case 0 -> -0.0f;
        case 1 -> Float.MIN_VALUE; // subnormal
        case 2 -> Float.MAX_VALUE;
        default -> (float) RANDOM.nextGaussian();
      });
    }
    return out;
  }

  /** A generated or a generic record, in the binary encoding of {@code schema}. */
  private static <T> byte[] encode(T record, Schema schema) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    BinaryEncoder e = EncoderFactory.get().binaryEncoder(bytes, null);
    new SpecificDatumWriter<T>(schema).write(record, e);
    e.flush();
    return bytes.toByteArray();
  }

  private static EmbeddingReader.Embedding decode(byte[] bytes, Schema writer, Schema reader) throws IOException {
    BinaryDecoder d = DecoderFactory.get().binaryDecoder(bytes, null);
    EmbeddingReader.Embedding e = new EmbeddingReader(writer, reader).read(null, d);
    assertThat(d.isEnd()).as("the whole record is read").isTrue();
    return e;
  }

  private static void assertSameBits(float[] actual, List<Float> expected) {
    if (expected == null) {
      assertThat(actual).isNull();
      return;
    }
    assertThat(actual).hasSize(expected.size());
    for (int i = 0; i < actual.length; i++) {
      assertThat(Float.floatToRawIntBits(actual[i])).as("value %d", i)
          .isEqualTo(Float.floatToRawIntBits(expected.get(i)));
    }
  }

  @Test
  void itemWithEveryPartReadsBitForBit() throws IOException {
    ItemEmbedding item = new ItemEmbedding("item-7", 12L, floats(64), floats(64), floats(64), 31, floats(256));
    Schema schema = ItemEmbedding.getClassSchema();
    EmbeddingReader.Embedding e = decode(encode(item, schema), schema, schema);
    assertThat(e.id()).isEqualTo("item-7");
    assertThat(e.modelVersion()).isEqualTo(12L);
    assertThat(e.degree()).isEqualTo(31);
    assertSameBits(e.vector(), item.getVector());
    assertSameBits(e.collaborative(), item.getCollaborative());
    assertSameBits(e.semantic(), item.getSemantic());
    assertSameBits(e.content(), item.getContent());
  }

  @Test
  void absentPartsAreNull() throws IOException {
    UserEmbedding user = new UserEmbedding("u", 3L, floats(8), null, null, 0);
    Schema schema = UserEmbedding.getClassSchema();
    EmbeddingReader.Embedding e = decode(encode(user, schema), schema, schema);
    assertThat(e.id()).isEqualTo("u");
    assertSameBits(e.vector(), user.getVector());
    assertThat(e.collaborative()).isNull();
    assertThat(e.semantic()).isNull();
    assertThat(e.content()).isNull();
  }

  @Test
  void anOlderWriterGetsTheReadersDefaults() throws IOException {
    List<Float> vector = floats(16);
    EmbeddingReader.Embedding e = decode(firstUserEmbedding("old", 1L, vector), FIRST_USER_EMBEDDING,
        UserEmbedding.getClassSchema());
    assertThat(e.id()).isEqualTo("old");
    assertSameBits(e.vector(), vector);
    assertThat(e.collaborative()).isNull();
    assertThat(e.degree()).isZero();
  }

  @Test
  void aWriterWithOtherOrderBranchesAndFieldsReadsAsAvroResolvesIt() throws IOException {
    // ItemEmbedding as a newer or foreign writer might have it: fields reordered, union branches the other
    // way round, an extra field, degree written as a long is not allowed (no promotion), so an int.
    Schema writer = new Schema.Parser().parse("""
        {"type": "record", "name": "ItemEmbedding", "namespace": "dev.crane.schemas.avro", "fields": [
          {"name": "content", "type": [{"type": "array", "items": "float"}, "null"]},
          {"name": "extra", "type": "string"},
          {"name": "degree", "type": "int"},
          {"name": "itemId", "type": "string"},
          {"name": "vector", "type": {"type": "array", "items": "int"}},
          {"name": "semantic", "type": [{"type": "array", "items": "float"}, "null"]},
          {"name": "modelVersion", "type": "long"},
          {"name": "collaborative", "type": ["null", {"type": "array", "items": "float"}]}]}""");
    GenericData.Record r = new GenericData.Record(writer);
    List<Float> content = floats(32);
    List<Float> semantic = floats(8);
    r.put("content", content);
    r.put("extra", "skipped");
    r.put("degree", 9);
    r.put("itemId", "w");
    r.put("vector", List.of(3, -4, 1 << 24)); // int -> float promotion
    r.put("semantic", semantic);
    r.put("modelVersion", 44L);
    r.put("collaborative", null);
    byte[] bytes = encode(r, writer);
    Schema reader = ItemEmbedding.getClassSchema();
    EmbeddingReader.Embedding e = decode(bytes, writer, reader);
    ItemEmbedding expected = new SpecificDatumReader<ItemEmbedding>(writer, reader)
        .read(null, DecoderFactory.get().binaryDecoder(bytes, null));
    assertThat(e.id()).isEqualTo("w").isEqualTo(expected.getItemId());
    assertThat(e.modelVersion()).isEqualTo(44L);
    assertThat(e.degree()).isEqualTo(9);
    assertSameBits(e.vector(), expected.getVector());
    assertThat(e.vector()).containsExactly(3f, -4f, (float) (1 << 24));
    assertThat(e.collaborative()).isNull();
    assertSameBits(e.semantic(), semantic);
    assertSameBits(e.content(), content);
  }

  @Test
  void aReaderDefaultFillsAFieldTheWriterLacks() throws IOException {
    // the reader's default, not the decoder's initial value: a degree of 7 by default
    Schema reader = new Schema.Parser().parse("""
        {"type": "record", "name": "UserEmbedding", "namespace": "dev.crane.schemas.avro", "fields": [
          {"name": "userId", "type": "string"},
          {"name": "modelVersion", "type": "long"},
          {"name": "vector", "type": {"type": "array", "items": "float"}},
          {"name": "collaborative", "type": ["null", {"type": "array", "items": "float"}], "default": null},
          {"name": "degree", "type": "int", "default": 7}]}""");
    byte[] bytes = firstUserEmbedding("d", 2L, floats(4));
    assertThat(decode(bytes, FIRST_USER_EMBEDDING, reader).degree()).isEqualTo(7);
  }

  @Test
  void aReaderSchemaWithAFieldItDoesNotKnowIsRefusedAtOnce() {
    Schema reader = new Schema.Parser().parse("""
        {"type": "record", "name": "UserEmbedding", "namespace": "dev.crane.schemas.avro", "fields": [
          {"name": "userId", "type": "string"}, {"name": "weight", "type": "float"}]}""");
    assertThatThrownBy(() -> new EmbeddingReader(reader, reader)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("field weight");
  }

  @Test
  void arraysInSeveralBlocksAndEmptyArrays() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    BinaryEncoder enc = EncoderFactory.get().binaryEncoder(bytes, null);
    enc.writeLong(3);
    for (int i = 0; i < 3; i++) {
      enc.writeFloat(i);
    }
    enc.writeLong(-2); // a block with its byte size, as Avro's blocking encoder writes
    enc.writeLong(8);
    enc.writeFloat(3);
    enc.writeFloat(4);
    enc.writeLong(0);
    enc.writeLong(0); // an empty array
    enc.flush();
    BinaryDecoder d = DecoderFactory.get().binaryDecoder(bytes.toByteArray(), null);
    assertThat(EmbeddingReader.floats(d)).containsExactly(0f, 1f, 2f, 3f, 4f);
    assertThat(EmbeddingReader.floats(d)).isEmpty();
    assertThat(d.isEnd()).isTrue();
  }

  @Test
  void aCorruptCountFailsOnTheMissingBytesWithoutAllocatingIt() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    BinaryEncoder enc = EncoderFactory.get().binaryEncoder(bytes, null);
    // 8 Mi values (32 MiB) claimed, one present; under Avro's own bound, which a test that loaded the
    // deserializer before this one would have lowered to 16 Mi (DecodeLimits)
    enc.writeLong(1L << 23);
    enc.writeFloat(1f);
    enc.flush();
    BinaryDecoder d = DecoderFactory.get().binaryDecoder(bytes.toByteArray(), null);
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    long before = threads.getCurrentThreadAllocatedBytes();
    assertThatThrownBy(() -> EmbeddingReader.floats(d)).isInstanceOf(EOFException.class);
    assertThat(threads.getCurrentThreadAllocatedBytes() - before).as("bytes allocated").isLessThan(1L << 20);
  }
}
