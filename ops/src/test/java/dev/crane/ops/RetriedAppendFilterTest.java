package dev.crane.ops;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.spi.FilterReply;
import dev.crane.ops.logging.RetriedAppendFilter;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.junit.jupiter.api.Test;

class RetriedAppendFilterTest {
  private static final String BROKER = "kafka.server.ReplicaManager";
  // the broker's message (kafka-storage ProducerAppendInfo) for a sequence that overtook sequence 0
  private static final String RETRIED = "Invalid sequence number for producer 1 at offset 35 in partition "
      + "crane-stream-dedup-changelog-0: 2 (incoming seq. number). Expected sequence 0 for transactions v2 "
      + "idempotent producer with no existing state.";

  private static FilterReply decide(String logger, Throwable t) {
    LoggerContext context = new LoggerContext();
    Logger log = context.getLogger(logger);
    LoggingEvent event = new LoggingEvent(Logger.class.getName(), log, Level.ERROR,
        "[ReplicaManager broker=1] Error processing append operation on partition x", t, null);
    RetriedAppendFilter filter = new RetriedAppendFilter();
    filter.start();
    return filter.decide(event);
  }

  @Test
  void dropsOnlyTheBrokersRejectionThatTheProducerRetries() {
    assertThat(decide(BROKER, new OutOfOrderSequenceException(RETRIED))).isEqualTo(FilterReply.DENY);
    // any other out-of-order sequence, another exception, another logger or no exception still shows
    assertThat(decide(BROKER, new OutOfOrderSequenceException("Out of order sequence number for producer 7: "
        + "51 (incoming seq. number), 49 (current end sequence number)"))).isEqualTo(FilterReply.NEUTRAL);
    assertThat(decide(BROKER, new IllegalStateException(RETRIED))).isEqualTo(FilterReply.NEUTRAL);
    assertThat(decide("dev.crane.stream.App", new OutOfOrderSequenceException(RETRIED))).isEqualTo(FilterReply.NEUTRAL);
    assertThat(decide(BROKER, null)).isEqualTo(FilterReply.NEUTRAL);
  }

  @Test
  void theJarsLoggingConfigurationAppliesIt() throws Exception {
    LoggerContext context = new LoggerContext();
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    configurator.doConfigure(RetriedAppendFilter.class.getResource("/logback.xml"));
    Appender<?> stderr = context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("STDERR");
    assertThat(stderr).isNotNull();
    assertThat(stderr.getCopyOfAttachedFiltersList()).hasAtLeastOneElementOfType(RetriedAppendFilter.class);
  }
}
