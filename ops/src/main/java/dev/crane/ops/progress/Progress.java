package dev.crane.ops.progress;

import java.time.Duration;
import java.util.Locale;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.slf4j.Logger;

/**
 * Progress of a task with a known size: a redrawn bar when a person watches a terminal, otherwise
 * (output to a file or a pipe) a plain log line every {@link #DEFAULT_INTERVAL}: a bar's carriage
 * returns turn a log file into one endless line. Not thread-safe; one task, one thread.
 */
public final class Progress implements AutoCloseable {
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);

  private final String task;
  private final long total;
  private final Logger log;
  private final ProgressBar bar;
  private final long intervalNanos;
  private final long start = System.nanoTime();
  private long nextLine;
  private long done;
  private String extra = "";

  private Progress(String task, long total, Logger log, boolean bar, Duration interval) {
    this.task = task;
    this.total = total;
    this.log = log;
    this.intervalNanos = interval.toNanos();
    this.nextLine = start + intervalNanos;
    this.bar = bar ? new ProgressBarBuilder().setTaskName(task).setInitialMax(total).setStyle(ProgressBarStyle.ASCII)
        .setUpdateIntervalMillis(500).showSpeed().continuousUpdate().build() : null;
  }

  /**
   * @param barsWanted false hides the bar (e.g. {@code --no-progress}); plain lines are logs and stay
   */
  public static Progress start(String task, long total, Logger log, boolean barsWanted) {
    return new Progress(task, total, log, barsWanted && interactive(), DEFAULT_INTERVAL);
  }

  /** With a given line interval and never a bar: for tests and callers that log on their own cadence. */
  public static Progress lines(String task, long total, Logger log, Duration interval) {
    return new Progress(task, total, log, false, interval);
  }

  /** True when stdin and stdout are a terminal (Java 17's {@link System#console()} contract). */
  public static boolean interactive() {
    return System.console() != null;
  }

  public void step() {
    stepBy(1);
  }

  public void stepBy(long n) {
    done += n;
    if (bar != null) {
      bar.stepBy(n);
    } else if (System.nanoTime() >= nextLine) {
      logLine();
      nextLine = System.nanoTime() + intervalNanos;
    }
  }

  /** A short status shown after the counts (e.g. "loss 0.1234"). */
  public void setExtra(String message) {
    this.extra = message == null ? "" : message;
    if (bar != null) {
      bar.setExtraMessage(extra);
    }
  }

  public long done() {
    return done;
  }

  private void logLine() {
    double seconds = (System.nanoTime() - start) / 1e9;
    log.info(String.format(Locale.ROOT, "%s: %,d / %,d (%.0f%%), %,.0f/s%s", task, done, total,
        total > 0 ? 100.0 * done / total : 100.0, seconds > 0 ? done / seconds : 0.0,
        extra.isEmpty() ? "" : ", " + extra));
  }

  @Override
  public void close() {
    if (bar != null) {
      bar.close();
    }
  }
}
