package dev.crane.api.cli;

import dev.crane.ops.cli.CliRunner;
import java.util.ArrayList;
import java.util.List;
import dev.crane.ops.cli.VerboseOption;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code recommender-api serve | load | bench | bench-kernel}. */
@Command(name = "recommender-api", mixinStandardHelpOptions = true,
    description = "gRPC top-k recommendations over the published model versions, with seen-item exclusion, "
        + "real-time fold-in of new interactions, cold-start items and hot version swaps.",
    subcommands = {ServeCommand.class, LoadCommand.class, BenchCommand.class, KernelBenchCommand.class})
public final class RecommenderApiCli {
  @Mixin VerboseOption verbose;

  public static void main(String[] args) {
    var cl = CliRunner.commandLine(new RecommenderApiCli());
    // serve's help lists every key with its default (ConfigLoader.KEYS is the one list of them).
    var usage = cl.getSubcommands().get("serve").getCommandSpec().usageMessage();
    List<String> footer = new ArrayList<>(List.of(usage.footer()));
    footer.addAll(List.of(ServeCommand.keyLines()));
    usage.footer(footer.toArray(String[]::new));
    System.exit(CliRunner.execute(cl, args));
  }
}
