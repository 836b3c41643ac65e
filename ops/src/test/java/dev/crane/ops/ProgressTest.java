package dev.crane.ops;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.crane.ops.progress.Progress;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class ProgressTest {
  @Test
  void withoutATerminalItLogsPlainLinesAtMostOncePerInterval() throws InterruptedException {
    Logger log = (Logger) LoggerFactory.getLogger("progress-test");
    ListAppender<ILoggingEvent> lines = new ListAppender<>();
    lines.start();
    log.addAppender(lines);
    try (Progress p = Progress.lines("items", 1_000, log, Duration.ofMillis(50))) {
      for (int i = 0; i < 500; i++) {
        p.step(); // quick steps: no line yet
      }
      assertThat(lines.list).isEmpty();
      Thread.sleep(60);
      p.setExtra("loss 0.5");
      p.stepBy(100);
      p.step();
    }
    assertThat(lines.list).hasSize(1);
    assertThat(lines.list.get(0).getFormattedMessage())
        .matches("items: 600 / 1,000 \\(60%\\), [\\d,]+/s, loss 0.5")
        .doesNotContain("\r");
  }

  @Test
  void testsAndCiRunWithoutATerminal() {
    assertThat(Progress.interactive()).isFalse();
  }
}
