package dev.crane.clitests;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

/** What every role's output must look like to a person reading it. */
final class Output {
  private Output() {}

  /**
   * No DEBUG lines (the libraries log at WARN), no stack trace, no progress-bar carriage returns in
   * a file, and not more than {@code maxLines} lines in all.
   */
  static void assertQuiet(Jar.Run r, int maxLines) {
    assertQuiet(r.out() + r.err(), maxLines, r.both());
  }

  static void assertQuiet(String text, int maxLines, String context) {
    List<String> lines = text.lines().toList();
    assertThat(lines).as(context).noneMatch(l -> l.matches(".*\\bDEBUG\\b.*"));
    assertThat(lines).as(context).noneMatch(l -> l.startsWith("\tat ") || l.startsWith("Caused by:"));
    assertThat(text).as(context).doesNotContain("\r");
    assertThat(lines).as(context).hasSizeLessThanOrEqualTo(maxLines);
  }
}
