package dev.crane.trainer.service;

import dev.crane.trainer.train.Checkpoint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The trainer service's directory: {@code accepted/}, the checkpoint of the last model it
 * published (the warm start of the next); {@code pending/}, a trained and accepted model not yet
 * known to be published; a lock, so that two services (or a service and {@code trainer retrain})
 * never share it. Promotion renames directories, so a crash leaves either the old or the new state.
 */
final class ServiceState implements AutoCloseable {
  private final Path dir;
  private final FileChannel lockChannel;
  private final FileLock lock;

  private ServiceState(Path dir, FileChannel lockChannel, FileLock lock) {
    this.dir = dir;
    this.lockChannel = lockChannel;
    this.lock = lock;
  }

  static ServiceState open(Path dir) {
    try {
      Files.createDirectories(dir);
      FileChannel ch = FileChannel.open(dir.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = ch.tryLock();
      } catch (java.nio.channels.OverlappingFileLockException sameProcess) {
        lock = null;
      }
      if (lock == null) {
        ch.close();
        throw new IllegalStateException("another trainer is using state.dir " + dir + " (its lock is held)");
      }
      ServiceState s = new ServiceState(dir, ch, lock);
      s.recoverPromotion();
      return s;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot use state.dir " + dir + ": " + e.getMessage(), e);
    }
  }

  Path dir() {
    return dir;
  }

  Optional<Checkpoint> accepted() {
    return load(dir.resolve("accepted"));
  }

  Optional<Checkpoint> pending() {
    return load(dir.resolve("pending"));
  }

  void savePending(Checkpoint c) throws IOException {
    c.save(dir.resolve("pending"));
  }

  /** The pending model becomes the accepted one. */
  void promotePending() throws IOException {
    Path accepted = dir.resolve("accepted");
    Path old = dir.resolve("accepted.old");
    if (Files.exists(accepted)) {
      Files.move(accepted, old, StandardCopyOption.ATOMIC_MOVE);
    }
    Files.move(dir.resolve("pending"), accepted, StandardCopyOption.ATOMIC_MOVE);
    deleteTree(old);
  }

  void dropPending() throws IOException {
    deleteTree(dir.resolve("pending"));
  }

  /** Finishes a promotion a crash interrupted: accepted.old without accepted. */
  private void recoverPromotion() throws IOException {
    Path accepted = dir.resolve("accepted");
    Path old = dir.resolve("accepted.old");
    if (Files.exists(old)) {
      if (!Files.exists(accepted)) {
        if (Files.exists(dir.resolve("pending"))) {
          Files.move(dir.resolve("pending"), accepted, StandardCopyOption.ATOMIC_MOVE);
        } else {
          Files.move(old, accepted, StandardCopyOption.ATOMIC_MOVE);
        }
      }
      deleteTree(old);
    }
  }

  private static Optional<Checkpoint> load(Path p) {
    if (!Files.isDirectory(p)) {
      return Optional.empty();
    }
    try {
      return Optional.of(Checkpoint.load(p));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the checkpoint in " + p + ": " + e.getMessage(), e);
    }
  }

  private static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> s = Files.walk(p)) {
      for (Path x : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(x);
      }
    }
  }

  @Override
  public void close() {
    try {
      lock.release();
      lockChannel.close();
    } catch (IOException e) {
      // the lock dies with the process anyway
    }
  }
}
