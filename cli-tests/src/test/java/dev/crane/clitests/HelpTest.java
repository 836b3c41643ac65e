package dev.crane.clitests;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code --help} of every command of every jar: the usage on stdout, nothing else, exit 0. */
class HelpTest {
  @TempDir Path dir;

  static Stream<Arguments> commands() {
    return Stream.of(
        Arguments.of(Jar.INGEST, new String[] {}),
        Arguments.of(Jar.INGEST, new String[] {"dataset"}),
        Arguments.of(Jar.INGEST, new String[] {"synthetic"}),
        Arguments.of(Jar.STREAM_PROCESSOR, new String[] {}),
        Arguments.of(Jar.TRAINER, new String[] {}),
        Arguments.of(Jar.TRAINER, new String[] {"train"}),
        Arguments.of(Jar.TRAINER, new String[] {"bench"}),
        Arguments.of(Jar.TRAINER, new String[] {"bench-steps"}),
        Arguments.of(Jar.TRAINER, new String[] {"bench-breakdown"}),
        Arguments.of(Jar.TRAINER, new String[] {"serve"}),
        Arguments.of(Jar.TRAINER, new String[] {"retrain"}),
        Arguments.of(Jar.TRAINER, new String[] {"publish"}),
        Arguments.of(Jar.TRAINER, new String[] {"status"}),
        Arguments.of(Jar.STANDALONE, new String[] {}),
        Arguments.of(Jar.RECOMMENDER_API, new String[] {}),
        Arguments.of(Jar.RECOMMENDER_API, new String[] {"serve"}),
        Arguments.of(Jar.RECOMMENDER_API, new String[] {"load"}),
        Arguments.of(Jar.RECOMMENDER_API, new String[] {"bench"}),
        Arguments.of(Jar.RECOMMENDER_API, new String[] {"bench-kernel"}));
  }

  @ParameterizedTest(name = "{0} {1} --help")
  @MethodSource("commands")
  void printsTheUsageAndExitsZero(Jar jar, String[] command) throws Exception {
    String[] args = Stream.concat(Stream.of(command), Stream.of("--help")).toArray(String[]::new);
    Jar.Run r = jar.run(dir, Duration.ofSeconds(60), args);
    assertThat(r.exit()).as(r.both()).isZero();
    assertThat(r.out()).as(r.both()).startsWith("Usage: ").contains("--help");
    assertThat(r.err()).as(r.both()).isEmpty();
    // trainer train --help ends with the reference of every setting (name, type, rule, default, meaning)
    boolean settingsReference = jar == Jar.TRAINER && command.length == 1 && command[0].equals("train");
    Output.assertQuiet(r, settingsReference ? 160 : 80);
  }
}
