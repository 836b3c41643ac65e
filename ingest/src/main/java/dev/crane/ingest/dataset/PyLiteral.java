package dev.crane.ingest.dataset;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses the Python literal subset that .npy headers use: dicts, tuples, lists, quoted strings,
 * integers (a trailing L from Python 2 allowed), True, False, None. Maps to Map, List, String,
 * Long, Boolean and null. Errors are IllegalArgumentException with the character position.
 */
final class PyLiteral {
  private final String s;
  private int pos;

  private PyLiteral(String s) {
    this.s = s;
  }

  static Object parse(String text) {
    PyLiteral p = new PyLiteral(text);
    Object value = p.value();
    p.skipSpace();
    if (p.pos != text.length()) {
      throw p.error("unexpected text after the value");
    }
    return value;
  }

  private Object value() {
    skipSpace();
    if (pos >= s.length()) {
      throw error("unexpected end");
    }
    char c = s.charAt(pos);
    switch (c) {
      case '{':
        return dict();
      case '(':
        return sequence('(', ')');
      case '[':
        return sequence('[', ']');
      case '\'':
      case '"':
        return string(c);
      default:
        if (c == '-' || c == '+' || Character.isDigit(c)) {
          return integer();
        }
        return word();
    }
  }

  private Map<Object, Object> dict() {
    Map<Object, Object> map = new LinkedHashMap<>();
    pos++; // '{'
    while (true) {
      skipSpace();
      if (peek('}')) {
        pos++;
        return map;
      }
      Object key = value();
      skipSpace();
      expect(':');
      map.put(key, value());
      skipSpace();
      if (peek(',')) {
        pos++;
      } else if (!peek('}')) {
        throw error("expected ',' or '}'");
      }
    }
  }

  private List<Object> sequence(char open, char close) {
    List<Object> list = new ArrayList<>();
    pos++; // open
    while (true) {
      skipSpace();
      if (peek(close)) {
        pos++;
        return list;
      }
      list.add(value());
      skipSpace();
      if (peek(',')) {
        pos++;
      } else if (!peek(close)) {
        throw error("expected ',' or '" + close + "'");
      }
    }
  }

  private String string(char quote) {
    StringBuilder sb = new StringBuilder();
    pos++;
    while (pos < s.length()) {
      char c = s.charAt(pos++);
      if (c == quote) {
        return sb.toString();
      }
      if (c == '\\' && pos < s.length()) {
        c = s.charAt(pos++); // enough for headers: an escaped char stands for itself
      }
      sb.append(c);
    }
    throw error("unterminated string");
  }

  private Long integer() {
    int start = pos;
    if (peek('-') || peek('+')) {
      pos++;
    }
    while (pos < s.length() && Character.isDigit(s.charAt(pos))) {
      pos++;
    }
    String digits = s.substring(start, pos);
    if (peek('L') || peek('l')) {
      pos++;
    }
    try {
      return Long.parseLong(digits);
    } catch (NumberFormatException e) {
      throw error("bad integer '" + digits + "'");
    }
  }

  private Object word() {
    int start = pos;
    while (pos < s.length() && Character.isLetter(s.charAt(pos))) {
      pos++;
    }
    String w = s.substring(start, pos);
    switch (w) {
      case "True":
        return Boolean.TRUE;
      case "False":
        return Boolean.FALSE;
      case "None":
        return null;
      default:
        pos = start;
        throw error("unexpected '" + (w.isEmpty() ? String.valueOf(s.charAt(pos)) : w) + "'");
    }
  }

  private void skipSpace() {
    while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
      pos++;
    }
  }

  private boolean peek(char c) {
    return pos < s.length() && s.charAt(pos) == c;
  }

  private void expect(char c) {
    if (!peek(c)) {
      throw error("expected '" + c + "'");
    }
    pos++;
  }

  private IllegalArgumentException error(String what) {
    return new IllegalArgumentException(what + " at character " + pos + " of header " + s.strip());
  }
}
