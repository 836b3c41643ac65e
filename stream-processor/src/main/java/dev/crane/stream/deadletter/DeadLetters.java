package dev.crane.stream.deadletter;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Dead-letter records: the original key and value bytes, untouched, with headers that say why and
 * where from, so that a fixed record can be re-published as it was.
 */
public final class DeadLetters {
  public static final String REASON = "crane.dlq.reason";
  public static final String DETAIL = "crane.dlq.detail";
  public static final String SOURCE_TOPIC = "crane.dlq.source.topic";
  public static final String SOURCE_PARTITION = "crane.dlq.source.partition";
  public static final String SOURCE_OFFSET = "crane.dlq.source.offset";
  public static final String SOURCE_TIMESTAMP = "crane.dlq.source.timestamp";
  private static final int MAX_DETAIL = 1000;

  private DeadLetters() {}

  /** Where a record came from (kept with held records, whose metadata is gone when they expire). */
  public record Source(String topic, int partition, long offset, long timestamp) {}

  public static Record<byte[], byte[]> record(byte[] key, byte[] value, Source source, Reason reason, String detail,
      long timestamp) {
    Headers h = new RecordHeaders();
    h.add(REASON, utf8(reason.code()));
    String d = detail == null ? "" : detail;
    h.add(DETAIL, utf8(d.length() > MAX_DETAIL ? d.substring(0, MAX_DETAIL) : d));
    h.add(SOURCE_TOPIC, utf8(source.topic()));
    h.add(SOURCE_PARTITION, utf8(Integer.toString(source.partition())));
    h.add(SOURCE_OFFSET, utf8(Long.toString(source.offset())));
    h.add(SOURCE_TIMESTAMP, utf8(Long.toString(source.timestamp())));
    return new Record<>(key, value, timestamp, h);
  }

  /** A header's value as text, or null. */
  public static String header(Headers headers, String name) {
    var h = headers.lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
