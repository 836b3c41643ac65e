package dev.crane.schemas.serde;

import java.lang.reflect.Method;
import org.apache.avro.SystemLimitException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounds on what one Avro value may claim, for every record this JVM decodes. Avro's binary decoder
 * allocates what a length prefix claims before it reads the bytes (a string, a bytes field, an
 * array of a generated class), and its own bounds default to 2 GiB: one corrupt record could make
 * the reader allocate gigabytes, and either stop its thread with an OutOfMemoryError or keep the
 * buffer in its reused decoder. With these bounds such a record fails as Avro's
 * {@link SystemLimitException}, which the deserializer reports (and a stream dead-letters) like any
 * other undecodable record. The bounds are far above anything the schemas carry (ids and names;
 * vectors of a few thousand values). A value set with -D (Avro's own properties) is kept.
 */
final class DecodeLimits {
  private static final Logger LOG = LoggerFactory.getLogger(DecodeLimits.class);
  static final int MAX_STRING_BYTES = 1 << 20;
  static final int MAX_BYTES = 64 << 20;
  static final int MAX_COLLECTION_ITEMS = 16 << 20;

  private DecodeLimits() {}

  /** Sets Avro's bounds unless the JVM was started with them. Idempotent. */
  static synchronized void apply() {
    boolean changed = setIfAbsent(SystemLimitException.MAX_STRING_LENGTH_PROPERTY, MAX_STRING_BYTES)
        | setIfAbsent(SystemLimitException.MAX_BYTES_LENGTH_PROPERTY, MAX_BYTES)
        | setIfAbsent(SystemLimitException.MAX_COLLECTION_LENGTH_PROPERTY, MAX_COLLECTION_ITEMS);
    if (changed) {
      // Avro reads the properties once, when its class is first used; something may have decoded before.
      try {
        Method reset = SystemLimitException.class.getDeclaredMethod("resetLimits");
        reset.setAccessible(true);
        reset.invoke(null);
      } catch (ReflectiveOperationException | RuntimeException e) {
        LOG.debug("Avro's limits could not be re-read ({}); they apply if nothing decoded before", e.toString());
      }
    }
  }

  private static boolean setIfAbsent(String property, int value) {
    if (System.getProperty(property) != null) {
      return false;
    }
    System.setProperty(property, Integer.toString(value));
    return true;
  }
}
