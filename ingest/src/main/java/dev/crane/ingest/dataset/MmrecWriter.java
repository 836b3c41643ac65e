package dev.crane.ingest.dataset;

import dev.crane.schemas.Modality;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Writes an {@link MmrecDataset} in MMRec format so that {@link MmrecReader} reads back an equal
 * dataset: {@code <name>.inter} with header {@code userID itemID rating timestamp x_label} (absent
 * columns omitted) and one float32 {@code <modality>_feat.npy} per modality, as numpy.save writes.
 * Each file is written under a temporary name and renamed, so a reader never sees half a file.
 *
 * <p>The files do not record the order of the modalities: read back with {@code
 * ReadOptions.defaults().withExpectedDims(Modality.toMap(d.modalities()))} to get a dataset
 * equal to {@code d}; with default options the modalities come back sorted by name.
 */
public final class MmrecWriter {
  private MmrecWriter() {}

  public static void write(MmrecDataset dataset, Path dir) throws IOException {
    String name = dataset.name();
    if (name.isEmpty() || name.contains("/") || name.contains("\\") || name.startsWith(".")) {
      throw new IllegalArgumentException("dataset name '" + name + "' cannot be a file name");
    }
    Files.createDirectories(dir);
    refuseForeignFiles(dataset, dir);
    Path inter = dir.resolve(name + MmrecReader.INTER_SUFFIX);
    Path tmp = tempFor(inter);
    writeInter(dataset.interactions(), tmp);
    moveIntoPlace(tmp, inter);
    for (FeatureMatrix f : dataset.features()) {
      Path npy = dir.resolve(f.modality() + MmrecReader.FEAT_SUFFIX);
      tmp = tempFor(npy);
      Npy.writeFloat32(tmp, f.rows(), f.dim(), f.data());
      moveIntoPlace(tmp, npy);
    }
  }

  /** Another dataset's files in the directory would be read back with this one. */
  private static void refuseForeignFiles(MmrecDataset dataset, Path dir) throws IOException {
    Set<String> ours = new HashSet<>();
    ours.add(dataset.name() + MmrecReader.INTER_SUFFIX);
    dataset.modalityNames().forEach(m -> ours.add(m + MmrecReader.FEAT_SUFFIX));
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : files.toList()) {
        String f = p.getFileName().toString();
        if ((f.endsWith(MmrecReader.INTER_SUFFIX) || f.endsWith(MmrecReader.FEAT_SUFFIX)) && !ours.contains(f)) {
          throw new DatasetException(p, "belongs to another dataset; write dataset '" + dataset.name()
              + "' to an empty directory");
        }
      }
    }
  }

  /** A sibling name that ends neither in .inter nor in _feat.npy, so readers ignore it. */
  private static Path tempFor(Path target) {
    return target.resolveSibling("." + target.getFileName() + ".tmp");
  }

  private static void moveIntoPlace(Path tmp, Path target) throws IOException {
    try {
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static void writeInter(InteractionTable t, Path file) throws IOException {
    try (BufferedWriter w = new BufferedWriter(
        new OutputStreamWriter(Files.newOutputStream(file), StandardCharsets.UTF_8), 1 << 20)) {
      w.write(InterLayout.MMREC.user() + "\t" + InterLayout.MMREC.item());
      if (t.hasRatings()) {
        w.write("\t" + InterLayout.MMREC.rating());
      }
      if (t.hasTimestamps()) {
        w.write("\t" + InterLayout.MMREC.timestamp());
      }
      w.write("\t" + InterLayout.MMREC.label() + "\n");
      StringBuilder line = new StringBuilder(64);
      for (int i = 0; i < t.size(); i++) {
        line.setLength(0);
        line.append(t.users()[i]).append('\t').append(t.items()[i]);
        if (t.hasRatings()) {
          // Float.toString prints enough digits to parse back to the same float.
          line.append('\t').append(Float.toString(t.ratings()[i]));
        }
        if (t.hasTimestamps()) {
          line.append('\t').append(t.timestamps()[i]);
        }
        line.append('\t').append(t.splits()[i].label()).append('\n');
        w.append(line);
      }
    }
  }
}
