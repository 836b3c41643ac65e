package dev.crane.stream.structure;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The stream processor's packages depend on each other in one direction only (config and codec at the bottom, topology on top). */
class PackageCyclesTest {
  @Test
  void packagesAreFreeOfCycles() {
    JavaClasses classes = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("dev.crane.stream");
    slices().matching("dev.crane.stream.(*)..").should().beFreeOfCycles().check(classes);
  }
}
