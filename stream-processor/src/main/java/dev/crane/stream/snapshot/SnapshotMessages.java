package dev.crane.stream.snapshot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The small JSON messages between the tasks and the snapshot coordinator (on the application's own
 * topics): a request to cut version v, a task's finished part, a task's wish for a snapshot
 * because many interactions are new, and a task's word that it has new interactions at all.
 */
public final class SnapshotMessages {
  static final ObjectMapper JSON = new ObjectMapper();

  private SnapshotMessages() {}

  public static String request(long version) {
    return JSON.createObjectNode().put("type", "request").put("version", version).toString();
  }

  public static long requestedVersion(String json) {
    return parse(json).path("version").asLong(-1);
  }

  public static String want(int partition, long newInteractions) {
    return JSON.createObjectNode().put("type", "want").put("partition", partition)
        .put("newInteractions", newInteractions).toString();
  }

  /** Sent once after each cut, with the first interaction the task takes in: the time trigger waits for it. */
  public static String fresh(int partition) {
    return JSON.createObjectNode().put("type", "fresh").put("partition", partition).toString();
  }

  public static String part(CutWriter.Part p) {
    ObjectNode n = JSON.createObjectNode().put("type", "part");
    n.setAll((ObjectNode) JSON.valueToTree(p));
    return n.toString();
  }

  public static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (Exception e) {
      throw new IllegalArgumentException("not a snapshot message: " + json, e);
    }
  }

  public static CutWriter.Part toPart(JsonNode n) {
    try {
      ObjectNode copy = ((ObjectNode) n).deepCopy();
      copy.remove("type");
      return JSON.treeToValue(copy, CutWriter.Part.class);
    } catch (Exception e) {
      throw new IllegalArgumentException("bad part message: " + n, e);
    }
  }
}
