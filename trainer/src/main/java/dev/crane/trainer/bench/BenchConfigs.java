package dev.crane.trainer.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The named configurations a benchmark can run, each as the {@code trainer train} arguments that
 * select it (model, axis, ablation flag). Per-model defaults (MMRec's configs, paper Table 3 for
 * CRANE) are applied by {@code trainer train} itself, so a benchmark run equals the printed command.
 */
public final class BenchConfigs {
  private BenchConfigs() {}

  private static final Map<String, List<String>> ARGS = new LinkedHashMap<>();

  static {
    ARGS.put("bpr", List.of("--model", "bpr"));
    ARGS.put("lightgcn", List.of("--model", "lightgcn"));
    ARGS.put("freedom", List.of("--model", "freedom"));
    ARGS.put("crane", List.of("--model", "crane"));
    // paper mode at reference mode's batch size (2048): the cost benchmark's like-for-like row
    ARGS.put("crane_batch2048", List.of("--model", "crane", "--set", "batchSize=2048"));
    ARGS.put("crane_ref_modalities", List.of("--model", "crane-ref", "--attention-axis", "modalities"));
    ARGS.put("crane_ref_items", List.of("--model", "crane-ref", "--attention-axis", "items"));
    // paper Table 5 ablations of paper mode
    ARGS.put("crane_no_item_graph", List.of("--model", "crane", "--set", "noItemGraph=true"));
    ARGS.put("crane_no_rca", List.of("--model", "crane", "--set", "noRecursion=true"));
    ARGS.put("crane_no_attention", List.of("--model", "crane", "--set", "noAttention=true"));
    ARGS.put("crane_no_gcn", List.of("--model", "crane", "--set", "noGcn=true"));
    ARGS.put("crane_no_cl", List.of("--model", "crane", "--set", "noContrastive=true"));
  }

  /** Shorthands accepted in a config list. */
  static final Map<String, List<String>> GROUPS = Map.of(
      "ablations", List.of("crane_no_item_graph", "crane_no_rca", "crane_no_attention", "crane_no_gcn", "crane_no_cl"),
      "crane_ref", List.of("crane_ref_modalities", "crane_ref_items"));

  public static List<String> names() {
    return List.copyOf(ARGS.keySet());
  }

  /** The names for picocli's {@code ${COMPLETION-CANDIDATES}}, so the help cannot drift from this table. */
  public static final class Names implements Iterable<String> {
    @Override
    public java.util.Iterator<String> iterator() {
      return names().iterator();
    }
  }

  /** @throws IllegalArgumentException for an unknown name */
  public static List<String> trainArgs(String name) {
    List<String> a = ARGS.get(name);
    if (a == null) {
      throw new IllegalArgumentException("unknown benchmark config '" + name + "'; known: " + ARGS.keySet()
          + " and the groups " + GROUPS.keySet());
    }
    return a;
  }

  /** Expands groups and checks every name, keeping the order given. */
  public static List<String> expand(List<String> names) {
    List<String> out = new ArrayList<>();
    for (String n : names) {
      for (String m : GROUPS.getOrDefault(n.trim(), List.of(n.trim()))) {
        trainArgs(m);
        if (!out.contains(m)) {
          out.add(m);
        }
      }
    }
    return out;
  }
}
