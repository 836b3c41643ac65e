package dev.crane.schemas.serde;

import dev.crane.schemas.registry.RegistryClientSettings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/**
 * Configuration of the Avro serdes. The keys are Confluent's, so a deployment can swap in
 * Confluent's {@code KafkaAvroSerializer}/{@code KafkaAvroDeserializer} without touching its
 * configuration.
 */
public final class AvroSerdeConfig extends AbstractConfig {
  /** Base URL(s) of the registry, comma-separated. Required. */
  public static final String SCHEMA_REGISTRY_URL = "schema.registry.url";
  /** Serializer: register the record's schema under the subject (true), or only look its id up. */
  public static final String AUTO_REGISTER_SCHEMAS = "auto.register.schemas";
  /**
   * Serializer, with auto.register.schemas=false: tag records with the id of the subject's latest
   * version instead of the id of the record's own schema (which must then be registered).
   */
  public static final String USE_LATEST_VERSION = "use.latest.version";
  /** Deserializer: return generated SpecificRecord classes (true) or GenericRecord (false). */
  public static final String SPECIFIC_AVRO_READER = "specific.avro.reader";
  public static final String HTTP_CONNECT_TIMEOUT_MS = "http.connect.timeout.ms";
  public static final String HTTP_READ_TIMEOUT_MS = "http.read.timeout.ms";
  public static final String MAX_RETRIES = "max.retries";
  public static final String RETRIES_WAIT_MS = "retries.wait.ms";
  public static final String RETRIES_MAX_WAIT_MS = "retries.max.wait.ms";

  private static final ConfigDef DEF = new ConfigDef()
      .define(SCHEMA_REGISTRY_URL, Type.LIST, ConfigDef.NO_DEFAULT_VALUE,
          ConfigDef.ValidList.anyNonDuplicateValues(false, false), Importance.HIGH,
          "Comma-separated base URLs of the Confluent-compatible schema registry API.")
      .define(AUTO_REGISTER_SCHEMAS, Type.BOOLEAN, true, Importance.MEDIUM,
          "Register the schema of each record written (true) or only look its id up (false).")
      .define(USE_LATEST_VERSION, Type.BOOLEAN, false, Importance.LOW,
          "With auto.register.schemas=false, use the id of the subject's latest version.")
      .define(SPECIFIC_AVRO_READER, Type.BOOLEAN, false, Importance.MEDIUM,
          "Deserialize into generated SpecificRecord classes instead of GenericRecord.")
      .define(HTTP_CONNECT_TIMEOUT_MS, Type.INT,
          (int) RegistryClientSettings.DEFAULT_CONNECT_TIMEOUT.toMillis(), ConfigDef.Range.atLeast(1),
          Importance.LOW, "Registry connect timeout.")
      .define(HTTP_READ_TIMEOUT_MS, Type.INT,
          (int) RegistryClientSettings.DEFAULT_REQUEST_TIMEOUT.toMillis(), ConfigDef.Range.atLeast(1),
          Importance.LOW, "Time allowed for the registry to answer one request.")
      .define(MAX_RETRIES, Type.INT, RegistryClientSettings.DEFAULT_MAX_RETRIES, ConfigDef.Range.atLeast(0),
          Importance.LOW, "Retries of a registry request after IO errors, 5xx or 429.")
      .define(RETRIES_WAIT_MS, Type.INT, (int) RegistryClientSettings.DEFAULT_INITIAL_BACKOFF.toMillis(),
          ConfigDef.Range.atLeast(0), Importance.LOW, "Pause before the first retry; doubled after each.")
      .define(RETRIES_MAX_WAIT_MS, Type.INT, (int) RegistryClientSettings.DEFAULT_MAX_BACKOFF.toMillis(),
          ConfigDef.Range.atLeast(0), Importance.LOW, "Upper bound of the pause between retries.");

  public AvroSerdeConfig(Map<String, ?> props) {
    super(DEF, props, false); // serdes are created per task: do not log every instance's config
  }

  public static ConfigDef configDef() {
    return new ConfigDef(DEF);
  }

  public boolean autoRegisterSchemas() {
    return getBoolean(AUTO_REGISTER_SCHEMAS);
  }

  public boolean useLatestVersion() {
    return getBoolean(USE_LATEST_VERSION);
  }

  public boolean specificAvroReader() {
    return getBoolean(SPECIFIC_AVRO_READER);
  }

  /** The registry client settings these keys describe; a bad URL is a ConfigException. */
  public RegistryClientSettings clientSettings() {
    List<String> urls = getList(SCHEMA_REGISTRY_URL);
    try {
      return new RegistryClientSettings(RegistryClientSettings.parseUrls(urls),
          Duration.ofMillis(getInt(HTTP_CONNECT_TIMEOUT_MS)), Duration.ofMillis(getInt(HTTP_READ_TIMEOUT_MS)),
          getInt(MAX_RETRIES), Duration.ofMillis(getInt(RETRIES_WAIT_MS)),
          Duration.ofMillis(getInt(RETRIES_MAX_WAIT_MS)));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(SCHEMA_REGISTRY_URL, urls, e.getMessage());
    }
  }
}
