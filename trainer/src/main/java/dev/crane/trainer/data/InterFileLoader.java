package dev.crane.trainer.data;

import dev.crane.ingest.dataset.InteractionTable;
import dev.crane.ingest.dataset.MmrecDataset;
import dev.crane.ingest.dataset.Split;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Interim loader for the ids-only case: reads {@code <name>.inter} (tab-separated, header naming
 * userID, itemID and x_label; other columns ignored) into an MmrecDataset without features. It is
 * replaced by the shared ingest reader (MmrecReader, features included) once that lands on main.
 */
public final class InterFileLoader {
  private InterFileLoader() {}

  public static MmrecDataset load(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException("data directory " + dir + " does not exist");
    }
    List<Path> inter;
    try (var s = Files.list(dir)) {
      inter = s.filter(p -> p.getFileName().toString().endsWith(".inter")).sorted().toList();
    }
    if (inter.size() != 1) {
      throw new IllegalArgumentException("expected exactly one <name>.inter file in " + dir + ", found " + inter.size());
    }
    Path file = inter.get(0);
    String name = file.getFileName().toString().replaceFirst("\\.inter$", "");
    int n = 0;
    int[] users = new int[1 << 16];
    int[] items = new int[1 << 16];
    Split[] splits = new Split[1 << 16];
    int maxU = -1;
    int maxI = -1;
    try (BufferedReader r = Files.newBufferedReader(file)) {
      String header = r.readLine();
      if (header == null) {
        throw new IllegalArgumentException(file + " is empty");
      }
      List<String> cols = Arrays.asList(header.split("\t"));
      int cu = cols.indexOf("userID");
      int ci = cols.indexOf("itemID");
      int cx = cols.indexOf("x_label");
      if (cu < 0 || ci < 0 || cx < 0) {
        throw new IllegalArgumentException(file + ": header must name userID, itemID and x_label, got " + cols);
      }
      String line;
      int lineNo = 1;
      while ((line = r.readLine()) != null) {
        lineNo++;
        if (line.isBlank()) {
          continue;
        }
        String[] f = line.split("\t");
        if (n == users.length) {
          users = Arrays.copyOf(users, n * 2);
          items = Arrays.copyOf(items, n * 2);
          splits = Arrays.copyOf(splits, n * 2);
        }
        try {
          users[n] = Integer.parseInt(f[cu].trim());
          items[n] = Integer.parseInt(f[ci].trim());
          splits[n] = Split.ofLabel(Integer.parseInt(f[cx].trim()));
        } catch (RuntimeException e) {
          throw new IllegalArgumentException(file + " line " + lineNo + ": " + e.getMessage(), e);
        }
        maxU = Math.max(maxU, users[n]);
        maxI = Math.max(maxI, items[n]);
        n++;
      }
    }
    InteractionTable t = new InteractionTable(Arrays.copyOf(users, n), Arrays.copyOf(items, n), null, null,
        Arrays.copyOf(splits, n));
    return new MmrecDataset(name, maxU + 1, maxI + 1, t, List.of());
  }
}
