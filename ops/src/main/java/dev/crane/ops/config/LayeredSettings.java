package dev.crane.ops.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * The settings layering every service uses: a properties file, then environment variables with the
 * role's prefix ({@code CRANE_API_K_MAX} sets {@code k.max}), then {@code --set key=value} flags.
 * Defaults, validation and the meaning of keys stay with each role's own typed config.
 */
public final class LayeredSettings {
  private LayeredSettings() {}

  /**
   * The raw settings, later layers winning.
   *
   * @param role names the role in error messages, e.g. "recommender-api config"
   * @param file a properties file, or null
   * @param envPrefix e.g. "CRANE_API_"
   * @param knownKeys the role's keys, to map environment names back to dotted (and hyphenated) keys
   */
  public static Map<String, String> load(String role, Path file, Map<String, String> env, String envPrefix,
      Collection<String> knownKeys, Map<String, String> overrides) {
    Map<String, String> raw = new LinkedHashMap<>();
    if (file != null) {
      Properties p = new Properties();
      try (Reader r = Files.newBufferedReader(file)) {
        p.load(r);
      } catch (IOException e) {
        throw new IllegalArgumentException(role + ": cannot read " + file + ": " + e.getMessage(), e);
      }
      p.stringPropertyNames().forEach(k -> raw.put(k.strip(), p.getProperty(k).strip()));
    }
    env.forEach((k, v) -> {
      if (k.startsWith(envPrefix)) {
        raw.put(keyOfEnv(k.substring(envPrefix.length()), knownKeys), v);
      }
    });
    raw.putAll(overrides);
    return raw;
  }

  /**
   * The key an environment name sets: a known key whose dots and hyphens are underscores
   * ({@code HNSW_MIN_ITEMS}), else the name in lower case with dots ({@code KAFKA_FETCH_MAX_BYTES}
   * is {@code kafka.fetch.max.bytes}).
   */
  public static String keyOfEnv(String name, Collection<String> knownKeys) {
    for (String known : knownKeys) {
      if (known.replace('.', '_').replace('-', '_').toUpperCase(Locale.ROOT).equals(name)) {
        return known;
      }
    }
    return name.toLowerCase(Locale.ROOT).replace('_', '.');
  }

  /** {@code raw[key]} as a long, or an error naming the role, the key and the value. */
  public static long number(String role, Map<String, String> raw, String key) {
    String v = raw.get(key);
    try {
      return Long.parseLong(v.strip());
    } catch (NumberFormatException | NullPointerException e) {
      throw new IllegalArgumentException(role + ": " + key + "='" + v + "' is not an integer");
    }
  }

  /** {@code raw[key]} as an int (see {@link #number}). */
  public static int integer(String role, Map<String, String> raw, String key) {
    long v = number(role, raw, key);
    if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(role + ": " + key + "=" + v + " is out of range");
    }
    return (int) v;
  }

  /** {@code raw[key]} as a double (see {@link #number}). */
  public static double decimal(String role, Map<String, String> raw, String key) {
    String v = raw.get(key);
    try {
      return Double.parseDouble(v.strip());
    } catch (NumberFormatException | NullPointerException e) {
      throw new IllegalArgumentException(role + ": " + key + "='" + v + "' is not a number");
    }
  }

  /** {@code key=value} flags as a map; a flag without '=' is a usage error. */
  public static Map<String, String> keyValues(List<String> flags) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String kv : flags) {
      int eq = kv.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("--set expects key=value, got '" + kv + "'");
      }
      out.put(kv.substring(0, eq).strip(), kv.substring(eq + 1).strip());
    }
    return out;
  }
}
