package dev.crane.trainer.structure;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.dependencies.SliceRule;
import dev.crane.trainer.bench.TrainerBenchmark;
import dev.crane.trainer.cli.TrainerCli;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The trainer's packages depend on each other in one direction only. From the bottom: engine, data and
 * config; graph, loss and eval; model.core (the Recommender contract and its parameters), the CRANE
 * components (model.crane), the models (model); train (the loop, checkpoints, warm start); report,
 * publish and run (one whole training run); service; bench and cli on top.
 */
class PackageCyclesTest {
  private static JavaClasses classes;

  @BeforeAll
  static void importMainClasses() {
    classes = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("dev.crane.trainer");
  }

  /** Top-level packages, each with its sub-packages: model, model.core and model.crane are one slice here. */
  @Test
  void packagesAreFreeOfCycles() {
    withoutChildLaunch(slices().matching("dev.crane.trainer.(*)..").should().beFreeOfCycles()).check(classes);
  }

  /** Every package on its own, so that a sub-package and its parent (model.crane and model) depend one way too. */
  @Test
  void subPackagesAreFreeOfCycles() {
    withoutChildLaunch(slices().matching("dev.crane.trainer.(**)").should().beFreeOfCycles()).check(classes);
  }

  /**
   * The one exception: TrainerCli lists the bench commands among its subcommands, and TrainerBenchmark
   * starts each run as a child JVM whose main class is TrainerCli ({@code trainer train}). That is the
   * class's name on a command line, not a call into the cli package.
   */
  private static SliceRule withoutChildLaunch(SliceRule rule) {
    return rule.ignoreDependency(TrainerBenchmark.class, TrainerCli.class);
  }
}
