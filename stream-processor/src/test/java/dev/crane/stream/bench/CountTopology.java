package dev.crane.stream.bench;

import dev.crane.schemas.Topics;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;

/** The benchmark's yardstick: a plain count() per key of the interactions topic. */
final class CountTopology {
  private CountTopology() {}

  static Topology build() {
    StreamsBuilder b = new StreamsBuilder();
    b.stream(Topics.INTERACTIONS, Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()))
        .groupByKey(Grouped.with(Serdes.ByteArray(), Serdes.ByteArray()))
        .count(Materialized.as("counts"));
    return b.build();
  }
}
