package dev.crane.trainer.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Which axis CRANE reference mode's multi-head attention runs over (crane-spec.md §7.5 item 2, §8 B1).
 */
public enum AttentionAxis {
  /** As the published code: sequence = the I items, batch = the modalities; quadratic in I. */
  ITEMS,
  /** As the paper and the class name intend: per item, its modality tokens attend to each other. */
  MODALITIES;

  /** Case-insensitive: "items", "MODALITIES", ... */
  public static AttentionAxis parse(String s) {
    try {
      return valueOf(s.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("attention axis must be one of "
          + Arrays.stream(values()).map(a -> a.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", "))
          + ", got '" + s + "'");
    }
  }
}
