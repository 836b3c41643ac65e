package dev.crane.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import picocli.CommandLine;

/**
 * The main job at a small size and what its output must show, shared by the run on the in-process
 * broker and the run on containers: ingest, the stream processor's snapshots, model versions 1 and 2,
 * the API's replies before and after fold-in.
 */
final class WalkthroughRun {
  private WalkthroughRun() {}

  /** Runs the main job with the small settings plus {@code extra}; returns its output after asserting exit 0. */
  static String run(String... extra) {
    StringWriter out = new StringWriter();
    CommandLine cli = new CommandLine(new CraneMain());
    cli.setOut(new PrintWriter(out, true));
    // A failing run's stack trace goes to err: keep it in the assertion message.
    cli.setErr(new PrintWriter(out, true));
    String[] args = Stream.concat(Stream.of("--users", "150", "--items", "60", "--modalities", "visual:32,text:8",
        "--partitions", "2", "--model", "lightgcn", "--epochs", "3"), Arrays.stream(extra)).toArray(String[]::new);
    int code = cli.execute(args);
    String text = out.toString();
    assertThat(code).as(text).isZero();
    return text;
  }

  /** Asserts the counts, versions and changed recommendations that the run's output reports. */
  static void assertReported(String text) {
    Matcher generated = Pattern.compile("Generated synthetic dataset: 150 users, 60 items, ([\\d,]+) interactions")
        .matcher(text);
    assertThat(generated.find()).as(text).isTrue();
    String interactions = generated.group(1);
    assertThat(text).containsPattern("items\\s+60\\s+key=\\d+ \\{itemId=")
        // the generated interactions and the walkthrough's live ones
        .containsPattern("interactions\\s+" + String.format("%,d", Integer.parseInt(interactions.replace(",", "")) + live(text))
            + "\\s+key=")
        .containsPattern("dead-letters\\s+0")
        .contains("snapshot v1: 150 users, 60 items, " + interactions + " interactions")
        .containsPattern("model version 1 published after [\\d.]+ s: lightgcn, 150 users, 60 items, dim 64, trained from scratch")
        .containsPattern("Recommender API: serving version 1 on gRPC 127.0.0.1:\\d+")
        .containsPattern("user 1 \\[v1\\]: \\d+, \\d+, \\d+, \\d+, \\d+")
        .containsPattern("user 1 -> items \\d+, \\d+, \\d+")
        .containsPattern("user 1 \\[v1, folded in\\]: ")
        .containsPattern("snapshot v2: [\\d,]+ interactions \\(\\d new\\)")
        .containsPattern("(user 1 \\[v2\\]: |the candidate \\(version 2\\) was rejected by the gate)")
        .containsPattern("holdout Recall@20 0\\.\\d{4}")
        .containsPattern("user-embeddings\\s+(150|300)\\s+key=")
        .containsPattern("model-versions\\s+2\\s+key=");

    // The fold-in changed what the users who took items are recommended, and those items are excluded as seen.
    Map<String, List<String>> taken = lists(text, "user (\\d+) -> items ([\\d, ]+)");
    Map<String, List<String>> before = lists(text, "user (\\d+) \\[v1\\]: ([\\d*, ]+)");
    Map<String, List<String>> folded = lists(text, "user (\\d+) \\[v1, folded in\\]: ([\\d*, ]+)");
    assertThat(taken).as(text).isNotEmpty();
    assertThat(folded.keySet()).as(text).containsAll(taken.keySet());
    taken.forEach((user, items) -> assertThat(folded.get(user)).as("user %s after taking %s", user, items)
        .doesNotContainAnyElementsOf(items));
    assertThat(taken.keySet()).as(text).anyMatch(u -> !folded.get(u).equals(before.get(u)));
  }

  /** The live interactions the walkthrough printed ("user 1 -> items 36, 10, 30"). */
  private static int live(String text) {
    Matcher m = Pattern.compile("user \\d+ -> items ([\\d, ]+)").matcher(text);
    int n = 0;
    while (m.find()) {
      n += m.group(1).split(",").length;
    }
    return n;
  }

  /** user -> the item list of each line matching {@code regex} (group 1 the user, group 2 the items; "*" dropped). */
  private static Map<String, List<String>> lists(String text, String regex) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    Matcher m = Pattern.compile(regex).matcher(text);
    while (m.find()) {
      out.put(m.group(1), Arrays.stream(m.group(2).split(",")).map(s -> s.replace("*", "").trim())
          .filter(s -> !s.isEmpty()).toList());
    }
    return out;
  }
}
