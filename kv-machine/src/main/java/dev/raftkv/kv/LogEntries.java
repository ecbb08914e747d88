package dev.raftkv.kv;

import dev.raftkv.raft.InjectedBug;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The log entries a command is proposed as: always one, so that a transaction is atomic, except under the
 * injected bug {@link InjectedBug#TXN_NOT_ATOMIC}, the control that shows the simulator's bank check catching
 * a transaction that is not.
 */
public final class LogEntries {
    private LogEntries() {
    }

    public static List<KvCommand> of(KvCommand c, Set<InjectedBug> bugs) {
        if (!(c instanceof KvCommand.Txn t) || !bugs.contains(InjectedBug.TXN_NOT_ATOMIC)) return List.of(c);
        List<KvCommand> split = new ArrayList<>();
        int n = Math.max(t.success().size(), t.failure().size());
        for (int i = 0; i < n; i++) {
            List<TxnOp> success = i < t.success().size() ? List.of(t.success().get(i)) : List.of();
            List<TxnOp> failure = i < t.failure().size() ? List.of(t.failure().get(i)) : List.of();
            // the pieces are not de-duplicated: under one (client id, seq) the second would be a retry of the first
            split.add(new KvCommand.Txn("", 0, t.compares(), success, failure));
        }
        return split.isEmpty() ? List.of(c) : split;
    }
}
