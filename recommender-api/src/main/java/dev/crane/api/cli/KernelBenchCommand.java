package dev.crane.api.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.crane.api.bench.KernelBenchmark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The exact scan's kernels alone (docs/benchmarks.md): what a query costs the service before any transport. */
@Command(name = "bench-kernel", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Time the exact scan's float pass and int8 first pass over a random catalog, one query alone and "
        + "in passes of 2, 4 and 8, with the matrix in cache and evicted before each pass, interleaved in rounds. "
        + "Prints the figures and writes them as JSON. Run it alone on a quiet machine (about a minute).")
public final class KernelBenchCommand implements Callable<Integer> {
  @Option(names = "--out", defaultValue = "docs/bench/api-kernel.json", description = "JSON file (default ${DEFAULT-VALUE}).")
  Path out;

  @Option(names = "--rows", defaultValue = "63000", description = "Catalog items (default ${DEFAULT-VALUE}).")
  int rows;

  @Option(names = "--dim", defaultValue = "64", description = "Embedding dimension (default ${DEFAULT-VALUE}).")
  int dim;

  @Option(names = "--rounds", defaultValue = "7", description = "Rounds; the median round is reported (default ${DEFAULT-VALUE}).")
  int rounds;

  @Option(names = "--passes", defaultValue = "100", description = "Passes per configuration and round (default ${DEFAULT-VALUE}).")
  int passes;

  @Override
  public Integer call() throws Exception {
    String command = "java --add-modules jdk.incubator.vector -jar recommender-api/target/recommender-api.jar bench-kernel"
        + " --rows " + rows + " --dim " + dim + " --rounds " + rounds + " --passes " + passes + " --out " + out;
    Map<String, Object> figures = new KernelBenchmark(new KernelBenchmark.Options(rows, dim, rounds, passes, command))
        .run(System.out::println);
    figures.forEach((k, v) -> System.out.println(k + " = " + v));
    Path parent = out.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.toFile(), figures);
    System.out.println("wrote " + out);
    return 0;
  }
}
