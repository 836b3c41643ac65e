package dev.crane.schemas.registry;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

/**
 * A client of the Confluent Schema Registry REST API (also served by Apicurio Registry under
 * {@code /apis/ccompat/v7}), for Avro schemas.
 *
 * <p>What never changes on a registry is cached for the life of the client: the schema of an id,
 * and the id of a schema under a subject. So serdes call the registry once per schema, not per
 * record. "Latest version", compatibility and configuration are always asked afresh. Thread-safe.
 */
public final class SchemaRegistryClient {
  private final RegistryHttp http;
  private final RegistryClientSettings settings;
  private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();
  private final Map<SubjectSchema, Integer> idsBySubjectSchema = new ConcurrentHashMap<>();

  private record SubjectSchema(String subject, Schema schema) {}

  public SchemaRegistryClient(RegistryClientSettings settings) {
    this.settings = settings;
    this.http = new RegistryHttp(settings);
  }

  /** A client with default timeouts and retries for a comma-separated list of base URLs. */
  public static SchemaRegistryClient create(String urls) {
    return new SchemaRegistryClient(RegistryClientSettings.of(urls));
  }

  public RegistryClientSettings settings() {
    return settings;
  }

  /**
   * Registers {@code schema} under {@code subject} (a no-op returning the existing id when it is
   * already there) and returns its id. Fails with error 409 when the subject's compatibility rule
   * rejects it.
   */
  public int register(String subject, Schema schema) {
    SubjectSchema key = new SubjectSchema(subject, schema);
    Integer cached = idsBySubjectSchema.get(key);
    if (cached != null) {
      return cached;
    }
    JsonNode r = http.send(new RegistryHttp.Call("POST", "/subjects/" + segment(subject) + "/versions",
        Map.of("schema", schema.toString()), "register a schema under subject '" + subject + "'"));
    int id = requiredInt(r, "id", "register under subject '" + subject + "'");
    idsBySubjectSchema.put(key, id);
    schemasById.putIfAbsent(id, schema);
    return id;
  }

  /**
   * The id of {@code schema} if it is registered under {@code subject}; a
   * {@link SchemaRegistryException} with {@link SchemaRegistryException#isNotFound()} otherwise
   * (error 40401: no such subject, 40403: schema not under it).
   */
  public int lookupId(String subject, Schema schema) {
    SubjectSchema key = new SubjectSchema(subject, schema);
    Integer cached = idsBySubjectSchema.get(key);
    if (cached != null) {
      return cached;
    }
    JsonNode r = http.send(new RegistryHttp.Call("POST", "/subjects/" + segment(subject),
        Map.of("schema", schema.toString()), "look up a schema under subject '" + subject + "'"));
    int id = requiredInt(r, "id", "look up under subject '" + subject + "'");
    idsBySubjectSchema.put(key, id);
    schemasById.putIfAbsent(id, schema);
    return id;
  }

  /** The schema with this id; not-found (error 40403) is a {@link SchemaRegistryException}. */
  public Schema schemaById(int id) {
    Schema cached = schemasById.get(id);
    if (cached != null) {
      return cached;
    }
    String what = "get the schema with id " + id;
    JsonNode r = http.send(new RegistryHttp.Call("GET", "/schemas/ids/" + id, null, what));
    Schema schema = parseAvro(r, what);
    Schema raced = schemasById.putIfAbsent(id, schema);
    return raced != null ? raced : schema;
  }

  /** The latest version of a subject (not cached: it changes when a new version is registered). */
  public RegisteredSchema latest(String subject) {
    String what = "get the latest version of subject '" + subject + "'";
    JsonNode r = http.send(new RegistryHttp.Call("GET", "/subjects/" + segment(subject) + "/versions/latest",
        null, what));
    int id = requiredInt(r, "id", what);
    Schema schema = parseAvro(r, what);
    schemasById.putIfAbsent(id, schema);
    return new RegisteredSchema(subject, id, requiredInt(r, "version", what), schema);
  }

  /**
   * Whether {@code schema} may be registered as the next version of {@code subject} under the
   * subject's compatibility level. A subject without versions accepts anything, so that is
   * reported as compatible rather than as an error.
   */
  public CompatibilityResult checkCompatibility(String subject, Schema schema) {
    JsonNode r;
    try {
      r = http.send(new RegistryHttp.Call("POST",
          "/compatibility/subjects/" + segment(subject) + "/versions/latest?verbose=true",
          Map.of("schema", schema.toString()),
          "check compatibility of a schema with subject '" + subject + "'"));
    } catch (SchemaRegistryException e) {
      if (e.isNotFound() && (e.errorCode() == 40401 || e.errorCode() == 40402)) {
        return new CompatibilityResult(true, List.of("subject '" + subject + "' has no version yet"));
      }
      throw e;
    }
    List<String> messages = new ArrayList<>();
    if (r.has("messages") && r.get("messages").isArray()) { // Confluent, verbose=true
      r.get("messages").forEach(m -> messages.add(m.asText()));
    }
    if (r.hasNonNull("reason")) { // Apicurio
      messages.add(r.get("reason").asText());
    }
    if (!r.has("is_compatible")) {
      throw new SchemaRegistryException("compatibility check of subject '" + subject
          + "': response without 'is_compatible': " + r, 200, -1);
    }
    return new CompatibilityResult(r.get("is_compatible").asBoolean(), messages);
  }

  /** Sets the compatibility level of one subject; returns the level the registry confirms. */
  public CompatibilityLevel setCompatibility(String subject, CompatibilityLevel level) {
    String what = "set compatibility " + level + " on subject '" + subject + "'";
    JsonNode r = http.send(new RegistryHttp.Call("PUT", "/config/" + segment(subject),
        Map.of("compatibility", level.name()), what));
    return level(r, "compatibility", what);
  }

  /**
   * Sets the registry-wide default level. Confluent's default is BACKWARD; Apicurio enforces
   * nothing until told, so a deployment on Apicurio should call this with BACKWARD once.
   */
  public CompatibilityLevel setGlobalCompatibility(CompatibilityLevel level) {
    String what = "set the global compatibility level to " + level;
    JsonNode r = http.send(new RegistryHttp.Call("PUT", "/config", Map.of("compatibility", level.name()), what));
    return level(r, "compatibility", what);
  }

  /**
   * The compatibility level of a subject; Confluent falls back to the global level when the subject
   * has none of its own, Apicurio 2.6 answers NONE then (while still enforcing the global rule).
   */
  public CompatibilityLevel compatibility(String subject) {
    String what = "get the compatibility level of subject '" + subject + "'";
    JsonNode r = http.send(new RegistryHttp.Call("GET", "/config/" + segment(subject) + "?defaultToGlobal=true",
        null, what));
    return level(r, "compatibilityLevel", what);
  }

  /** All subjects the registry knows. */
  public List<String> subjects() {
    JsonNode r = http.send(new RegistryHttp.Call("GET", "/subjects", null, "list subjects"));
    List<String> subjects = new ArrayList<>();
    r.forEach(s -> subjects.add(s.asText()));
    return subjects;
  }

  private static Schema parseAvro(JsonNode r, String what) {
    if (r.hasNonNull("schemaType") && !"AVRO".equals(r.get("schemaType").asText())) {
      throw new SchemaRegistryException(what + ": it is a " + r.get("schemaType").asText()
          + " schema, not Avro", 200, -1);
    }
    if (r.has("references") && r.get("references").size() > 0) {
      throw new SchemaRegistryException(what + ": it uses schema references, which this client "
          + "does not resolve (register self-contained schemas, as Schema.toString() produces)", 200, -1);
    }
    if (!r.hasNonNull("schema")) {
      throw new SchemaRegistryException(what + ": response without 'schema': " + r, 200, -1);
    }
    try {
      return new Schema.Parser().parse(r.get("schema").asText());
    } catch (SchemaParseException e) {
      throw new SchemaRegistryException(what + ": the registry returned a schema Avro cannot parse: "
          + e.getMessage(), 200, -1, e);
    }
  }

  private static int requiredInt(JsonNode r, String field, String what) {
    if (!r.hasNonNull(field) || !r.get(field).canConvertToInt()) {
      throw new SchemaRegistryException(what + ": response without integer '" + field + "': " + r, 200, -1);
    }
    return r.get(field).asInt();
  }

  private static CompatibilityLevel level(JsonNode r, String field, String what) {
    String value = r.hasNonNull(field) ? r.get(field).asText()
        : r.hasNonNull("compatibility") ? r.get("compatibility").asText() : null;
    try {
      return CompatibilityLevel.valueOf(String.valueOf(value));
    } catch (IllegalArgumentException e) {
      throw new SchemaRegistryException(what + ": unexpected answer " + r, 200, -1, e);
    }
  }

  /** A subject as one URL path segment (topic names are safe, but subjects need not be). */
  private static String segment(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  @Override
  public String toString() {
    List<URI> urls = settings.urls();
    return "SchemaRegistryClient" + urls;
  }
}
