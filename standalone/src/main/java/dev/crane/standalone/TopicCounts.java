package dev.crane.standalone;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;

/** Records per topic, read from the partitions' earliest and latest offsets (no consuming). */
final class TopicCounts {
  private TopicCounts() {}

  static Map<String, Long> of(Admin admin, List<String> topics) throws ExecutionException, InterruptedException {
    Map<String, TopicDescription> described = admin.describeTopics(topics).allTopicNames().get();
    List<TopicPartition> partitions = new ArrayList<>();
    described.values().forEach(d -> d.partitions()
        .forEach(p -> partitions.add(new TopicPartition(d.name(), p.partition()))));
    Map<TopicPartition, ListOffsetsResultInfo> latest = admin.listOffsets(
        partitions.stream().collect(Collectors.toMap(p -> p, p -> OffsetSpec.latest()))).all().get();
    Map<TopicPartition, ListOffsetsResultInfo> earliest = admin.listOffsets(
        partitions.stream().collect(Collectors.toMap(p -> p, p -> OffsetSpec.earliest()))).all().get();
    Map<String, Long> counts = new LinkedHashMap<>();
    topics.forEach(t -> counts.put(t, 0L));
    for (TopicPartition p : partitions) {
      // Transaction markers also take offsets; for the idempotent (non-transactional) ingest
      // producer the difference is exactly the number of records.
      counts.merge(p.topic(), latest.get(p).offset() - earliest.get(p).offset(), Long::sum);
    }
    return counts;
  }
}
