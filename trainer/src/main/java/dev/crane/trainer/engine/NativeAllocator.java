package dev.crane.trainer.engine;

import dev.crane.ops.process.StopWithJvm;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;

/**
 * glibc malloc settings for libtorch's CPU tensors, applied by running the trainer's JVM again with
 * them in its environment (glibc reads them only at process start; mallopt at run time cannot move
 * threads that already have an arena, measured: half the gain).
 *
 * <p>Why: libtorch allocates every CPU tensor with malloc and frees it when autograd is done with it.
 * Tensors above 32 MB (Electronics-size N x 64 floats are 65 MB) are always mmap'd by glibc, so each
 * step maps, page-faults and unmaps gigabytes: the recursive attention at N = 255k spent as much
 * time in the kernel as in user code (user 24 s, sys 22 s). With one arena, no mmap and no trimming,
 * freed tensors are reused: its forward + backward went from 7.4 s to 2.7 s. The price is that
 * the heap stays at its peak size, and it fragments: free chunks that no later tensor fits keep their
 * pages (Electronics-size paper mode crept from 13.0 to 14.4 GB over 100 steps). {@link #trim()},
 * called by the trainer every few dozen steps, hands those pages back.
 */
public final class NativeAllocator {
  /** Set to {@code default} (environment) to keep glibc's defaults. */
  public static final String SWITCH = "CRANE_NATIVE_ALLOCATOR";

  static final Map<String, String> SETTINGS = new LinkedHashMap<>();
  /** Set in a relaunched child's environment: the pid of the process that launched it. */
  static final String LAUNCHER_PID = "CRANE_LAUNCHER_PID";
  private static final long LAUNCHER_POLL_MS = 250;

  static {
    SETTINGS.put("MALLOC_ARENA_MAX", "1"); // large tensors from the main heap, not per-thread mmap'd heaps
    SETTINGS.put("MALLOC_MMAP_MAX_", "0"); // never mmap: a freed tensor's pages serve the next one
    SETTINGS.put("MALLOC_TRIM_THRESHOLD_", "68719476736"); // never give the heap top back to the kernel
    SETTINGS.put("MALLOC_TOP_PAD_", "268435456"); // grow the heap in 256 MB steps
  }

  private NativeAllocator() {}

  private interface LibC extends com.sun.jna.Library {
    int malloc_trim(long pad);

    MallInfo2 mallinfo2();
  }

  /** glibc's {@code struct mallinfo2} (2.33 and later): every field a size_t. */
  @com.sun.jna.Structure.FieldOrder({"arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks",
      "uordblks", "fordblks", "keepcost"})
  public static class MallInfo2 extends com.sun.jna.Structure implements com.sun.jna.Structure.ByValue {
    public long arena;
    public long ordblks;
    public long smblks;
    public long hblks;
    public long hblkhd;
    public long usmblks;
    public long fsmblks;
    public long uordblks;
    public long fordblks;
    public long keepcost;
  }

  private static volatile LibC libc;

  /**
   * glibc's {@code malloc_trim(0)}: releases the pages of every free chunk in the heap, not only its top
   * (tens of ms; the next steps fault the pages they reuse back in). A no-op off Linux, or where libc
   * cannot be loaded. @return whether memory was released
   */
  public static boolean trim() {
    return trimIfFree(0);
  }

  /**
   * {@link #trim()} when at least {@code minFreeBytes} of the heap are free chunks (glibc's mallinfo2
   * {@code fordblks}), else nothing: handing back a few hundred MB costs more in page faults on the next
   * steps than it saves (a TikTok LightGCN epoch: 1.22 s with a trim after every evaluation, 1.00 s
   * without), while an evaluation's or a fragmented Electronics-size heap's gigabytes are worth it. Where
   * mallinfo2 is missing it trims as before. @return whether memory was released
   */
  public static boolean trimIfFree(long minFreeBytes) {
    LibC c = libc();
    if (c == null) {
      return false;
    }
    if (minFreeBytes > 0) {
      long free = freeHeapBytes();
      if (free >= 0 && free < minFreeBytes) {
        return false;
      }
    }
    return c.malloc_trim(0) == 1;
  }

  /** Bytes in the heap's free chunks (mallinfo2 fordblks), or -1 where glibc (2.33+) is not there. */
  static long freeHeapBytes() {
    LibC c = libc();
    if (c == null) {
      return -1;
    }
    try {
      return c.mallinfo2().fordblks;
    } catch (UnsatisfiedLinkError e) {
      return -1; // glibc before 2.33
    }
  }

  /** The C library, or null off Linux or where it is not glibc (e.g. musl): nothing to trim this way. */
  private static LibC libc() {
    if (!isLinux()) {
      return null;
    }
    try {
      if (libc == null) {
        libc = com.sun.jna.Native.load("c", LibC.class);
      }
      return libc;
    } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
      return null;
    }
  }

  /** True when this process already runs with the settings, or they do not apply. */
  public static boolean inEffect(Map<String, String> env) {
    return !isLinux() || "default".equalsIgnoreCase(env.get(SWITCH)) || env.containsKey("MALLOC_ARENA_MAX");
  }

  /** Adds the settings to a child process's environment unless they are already in effect or switched off. */
  public static void applyTo(Map<String, String> childEnv) {
    if (!inEffect(childEnv)) {
      childEnv.putAll(SETTINGS);
    }
  }

  /**
   * Runs {@code mainClass args} in a child JVM with the same JVM options and the settings, forwarding
   * its I/O, and returns its exit code; empty when this process should go on itself.
   */
  public static OptionalInt relaunch(Class<?> mainClass, String[] args) {
    if (inEffect(System.getenv())) {
      followLauncher(System.getenv().get(LAUNCHER_PID));
      return OptionalInt.empty();
    }
    String java = ProcessHandle.current().info().command().orElse(null);
    if (java == null) {
      return OptionalInt.empty();
    }
    List<String> cmd = new ArrayList<>();
    cmd.add(java);
    cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(mainClass.getName());
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).inheritIO();
    applyTo(pb.environment());
    pb.environment().put(LAUNCHER_PID, Long.toString(ProcessHandle.current().pid()));
    // libtorch's own C++ warnings (a deprecated dispatch mode, on every parameter load) are not for users
    pb.environment().putIfAbsent("TORCH_CPP_LOG_LEVEL", "ERROR");
    try {
      // SIGTERM or Ctrl+C: the child stops as gracefully as it would alone, and this process waits for
      // it (it may be committing or publishing), else the child would see its launcher gone and halt.
      // The hook is in place before the child starts, so a SIGTERM during its start reaches it too.
      try (StopWithJvm stop = StopWithJvm.start(pb, Duration.ofMinutes(2))) {
        return OptionalInt.of(stop.process().waitFor());
      }
    } catch (java.io.IOException e) {
      System.err.println("note: could not restart with the tuned allocator (" + e.getMessage() + "); going on without");
      return OptionalInt.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return OptionalInt.of(130);
    }
  }

  /**
   * In a relaunched child: halts this process as soon as its launcher is gone. A launcher that was
   * SIGKILLed (kill -9, an OOM killer) runs no shutdown hook, and a child left behind would go on
   * training and publishing beside the one its restart launches, under the same transactional id.
   */
  private static void followLauncher(String launcherPid) {
    if (launcherPid == null) {
      return;
    }
    long pid;
    try {
      pid = Long.parseLong(launcherPid);
    } catch (NumberFormatException e) {
      return;
    }
    ProcessHandle launcher = ProcessHandle.current().parent().filter(p -> p.pid() == pid).orElse(null);
    if (launcher == null) {
      return; // not started by relaunch (a grandchild inherited the variable): nothing to follow
    }
    Thread watch = new Thread(() -> {
      while (launcher.isAlive()) {
        try {
          Thread.sleep(LAUNCHER_POLL_MS);
        } catch (InterruptedException e) {
          return;
        }
      }
      System.err.println("error: the trainer's launcher process (pid " + pid + ") was killed; stopping at once");
      Runtime.getRuntime().halt(137);
    }, "launcher-watch");
    watch.setDaemon(true);
    watch.start();
  }

  private static boolean isLinux() {
    return System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux");
  }
}
