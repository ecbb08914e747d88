package dev.raftkv.cli;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

/** {@code raftkv status}'s table: one aligned row per member, a member that did not answer says why. */
final class MemberTable {
    private static final String[] HEADER = {"ID", "HTTP", "ROLE", "TERM", "LEADER", "COMMIT", "APPLIED"};
    private static final String[] FIELDS = {"id", "http", "role", "term", "leader", "commitIndex", "appliedIndex"};

    private MemberTable() {
    }

    static String render(JsonNode rows) {
        List<String[]> lines = new ArrayList<>();
        lines.add(HEADER);
        for (JsonNode row : rows) {
            String[] cells = new String[FIELDS.length];
            for (int i = 0; i < FIELDS.length; i++) {
                JsonNode v = row.get(FIELDS[i]);
                cells[i] = v == null || v.isNull() ? "-" : v.asText();
            }
            if (row.has("error")) cells[2] = row.get("error").asText();
            lines.add(cells);
        }
        int[] width = new int[HEADER.length];
        for (String[] l : lines) for (int i = 0; i < l.length; i++) width[i] = Math.max(width[i], l[i].length());
        StringBuilder sb = new StringBuilder();
        for (String[] l : lines) {
            for (int i = 0; i < l.length; i++) {
                sb.append(l[i]);
                if (i < l.length - 1) sb.append(" ".repeat(width[i] - l[i].length() + 2));
            }
            sb.append(System.lineSeparator());
        }
        return sb.toString();
    }
}
