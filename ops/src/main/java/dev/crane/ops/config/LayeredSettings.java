package dev.crane.ops.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * A service's settings in layers, later ones winning: an optional properties file, then environment
 * variables {@code <PREFIX><KEY>} (a known key with dots and hyphens as underscores, upper case:
 * {@code CRANE_TRAINER_GATE_TOLERANCE} sets {@code gate.tolerance}; other names become lower case
 * with dots, so {@code CRANE_TRAINER_TRAIN_LR} sets {@code train.lr}), then explicit overrides
 * ({@code --set key=value}). Defaults and validation are the caller's (e.g. a Kafka ConfigDef).
 */
public final class LayeredSettings {
  private LayeredSettings() {}

  /**
   * @param known the keys the service defines, used to name environment variables back
   * @throws IllegalArgumentException when the file cannot be read or an override is not key=value
   */
  public static Map<String, String> load(Path file, Map<String, String> env, String envPrefix, Set<String> known,
      Iterable<String> overrides) {
    Map<String, String> raw = new LinkedHashMap<>();
    if (file != null) {
      Properties p = new Properties();
      try (Reader r = Files.newBufferedReader(file)) {
        p.load(r);
      } catch (IOException e) {
        throw new IllegalArgumentException("cannot read config file " + file + ": " + e.getMessage(), e);
      }
      p.stringPropertyNames().forEach(k -> raw.put(k.strip(), p.getProperty(k).strip()));
    }
    env.forEach((k, v) -> {
      if (k.startsWith(envPrefix)) {
        raw.put(keyOfEnv(k.substring(envPrefix.length()), known), v);
      }
    });
    for (String kv : overrides) {
      int eq = kv.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("--set expects key=value, got '" + kv + "'");
      }
      raw.put(kv.substring(0, eq).strip(), kv.substring(eq + 1).strip());
    }
    return raw;
  }

  /** The key an environment variable (prefix removed) sets. */
  static String keyOfEnv(String name, Set<String> known) {
    for (String key : known) {
      if (key.replace('.', '_').replace('-', '_').toUpperCase(Locale.ROOT).equals(name)) {
        return key;
      }
    }
    return name.toLowerCase(Locale.ROOT).replace('_', '.');
  }

  /** Setting {@code key} as a long. @throws IllegalArgumentException naming the role and the key */
  public static long longValue(String role, Map<String, String> raw, String key) {
    String v = raw.get(key);
    try {
      return Long.parseLong(v.strip());
    } catch (NumberFormatException | NullPointerException e) {
      throw new IllegalArgumentException(role + ": " + key + "='" + v + "' is not an integer");
    }
  }

  /** Setting {@code key} as an int. @throws IllegalArgumentException naming the role and the key */
  public static int intValue(String role, Map<String, String> raw, String key) {
    long v = longValue(role, raw, key);
    if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(role + ": " + key + "=" + v + " is out of range");
    }
    return (int) v;
  }

  /** Setting {@code key} as a finite double. @throws IllegalArgumentException naming the role and the key */
  public static double doubleValue(String role, Map<String, String> raw, String key) {
    String v = raw.get(key);
    try {
      double d = Double.parseDouble(v.strip());
      if (Double.isFinite(d)) {
        return d;
      }
    } catch (NumberFormatException | NullPointerException e) {
      // reported below
    }
    throw new IllegalArgumentException(role + ": " + key + "='" + v + "' is not a number");
  }

  /** Setting {@code key} as true or false (nothing else). @throws IllegalArgumentException naming the role and the key */
  public static boolean booleanValue(String role, Map<String, String> raw, String key) {
    String v = raw.get(key) == null ? null : raw.get(key).strip();
    if (!"true".equals(v) && !"false".equals(v)) {
      throw new IllegalArgumentException(role + ": " + key + "='" + v + "' is not true or false");
    }
    return v.equals("true");
  }
}
