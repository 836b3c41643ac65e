package dev.crane.ingest.dataset;

import dev.crane.schemas.Split;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Parses one interactions file: tab-separated, a header line naming the columns; user, item and
 * label columns required, rating and timestamp optional, other columns ignored, any order. The
 * column names and the way ids read are the {@link InterLayout}'s (MMRec's .inter or a snapshot's
 * interactions.tsv).
 */
final class InterParser {
  private final Path file;
  private final InterLayout layout;
  private final ReadOptions options;
  private final ReadReport report;
  /** Feature row count, or -1 when the dataset has no features. */
  private final int featureRows;
  /** Items whose feature row was rejected in skip mode (null = none). */
  private final boolean[] badItems;

  private int columns;
  private int userCol;
  private int itemCol;
  private int labelCol;
  private int ratingCol = -1;
  private int timestampCol = -1;

  // Growing columns; trimmed to size at the end.
  private int size;
  private int[] users = new int[1024];
  private int[] items = new int[1024];
  private long[] timestamps;
  private float[] ratings;
  private Split[] splits = new Split[1024];
  // Field boundaries of the current line (one spare slot detects too many fields).
  private int[] starts;
  private int[] ends;

  InterParser(Path file, InterLayout layout, ReadOptions options, ReadReport report, int featureRows,
      boolean[] badItems) {
    this.file = file;
    this.layout = layout;
    this.options = options;
    this.report = report;
    this.featureRows = featureRows;
    this.badItems = badItems;
  }

  InteractionTable parse() throws IOException {
    // A decoder that replaces bad bytes, so that such a line fails with its line number instead
    // of a MalformedInputException that names no line.
    try (BufferedReader in = new BufferedReader(
        new InputStreamReader(Files.newInputStream(file), StandardCharsets.UTF_8), 1 << 20)) {
      String header = in.readLine();
      if (header == null) {
        throw new DatasetException(file, "empty file: expected a header line naming the columns "
            + "(" + layout.requiredColumns() + ")");
      }
      parseHeader(header);
      long lineNo = 1;
      String line;
      while ((line = in.readLine()) != null) {
        lineNo++;
        if (line.isBlank()) {
          report.blankLine();
          continue;
        }
        if (options.limit() > 0 && size >= options.limit()) {
          report.stoppedAtLimit();
          break;
        }
        report.lineRead();
        try {
          parseLine(line, lineNo);
          report.loadedLine();
        } catch (DatasetException e) {
          if (!options.skipBad()) {
            throw e;
          }
          report.reject(e);
        }
      }
    }
    return new InteractionTable(Arrays.copyOf(users, size), Arrays.copyOf(items, size),
        timestamps == null ? null : Arrays.copyOf(timestamps, size),
        ratings == null ? null : Arrays.copyOf(ratings, size), Arrays.copyOf(splits, size));
  }

  private void parseHeader(String header) {
    if (!header.isEmpty() && header.charAt(0) == '\uFEFF') {
      header = header.substring(1); // a UTF-8 byte order mark written by some editors
    }
    String[] names = header.split("\t", -1);
    List<String> cols = new ArrayList<>();
    for (String n : names) {
      cols.add(n.strip());
    }
    if (cols.size() == 1 && (header.contains(" ") || header.contains(","))) {
      throw new DatasetException(file, "1", null, "the header must be tab-separated, got '" + header + "'");
    }
    for (int i = 0; i < cols.size(); i++) {
      if (cols.indexOf(cols.get(i)) != i) {
        throw new DatasetException(file, "1", null, "column '" + cols.get(i) + "' appears twice in the header " + cols);
      }
    }
    columns = cols.size();
    userCol = required(cols, layout.user());
    itemCol = required(cols, layout.item());
    labelCol = required(cols, layout.label());
    ratingCol = layout.rating() == null ? -1 : cols.indexOf(layout.rating());
    timestampCol = cols.indexOf(layout.timestamp());
    if (ratingCol >= 0) {
      ratings = new float[1024];
    }
    if (timestampCol >= 0) {
      timestamps = new long[1024];
    }
    starts = new int[columns + 1];
    ends = new int[columns + 1];
  }

  private int required(List<String> cols, String name) {
    int i = cols.indexOf(name);
    if (i < 0) {
      throw new DatasetException(file, "1", null, "the header has no column '" + name + "'; found " + cols
          + " (required: " + layout.requiredColumns() + ")");
    }
    return i;
  }

  private void parseLine(String line, long lineNo) {
    int n = split(line);
    if (n != columns) {
      throw bad(lineNo, BadReason.WRONG_FIELD_COUNT, (n > columns ? "more than " + columns : String.valueOf(n))
          + " tab-separated fields, the header has " + columns);
    }
    int user = id(line, userCol, layout.user(), layout.userRows(), "users.tsv", lineNo);
    int item = id(line, itemCol, layout.item(), layout.itemRows(), "items.tsv", lineNo);
    Split split = label(line, lineNo);
    float rating = ratingCol < 0 ? 0 : rating(line, lineNo);
    long time = timestampCol < 0 ? 0 : timestamp(line, lineNo);
    if (featureRows >= 0 && item >= featureRows) {
      throw bad(lineNo, BadReason.ITEM_WITHOUT_FEATURES, "itemID " + item + " has no feature row (the feature files have "
          + featureRows + " rows, so item ids must be < " + featureRows + ")");
    }
    if (badItems != null && badItems[item]) {
      throw bad(lineNo, BadReason.BAD_ITEM_FEATURES, "itemID " + item + " has a rejected feature row (NaN/Inf)");
    }
    append(user, item, split, rating, time);
  }

  /** Splits on tabs into starts/ends; returns the field count, capped at columns + 1. */
  private int split(String line) {
    int n = 0;
    int start = 0;
    while (n <= columns) {
      int tab = line.indexOf('\t', start);
      starts[n] = start;
      ends[n] = tab < 0 ? line.length() : tab;
      n++;
      if (tab < 0) {
        break;
      }
      start = tab + 1;
    }
    return n;
  }

  /** Trims spaces around field {@code col} in place (no substring: ids are parsed in place). */
  private void trim(String line, int col) {
    int s = starts[col];
    int e = ends[col];
    while (s < e && Character.isWhitespace(line.charAt(s))) {
      s++;
    }
    while (e > s && Character.isWhitespace(line.charAt(e - 1))) {
      e--;
    }
    starts[col] = s;
    ends[col] = e;
  }

  private String field(String line, int col) {
    trim(line, col);
    return line.substring(starts[col], ends[col]);
  }

  private int id(String line, int col, String name, Map<String, Integer> rows, String listing, long lineNo) {
    if (rows != null) {
      String id = field(line, col);
      Integer row = rows.get(id);
      if (row == null) {
        throw bad(lineNo, BadReason.BAD_ID, name + " '" + id + "' is not listed in " + listing);
      }
      return row;
    }
    trim(line, col);
    long v;
    try {
      v = Long.parseLong(line, starts[col], ends[col], 10);
    } catch (NumberFormatException e) {
      throw bad(lineNo, BadReason.BAD_ID, name + " '" + field(line, col) + "' is not an integer");
    }
    if (v < 0) {
      throw bad(lineNo, BadReason.BAD_ID, name + " " + v + " is negative (ids are 0-based)");
    }
    if (v >= Integer.MAX_VALUE) {
      throw bad(lineNo, BadReason.BAD_ID, name + " " + v + " is too large (ids are dense, below " + Integer.MAX_VALUE + ")");
    }
    return (int) v;
  }

  private Split label(String line, long lineNo) {
    trim(line, labelCol);
    int s = starts[labelCol];
    if (ends[labelCol] - s == 1) {
      switch (line.charAt(s)) {
        case '0':
          return Split.TRAIN;
        case '1':
          return Split.VALID;
        case '2':
          return Split.TEST;
        default:
          break;
      }
    } else if (layout.unlabelledAllowed() && ends[labelCol] - s == 2 && line.startsWith("-1", s)) {
      return Split.UNLABELLED;
    }
    throw bad(lineNo, BadReason.BAD_LABEL, "x_label must be 0 (train), 1 (valid)"
        + (layout.unlabelledAllowed() ? ", 2 (test) or -1 (no label)" : " or 2 (test)") + ", got '"
        + field(line, labelCol) + "'");
  }

  private float rating(String line, long lineNo) {
    String text = field(line, ratingCol);
    try {
      float v = Float.parseFloat(text);
      if (Float.isFinite(v)) {
        return v;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw bad(lineNo, BadReason.BAD_RATING, "rating '" + text + "' is not a finite number");
  }

  private long timestamp(String line, long lineNo) {
    String text = field(line, timestampCol);
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      // pandas writes integer columns with gaps as floats ("1400000000.0"); accept whole numbers.
      try {
        double d = Double.parseDouble(text);
        if (d == Math.rint(d) && Math.abs(d) < 0x1p63) {
          return (long) d;
        }
      } catch (NumberFormatException e2) {
        // reported below
      }
    }
    throw bad(lineNo, BadReason.BAD_TIMESTAMP, "timestamp '" + text + "' is not an integer");
  }

  private DatasetException bad(long lineNo, BadReason reason, String what) {
    return new DatasetException(file, Long.toString(lineNo), reason, what);
  }

  private void append(int user, int item, Split split, float rating, long time) {
    if (size == users.length) {
      int cap = Math.max(16, (int) Math.min(Integer.MAX_VALUE - 8, size * 2L));
      users = Arrays.copyOf(users, cap);
      items = Arrays.copyOf(items, cap);
      splits = Arrays.copyOf(splits, cap);
      if (ratings != null) {
        ratings = Arrays.copyOf(ratings, cap);
      }
      if (timestamps != null) {
        timestamps = Arrays.copyOf(timestamps, cap);
      }
    }
    users[size] = user;
    items[size] = item;
    splits[size] = split;
    if (ratings != null) {
      ratings[size] = rating;
    }
    if (timestamps != null) {
      timestamps[size] = time;
    }
    size++;
  }
}
