package dev.raftkv.raft.snapshot;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Just enough JSON for the snapshot manifest: one object whose values are integers, strings, arrays of
 * strings, or arrays of flat objects (of integers and strings: the manifest's file list). raft-core depends on nothing but the JDK and SLF4J, so it cannot use Jackson
 * (DESIGN.md names Jackson for the manifest); the manifest is small and fixed, and this keeps it
 * readable by any JSON tool all the same.
 */
final class FlatJson {
    private final String text;
    private int pos;

    private FlatJson(String text) {
        this.text = text;
    }

    /** Values must be Long/Integer, String, or a List of String or of Map (whose values are Long/Integer or String); keys keep their order. */
    static String write(Map<String, ?> fields) {
        return object(new StringBuilder(), fields, true).append('\n').toString();
    }

    private static StringBuilder object(StringBuilder out, Map<String, ?> fields, boolean top) {
        out.append('{');
        boolean first = true;
        for (var f : fields.entrySet()) {
            if (!first) out.append(',');
            first = false;
            string(out, f.getKey()).append(':');
            Object v = f.getValue();
            if (v instanceof Long || v instanceof Integer) {
                out.append(v);
            } else if (v instanceof String s) {
                string(out, s);
            } else if (top && v instanceof List<?> list) {
                out.append('[');
                for (int i = 0; i < list.size(); i++) {
                    if (i > 0) out.append(',');
                    if (list.get(i) instanceof Map<?, ?> m) object(out, cast(m), false);
                    else string(out, (String) list.get(i));
                }
                out.append(']');
            } else {
                throw new IllegalArgumentException("cannot write " + v);
            }
        }
        return out.append('}');
    }

    @SuppressWarnings("unchecked")
    private static Map<String, ?> cast(Map<?, ?> m) {
        return (Map<String, ?>) m;
    }

    /**
     * Reads an object {@link #write} could have written: values come back as Long, String, or a List of
     * String or of Map (of Long and String).
     *
     * @throws IllegalArgumentException saying where the text stops making sense
     */
    static Map<String, Object> read(String text) {
        FlatJson p = new FlatJson(text);
        Map<String, Object> fields = p.object(true);
        p.skipSpace();
        if (p.pos != text.length()) throw p.error("text after the object");
        return fields;
    }

    private Map<String, Object> object(boolean top) {
        Map<String, Object> fields = new LinkedHashMap<>();
        expect('{');
        if (peek() == '}') {
            pos++;
            return fields;
        }
        do {
            String key = string();
            expect(':');
            if (fields.put(key, value(top)) != null) throw error("duplicate key " + key);
        } while (comma('}'));
        return fields;
    }

    private Object value(boolean top) {
        char c = peek();
        if (c == '"') return string();
        if (c == '[' && top) {
            pos++;
            List<Object> list = new ArrayList<>();
            if (peek() == ']') {
                pos++;
                return list;
            }
            do {
                list.add(peek() == '{' ? object(false) : string());
            } while (comma(']'));
            return list;
        }
        if (c == '-' || (c >= '0' && c <= '9')) return number();
        throw error("expected a string, an array or an integer");
    }

    /** After an element: true if a comma follows (more to come), false if {@code close} ends the list. */
    private boolean comma(char close) {
        char c = peek();
        pos++;
        if (c == ',') return true;
        if (c == close) return false;
        pos--;
        throw error("expected ',' or '" + close + "'");
    }

    private long number() {
        int start = pos;
        if (text.charAt(pos) == '-') pos++;
        while (pos < text.length() && Character.isDigit(text.charAt(pos))) pos++;
        try {
            return Long.parseLong(text.substring(start, pos));
        } catch (NumberFormatException e) {
            throw error("bad integer");
        }
    }

    private String string() {
        expect('"');
        StringBuilder s = new StringBuilder();
        while (true) {
            if (pos >= text.length()) throw error("unterminated string");
            char c = text.charAt(pos++);
            if (c == '"') return s.toString();
            if (c != '\\') {
                s.append(c);
                continue;
            }
            if (pos >= text.length()) throw error("unterminated escape");
            char e = text.charAt(pos++);
            switch (e) {
                case '"', '\\', '/' -> s.append(e);
                case 'b' -> s.append('\b');
                case 'f' -> s.append('\f');
                case 'n' -> s.append('\n');
                case 'r' -> s.append('\r');
                case 't' -> s.append('\t');
                case 'u' -> {
                    if (pos + 4 > text.length()) throw error("short \\u escape");
                    try {
                        s.append((char) Integer.parseInt(text.substring(pos, pos + 4), 16));
                    } catch (NumberFormatException ex) {
                        throw error("bad \\u escape");
                    }
                    pos += 4;
                }
                default -> throw error("bad escape \\" + e);
            }
        }
    }

    private static StringBuilder string(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') out.append('\\').append(c);
            else if (c < 0x20) out.append(String.format("\\u%04x", (int) c));
            else out.append(c);
        }
        return out.append('"');
    }

    private void expect(char c) {
        if (peek() != c) throw error("expected '" + c + "'");
        pos++;
    }

    /** The next character that is not white space (the position moves to it), or 0 at the end. */
    private char peek() {
        skipSpace();
        return pos < text.length() ? text.charAt(pos) : 0;
    }

    private void skipSpace() {
        while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) pos++;
    }

    private IllegalArgumentException error(String what) {
        return new IllegalArgumentException(what + " at character " + pos);
    }
}
