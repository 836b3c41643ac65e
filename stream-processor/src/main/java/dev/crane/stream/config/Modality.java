package dev.crane.stream.config;

import java.util.ArrayList;
import java.util.List;

/** A configured feature modality: every item must carry a vector of exactly this dimension. */
public record Modality(String name, int dim) {
  public Modality {
    if (name == null || name.isBlank() || !name.matches("[A-Za-z0-9][A-Za-z0-9_.-]*")) {
      throw new IllegalArgumentException("modality name '" + name
          + "' must start with a letter or digit and contain only letters, digits, '_', '.', '-'");
    }
    if (dim <= 0) {
      throw new IllegalArgumentException("modality " + name + ": dimension must be > 0, got " + dim);
    }
  }

  /** Parses {@code image:128,audio:128}; the order is the order of the profile's sums. */
  public static List<Modality> parseList(String spec) {
    if (spec == null || spec.isBlank()) {
      throw new IllegalArgumentException("modalities: empty list; expected name:dim[,name:dim...], e.g. image:128,audio:128");
    }
    List<Modality> out = new ArrayList<>();
    for (String raw : spec.split(",")) {
      String entry = raw.strip();
      int colon = entry.indexOf(':');
      if (colon <= 0 || colon != entry.lastIndexOf(':')) {
        throw new IllegalArgumentException("modalities: entry '" + entry + "' must look like name:dim");
      }
      String name = entry.substring(0, colon).strip();
      int dim;
      try {
        dim = Integer.parseInt(entry.substring(colon + 1).strip());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("modalities: entry '" + entry + "': dimension is not an integer");
      }
      if (out.stream().anyMatch(m -> m.name.equals(name))) {
        throw new IllegalArgumentException("modalities: '" + name + "' is listed twice");
      }
      out.add(new Modality(name, dim));
    }
    return List.copyOf(out);
  }

  @Override
  public String toString() {
    return name + ":" + dim;
  }
}
