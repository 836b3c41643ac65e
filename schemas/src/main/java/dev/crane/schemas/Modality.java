package dev.crane.schemas;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A feature modality: its name and the dimension every item's vector of it has, e.g. {@code
 * visual:4096}. The one {@code name:dim} type and parser of every module (ingest's datasets, the
 * stream processor's configuration, the model versions the API serves).
 */
public record Modality(String name, int dim) {
  /** Names become file names ({@code <name>_feat.npy}), so keep them to a portable character set. */
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*");

  public Modality {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "modality name '" + name + "' must start with a letter or digit and contain only letters, digits, '_', '.', '-'");
    }
    if (dim <= 0) {
      throw new IllegalArgumentException("modality '" + name + "': dimension must be > 0, got " + dim);
    }
  }

  /**
   * Parses the CLI's modality list, e.g. {@code "visual:4096,text:384"} (spaces around entries are
   * ignored). Throws IllegalArgumentException naming the spec and the bad entry.
   */
  public static List<Modality> parseList(String spec) {
    if (spec == null || spec.isBlank()) {
      throw new IllegalArgumentException("empty modality list; expected name:dim[,name:dim...], e.g. visual:4096,text:384");
    }
    List<Modality> out = new ArrayList<>();
    for (String raw : spec.split(",", -1)) {
      String entry = raw.strip();
      String where = "modality list '" + spec + "': entry '" + entry + "'";
      int colon = entry.indexOf(':');
      if (entry.isEmpty() || colon < 0 || colon != entry.lastIndexOf(':')) {
        throw new IllegalArgumentException(where + " must look like name:dim, e.g. visual:4096");
      }
      String name = entry.substring(0, colon).strip();
      String dimText = entry.substring(colon + 1).strip();
      int dim;
      try {
        dim = Integer.parseInt(dimText);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(where + ": dimension '" + dimText + "' is not an integer");
      }
      Modality m;
      try {
        m = new Modality(name, dim);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(where + ": " + e.getMessage());
      }
      if (out.stream().anyMatch(o -> o.name.equals(name))) {
        throw new IllegalArgumentException(where + ": modality '" + name + "' is listed twice");
      }
      out.add(m);
    }
    return List.copyOf(out);
  }

  /** name to dim, in list order (e.g. the dimensions a dataset reader expects). */
  public static Map<String, Integer> toMap(List<Modality> list) {
    Map<String, Integer> map = new LinkedHashMap<>();
    list.forEach(m -> map.put(m.name, m.dim));
    return map;
  }

  /** The inverse of {@link #parseList}. */
  public static String format(List<Modality> list) {
    return list.stream().map(Modality::toString).collect(Collectors.joining(","));
  }

  @Override
  public String toString() {
    return name + ":" + dim;
  }
}
