package dev.raftkv.check;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Turns the point where the search got stuck into a short, readable window of the history. */
final class FailureReport {

    /** Ops finishing just before the stuck op matter because they set the state it should have seen. */
    private static final int PRECEDING = 3;
    private static final int MAX_LINES = 40;

    private FailureReport() {
    }

    static String explain(String key, RegisterHistory history, RegisterSearch.Result result) {
        int stuck = result.stuckOp();
        if (stuck < 0) {
            return "key " + Op.quote(key) + " is not linearizable";
        }
        Op x = history.ops.get(stuck);
        long from = history.invoke(stuck);
        long to = history.deadline(stuck);

        List<Integer> before = new ArrayList<>();
        List<Integer> window = new ArrayList<>();
        for (int op = 0; op < history.size(); op++) {
            if (end(history.ops.get(op)) < from) {
                before.add(op);
            } else if (history.invoke(op) <= to) {
                window.add(op);
            }
        }
        before.sort(Comparator.comparingLong((Integer op) -> end(history.ops.get(op))).reversed());
        window.addAll(before.subList(0, Math.min(PRECEDING, before.size())));
        window.sort(Comparator.<Integer>comparingLong(history::invoke).thenComparingLong(op -> end(history.ops.get(op))));

        StringBuilder sb = new StringBuilder();
        sb.append("key ").append(Op.quote(key)).append(" is not linearizable: no order of the ops explains the result of\n")
                .append("    ").append(x.describe()).append('\n')
                .append("together with everything that completed before it (on the deepest attempt the register held ")
                .append(history.valueName(result.stuckState())).append(" there).\n")
                .append("Ops overlapping it, and the last ").append(PRECEDING).append(" to complete before it began:\n");
        int lines = 0;
        for (int op : window) {
            if (lines++ == MAX_LINES) {
                sb.append("    ... ").append(window.size() - MAX_LINES).append(" more\n");
                break;
            }
            sb.append(op == stuck ? " >> " : "    ").append(history.ops.get(op).describe()).append('\n');
        }
        return sb.toString();
    }

    private static long end(Op op) {
        return op.isPending() ? Long.MAX_VALUE : op.complete();
    }
}
