package dev.crane.trainer.config;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** The models the trainer trains, under the lower-case names the CLI, the service and the JSON files use. */
public enum Model {
  /** CRANE paper mode (crane-spec.md §3). */
  CRANE("crane"),
  /** CRANE reference mode: the published code's architecture. */
  CRANE_REF("crane-ref"),
  FREEDOM("freedom"),
  LIGHTGCN("lightgcn"),
  BPR("bpr");

  private final String cliName;

  Model(String cliName) {
    this.cliName = cliName;
  }

  /** The name on the command line, in {@code model=} keys and in checkpoint and metrics JSON. */
  @JsonValue
  public String cliName() {
    return cliName;
  }

  /** Whether the model needs item features (FREEDOM and both CRANE modes). */
  public boolean requiresFeatures() {
    return this != LIGHTGCN && this != BPR;
  }

  /** The CLI names, in declaration order. */
  public static List<String> names() {
    return Arrays.stream(values()).map(Model::cliName).toList();
  }

  /** From a CLI name, case-insensitive; an unknown name is refused with the list of valid ones. */
  public static Model parse(String s) {
    String name = s.trim().toLowerCase(Locale.ROOT);
    for (Model m : values()) {
      if (m.cliName.equals(name)) {
        return m;
      }
    }
    throw new IllegalArgumentException("unknown model '" + s + "'; expected one of " + String.join(", ", names()));
  }

  /** The CLI name, so that log lines and messages read as before the enum. */
  @Override
  public String toString() {
    return cliName;
  }
}
