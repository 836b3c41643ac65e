package dev.crane.stream.deadletter;

/** Why a record went to the dead-letter topic; the code is the value of header {@code crane.dlq.reason}. */
public enum Reason {
  /** Not in the Confluent wire format, truncated, or not valid Avro for its schema. */
  MALFORMED("malformed"),
  /** The schema id in the header is unknown to the registry. */
  UNKNOWN_SCHEMA("unknown-schema-id"),
  /** Decoded, but a field is unusable: empty ids, key different from userId, non-finite weight. */
  INVALID("invalid-record"),
  /** The item's features did not arrive within the hold time. */
  UNKNOWN_ITEM("unknown-item"),
  /** The item's vector of a configured modality has another dimension, or is missing. */
  WRONG_DIMENSION("wrong-dimension"),
  /** The item's features contain NaN or Inf. */
  NON_FINITE("non-finite"),
  /** The item record in the items topic cannot be decoded. */
  ITEM_MALFORMED("item-malformed"),
  /** Processing this record threw; the record is set aside so that the stream goes on. */
  PROCESSING_ERROR("processing-error");

  private final String code;

  Reason(String code) {
    this.code = code;
  }

  public String code() {
    return code;
  }
}
