package dev.crane.trainer.bench;

import dev.crane.ingest.dataset.DatasetException;
import dev.crane.trainer.engine.Devices;
import dev.crane.trainer.engine.NativeAllocator;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

/** What the step benchmarks share when run by their own main: the tuned allocator, offline DJL, one-line errors. */
final class BenchLaunch {
  private BenchLaunch() {}

  /** Runs the command in a child JVM with the tuned allocator (engine.NativeAllocator), as {@code trainer train} does. */
  static void main(Class<?> type, Supplier<Object> command, String[] args) {
    OptionalInt child = NativeAllocator.relaunch(type, args);
    if (child.isPresent()) {
      System.exit(child.getAsInt());
    }
    Devices.ensureOffline();
    System.exit(new picocli.CommandLine(command.get()).execute(args));
  }

  /** A bad option, dataset or refused configuration as one line on stderr and exit status 2. */
  static int oneLineErrors(Callable<Integer> run) throws Exception {
    try {
      return run.call();
    } catch (IllegalArgumentException | DatasetException e) {
      System.err.println("error: " + e.getMessage());
      return 2;
    }
  }
}
