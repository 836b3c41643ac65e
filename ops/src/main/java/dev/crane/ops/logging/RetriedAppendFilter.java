package dev.crane.ops.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;

/**
 * Drops one ERROR of the embedded broker that is not an error: with transactions v2 (KIP-890, the
 * default of Kafka 4) a partition with no state yet for a producer accepts only sequence 0 from it
 * (KAFKA-18202), so when a transactional producer's later batches overtake its first one the broker
 * rejects them with a retriable {@code OutOfOrderSequenceException} and logs each rejection at ERROR
 * from {@code ReplicaManager}; the producer resends them in order and nothing is lost. Only that
 * message is dropped: every other broker error still shows.
 */
public final class RetriedAppendFilter extends Filter<ILoggingEvent> {
  static final String LOGGER = "kafka.server.ReplicaManager";
  static final String EXCEPTION = "org.apache.kafka.common.errors.OutOfOrderSequenceException";
  static final String RETRIED = "Expected sequence 0 for transactions v2 idempotent producer with no existing state";

  @Override
  public FilterReply decide(ILoggingEvent event) {
    IThrowableProxy t = event.getThrowableProxy();
    boolean retried = LOGGER.equals(event.getLoggerName()) && t != null && EXCEPTION.equals(t.getClassName())
        && t.getMessage() != null && t.getMessage().contains(RETRIED);
    return retried ? FilterReply.DENY : FilterReply.NEUTRAL;
  }
}
