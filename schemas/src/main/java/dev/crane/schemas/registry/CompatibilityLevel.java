package dev.crane.schemas.registry;

/** Compatibility levels of the Confluent API (the project's rule is BACKWARD, see COMPATIBILITY.md). */
public enum CompatibilityLevel {
  NONE, BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE
}
