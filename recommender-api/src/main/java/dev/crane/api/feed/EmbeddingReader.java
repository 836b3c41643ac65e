package dev.crane.api.feed;

import dev.crane.schemas.avro.ItemEmbedding;
import dev.crane.schemas.avro.UserEmbedding;
import dev.crane.schemas.serde.AvroDeserializer;
import java.io.IOException;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.Decoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.ResolvingDecoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddingReader.class);
  /** One decoded record: the id is the user's or the item's; absent parts are null. */
  record Embedding(String id, long modelVersion, float[] vector, float[] collaborative, float[] semantic, int degree,
      float[] content) {}

  /** A first allocation no larger than this, however large a block's count claims to be. */
  private static final int MAX_INITIAL_LENGTH = 4096;
  private static final int MAX_LENGTH = Integer.MAX_VALUE - 8;
  private static final Set<String> KNOWN_FIELDS = Set.of("userId", "itemId", "modelVersion", "vector", "collaborative",
      "semantic", "degree", "content");

  private final Schema writer;
  /** The reader's fields when the writer's encoding is the reader's (the direct path), else null. */
  private final Schema.Field[] directFields;
  /** A resolver is costly to build (it compiles the schema pair into a grammar) and not thread-safe. */
  private final ThreadLocal<ResolvingDecoder> resolvers;

  EmbeddingReader(Schema writer, Schema reader) {
    this.writer = writer;
    for (Schema.Field f : reader.getFields()) {
      if (!KNOWN_FIELDS.contains(f.name())) { // a field added to the .avsc must be added here too
        throw new IllegalArgumentException("field " + f.name() + " of " + reader.getFullName() + " is not known to "
            + EmbeddingReader.class.getSimpleName());
      }
    }
    // Same parsing canonical form = same bytes on the wire (doc, defaults and props such as avro.java.string aside).
    boolean direct =
        SchemaNormalization.parsingFingerprint64(writer) == SchemaNormalization.parsingFingerprint64(reader);
    this.directFields = direct ? reader.getFields().toArray(new Schema.Field[0]) : null;
    if (!direct) { // once per writer schema id: the slower path, for whoever wonders about load times
      LOG.info("{} records of another schema version (fields {}) are read through Avro's schema resolution, at about"
          + " twice the decoding time", reader.getName(), writer.getFields().stream().map(Schema.Field::name).toList());
      resolver(writer, reader); // a pair that cannot be resolved fails here, once, not on every record
    }
    this.resolvers = ThreadLocal.withInitial(() -> resolver(writer, reader));
  }

  private static ResolvingDecoder resolver(Schema writer, Schema reader) {
    try {
      return DecoderFactory.get().resolvingDecoder(writer, reader, null);
    } catch (IOException e) {
      throw new AvroRuntimeException("cannot resolve " + writer.getFullName() + " against " + reader.getFullName(), e);
    }
  }

  /** A deserializer of {@code UserEmbedding} records (the registry and its errors as usual). */
  static AvroDeserializer<Embedding> userDeserializer(Map<String, ?> serdeConfig) {
    return configured(UserEmbedding.getClassSchema(), serdeConfig);
  }

  /** A deserializer of {@code ItemEmbedding} records. */
  static AvroDeserializer<Embedding> itemDeserializer(Map<String, ?> serdeConfig) {
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
    if (directFields != null) {
      return read(in, directFields);
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
        default -> throw new IllegalStateException("unchecked field " + f.name()); // KNOWN_FIELDS, checked when made
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
