package dev.crane.api.feed;

import dev.crane.schemas.avro.ItemEmbedding;
import dev.crane.schemas.avro.UserEmbedding;
import dev.crane.schemas.serde.AvroDeserializer;
import java.io.IOException;
import java.util.Arrays;
import java.util.Map;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.Decoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.ResolvingDecoder;

/**
 * Reads a {@code UserEmbedding} or {@code ItemEmbedding} record straight into float arrays. The
 * generated classes hold their vectors as {@code List<Float>}, one boxed object per value: a 63k-item
 * version is then some 10 million short-lived objects, decoded on the thread that loads the version
 * while queries run on the same cores. A record written with the reader's own schema (what the
 * trainer publishes) is read straight from the binary decoder; any other writer schema (older or
 * newer, defaults for missing fields) goes through Avro's own {@link ResolvingDecoder}, as in the
 * generated classes' decoders, which costs about twice the time per value.
 */
final class EmbeddingReader implements DatumReader<EmbeddingReader.Embedding> {
  /** One decoded record: the id is the user's or the item's; absent parts are null. */
  record Embedding(String id, long modelVersion, float[] vector, float[] collaborative, float[] semantic, int degree,
      float[] content) {}

  /** A first allocation no larger than this, however large a block's count claims to be. */
  private static final int MAX_INITIAL_LENGTH = 4096;
  private static final int MAX_LENGTH = Integer.MAX_VALUE - 8;

  private final Schema writer;
  private final Schema reader;
  /** The reader's fields in the writer's order when the two schemas are the same, else null. */
  private final Schema.Field[] sameOrder;
  /** A resolver is costly to build (it compiles the schema pair into a grammar) and not thread-safe. */
  private final ThreadLocal<ResolvingDecoder> resolvers;

  EmbeddingReader(Schema writer, Schema reader) {
    this.writer = writer;
    this.reader = reader;
    this.sameOrder = writer.equals(reader) ? reader.getFields().toArray(new Schema.Field[0]) : null;
    this.resolvers = ThreadLocal.withInitial(() -> {
      try {
        return DecoderFactory.get().resolvingDecoder(writer, reader, null);
      } catch (IOException e) {
        throw new AvroRuntimeException("cannot resolve " + writer.getFullName() + " against " + reader.getFullName(), e);
      }
    });
  }

  /** A deserializer of {@code UserEmbedding} records (the registry and its errors as usual). */
  static AvroDeserializer<Embedding> users(Map<String, ?> serdeConfig) {
    return configured(UserEmbedding.getClassSchema(), serdeConfig);
  }

  /** A deserializer of {@code ItemEmbedding} records. */
  static AvroDeserializer<Embedding> items(Map<String, ?> serdeConfig) {
    return configured(ItemEmbedding.getClassSchema(), serdeConfig);
  }

  private static AvroDeserializer<Embedding> configured(Schema readerSchema, Map<String, ?> serdeConfig) {
    AvroDeserializer<Embedding> d = AvroDeserializer.withReaders(readerSchema, EmbeddingReader::new);
    d.configure(serdeConfig, false);
    return d;
  }

  @Override
  public void setSchema(Schema schema) {
    throw new UnsupportedOperationException("the writer schema is fixed at construction: " + writer.getFullName());
  }

  @Override
  public Embedding read(Embedding reuse, Decoder in) throws IOException {
    if (sameOrder != null) {
      return read(in, sameOrder);
    }
    ResolvingDecoder r = resolvers.get();
    r.configure(in);
    Embedding e = read(r, r.readFieldOrder());
    r.drain();
    return e;
  }

  /** Reads {@code fields} in that order from {@code r}, which gives the reader's union branches. */
  private Embedding read(Decoder r, Schema.Field[] fields) throws IOException {
    String id = null;
    long version = 0;
    float[] vector = null;
    float[] collaborative = null;
    float[] semantic = null;
    float[] content = null;
    int degree = 0;
    for (Schema.Field f : fields) {
      switch (f.name()) {
        case "userId", "itemId" -> id = r.readString();
        case "modelVersion" -> version = r.readLong();
        case "vector" -> vector = floats(r);
        case "collaborative" -> collaborative = optionalFloats(r, f);
        case "semantic" -> semantic = optionalFloats(r, f);
        case "content" -> content = optionalFloats(r, f);
        case "degree" -> degree = r.readInt();
        default -> throw new AvroRuntimeException("field " + f.name() + " of " + reader.getFullName()
            + " is not known to this reader");
      }
    }
    return new Embedding(id, version, vector, collaborative, semantic, degree, content);
  }

  private static float[] optionalFloats(Decoder r, Schema.Field f) throws IOException {
    Schema branch = f.schema().getTypes().get(r.readIndex());
    if (branch.getType() == Schema.Type.NULL) {
      r.readNull();
      return null;
    }
    return floats(r);
  }

  /** An Avro array of floats (any number of blocks) into an exact-length array. */
  static float[] floats(Decoder r) throws IOException {
    long block = r.readArrayStart();
    // A corrupt count must not allocate gigabytes: start small, grow with what is really read.
    float[] out = new float[(int) Math.min(block, MAX_INITIAL_LENGTH)];
    int n = 0;
    while (block > 0) {
      for (long i = 0; i < block; i++) {
        if (n == out.length) { // Avro's decoder bounds the total count by MAX_LENGTH
          out = Arrays.copyOf(out, (int) Math.min(Math.max(16, 2L * n), MAX_LENGTH));
        }
        out[n++] = r.readFloat();
      }
      block = r.arrayNext();
    }
    return n == out.length ? out : Arrays.copyOf(out, n);
  }
}
