package dev.crane.trainer.config;

import java.util.List;
import java.util.Locale;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One row of {@link TrainSettings}' table: a setting's name (as in {@code --set name=value}, the service's
 * {@code train.<name>} keys and the JSON files), its type, default, rule and documentation, and the
 * accessor and builder method that carry its value.
 */
public final class Setting<T> {
  private final String name;
  private final Type<T> type;
  private final T defaultValue;
  private final Rule<? super T> rule;
  private final String doc;
  private final Function<TrainConfig, T> read;
  private final BiConsumer<TrainConfig.Builder, T> write;

  Setting(String name, Type<T> type, T defaultValue, Rule<? super T> rule, String doc,
      Function<TrainConfig, T> read, BiConsumer<TrainConfig.Builder, T> write) {
    this.name = name;
    this.type = type;
    this.defaultValue = defaultValue;
    this.rule = rule;
    this.doc = doc;
    this.read = read;
    this.write = write;
  }

  public String name() {
    return name;
  }

  public T defaultValue() {
    return defaultValue;
  }

  public String doc() {
    return doc;
  }

  /** What a value must be: "an int >= 1", "a float in [0, 1)", "one of items, modalities". */
  public String expected() {
    return rule.text().isEmpty() ? type.description() : type.description() + " " + rule.text();
  }

  /**
   * The value of {@code raw}, checked against the rule.
   *
   * @throws IllegalArgumentException naming the setting, the value and what was expected
   */
  public T parse(String raw) {
    T v;
    try {
      v = type.parse().apply(raw.trim());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("setting " + name + ": '" + raw + "' is not " + expected(), e);
    }
    String p = problem(v, raw.trim());
    if (p != null) {
      throw new IllegalArgumentException(p);
    }
    return v;
  }

  /** A message naming the setting and the value (as {@code shown}) when it breaks the rule, else null. */
  private String problem(T value, String shown) {
    if (value == null) {
      return "setting " + name + ": no value (expected " + expected() + ")";
    }
    return rule.test().test(value) ? null
        : "setting " + name + ": " + shown + " is out of range (expected " + expected() + ")";
  }

  /** {@link #problem} of this setting's value in {@code c}. */
  String problemOf(TrainConfig c) {
    T v = read.apply(c);
    return problem(v, v == null ? "null" : type.format().apply(v));
  }

  T get(TrainConfig c) {
    return read.apply(c);
  }

  void set(TrainConfig.Builder b, T value) {
    write.accept(b, value);
  }

  /** Parses and checks {@code raw}, then stores it in the builder. */
  void apply(TrainConfig.Builder b, String raw) {
    write.accept(b, parse(raw));
  }

  void reset(TrainConfig.Builder b) {
    write.accept(b, defaultValue);
  }

  /** One line for --help: name, type and rule, default, documentation. */
  public String describe() {
    return name + " (" + expected() + ", default " + type.format().apply(defaultValue) + "): " + doc;
  }

  /** How a setting's text becomes its value; {@code parse} throws IllegalArgumentException on bad text. */
  record Type<T>(String description, Function<String, T> parse, Function<T, String> format) {
    static final Type<Integer> INT = new Type<>("an int", Integer::parseInt, String::valueOf);
    static final Type<Long> LONG = new Type<>("a long", Long::parseLong, String::valueOf);
    static final Type<Float> FLOAT = new Type<>("a finite float", Type::finiteFloat, String::valueOf);
    static final Type<Boolean> BOOLEAN = new Type<>("true or false", Type::bool, String::valueOf);
    static final Type<String> STRING = new Type<>("a string", s -> s, s -> "'" + s + "'");
    static final Type<Model> MODEL = new Type<>("one of " + String.join(", ", Model.names()), Model::parse,
        Model::cliName);
    static final Type<AttentionAxis> AXIS = new Type<>("one of " + String.join(", ",
        List.of(AttentionAxis.values()).stream().map(a -> a.name().toLowerCase(Locale.ROOT)).toList()),
        AttentionAxis::parse, a -> a.name().toLowerCase(Locale.ROOT));

    private static float finiteFloat(String s) {
      float f = Float.parseFloat(s);
      if (!Float.isFinite(f)) {
        throw new NumberFormatException("not finite");
      }
      return f;
    }

    private static boolean bool(String s) {
      // strict: Boolean.parseBoolean reads every typo as false
      if (s.equalsIgnoreCase("true")) {
        return true;
      }
      if (s.equalsIgnoreCase("false")) {
        return false;
      }
      throw new NumberFormatException("not a boolean");
    }
  }

  /** A condition on a value, with its wording for messages ("" for any value). */
  record Rule<T>(String text, Predicate<T> test) {
    static <T> Rule<T> any() {
      return new Rule<>("", v -> true);
    }

    static Rule<Number> atLeast(double min) {
      return new Rule<>(">= " + num(min), v -> v.doubleValue() >= min);
    }

    static Rule<Number> above(double min) {
      return new Rule<>("> " + num(min), v -> v.doubleValue() > min);
    }

    /** [lo, hi]. */
    static Rule<Number> closed(double lo, double hi) {
      return new Rule<>("in [" + num(lo) + ", " + num(hi) + "]", v -> v.doubleValue() >= lo && v.doubleValue() <= hi);
    }

    /** [lo, hi). */
    static Rule<Number> halfOpen(double lo, double hi) {
      return new Rule<>("in [" + num(lo) + ", " + num(hi) + ")", v -> v.doubleValue() >= lo && v.doubleValue() < hi);
    }

    private static String num(double d) {
      return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
    }
  }
}
