package dev.crane.trainer.config;

import java.lang.reflect.Field;

/**
 * One {@link TrainConfig} field set by name, as {@code trainer train --set name=value}, the trainer
 * service's {@code train.<field>} keys and {@code trainer bench-steps --set} do.
 */
public final class TrainConfigSetter {
  private TrainConfigSetter() {}

  /** Sets a public TrainConfig field from "name=value". */
  public static void set(TrainConfig c, String assignment) {
    int eq = assignment.indexOf('=');
    if (eq <= 0) {
      throw new IllegalArgumentException("--set expects name=value, got '" + assignment + "'");
    }
    String name = assignment.substring(0, eq).trim();
    String value = assignment.substring(eq + 1).trim();
    try {
      Field f = TrainConfig.class.getField(name);
      Class<?> t = f.getType();
      if (t == int.class) f.setInt(c, Integer.parseInt(value));
      else if (t == long.class) f.setLong(c, Long.parseLong(value));
      else if (t == float.class) f.setFloat(c, Float.parseFloat(value));
      else if (t == boolean.class) {
        if (!value.equals("true") && !value.equals("false")) throw new NumberFormatException("not a boolean");
        f.setBoolean(c, Boolean.parseBoolean(value));
      } else f.set(c, value);
    } catch (NoSuchFieldException e) {
      throw new IllegalArgumentException("unknown setting '" + name + "'");
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("setting " + name + ": cannot parse '" + value + "'");
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(e);
    }
  }
}
