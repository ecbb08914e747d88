package dev.raftkv.kv;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Sizes a request may have. Checked before a command reaches the log, so that an oversized one is
 * refused with a clear error instead of slowing every replica down.
 */
public record KvLimits(int maxKeyBytes, int maxValueBytes) {
    public static final KvLimits DEFAULT = new KvLimits(4 * 1024, 1024 * 1024);
    /**
     * The longest client id (UTF-8 bytes) a write may carry. Every id with a write in the de-duplication
     * window has an entry in the session table, so its length is bounded like a key's; KvClient's ids are
     * about 50 bytes. Not a per-node setting: every replica must agree on what was applied.
     */
    public static final int MAX_CLIENT_ID_BYTES = 128;
    /** The most keys one page of a range answers, and the default when a caller names no limit. */
    public static final int MAX_PAGE_KEYS = 1000;
    /**
     * The most bytes of keys and values one page answers (a page always holds at least one key, so a value
     * of the maximal size still comes back); the reads of one transaction share this budget.
     */
    public static final long MAX_PAGE_BYTES = 4L << 20;
    /** The most compares and operations one transaction may hold, both branches together (etcd's default is 128 too). */
    public static final int MAX_TXN_OPS = 128;

    public KvLimits {
        if (maxKeyBytes < 1 || maxValueBytes < 0) {
            throw new IllegalArgumentException("limits must be positive: key " + maxKeyBytes + ", value " + maxValueBytes);
        }
    }

    /** Why a request was refused: {@code tooLarge} requests get HTTP 413, the others 400. */
    public static final class Violation extends RuntimeException {
        private final boolean tooLarge;

        public Violation(String message, boolean tooLarge) {
            super(message);
            this.tooLarge = tooLarge;
        }

        public boolean tooLarge() {
            return tooLarge;
        }
    }

    public void checkKey(String key) {
        if (key == null || key.isEmpty()) throw new Violation("the key is empty", false);
        int bytes = key.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > maxKeyBytes) {
            throw new Violation("the key has " + bytes + " bytes; the limit is " + maxKeyBytes, true);
        }
        for (int i = 0; i < key.length(); i++) {
            if (Character.isISOControl(key.charAt(i))) {
                throw new Violation("the key contains a control character at position " + i, false);
            }
        }
    }

    public void checkValue(byte[] value) {
        if (value != null && value.length > maxValueBytes) {
            throw new Violation("the value has " + value.length + " bytes; the limit is " + maxValueBytes
                    + " (raise it with --max-value-bytes)", true);
        }
    }

    public void checkClientId(String clientId) {
        int bytes = clientId.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_CLIENT_ID_BYTES) {
            throw new Violation("the client id has " + bytes + " bytes; the limit is " + MAX_CLIENT_ID_BYTES, false);
        }
    }

    /** A range's bounds are keys, but for the byte a prefix's end adds, and may be empty (from the first key). */
    public void checkRange(KeyRange r) {
        int longest = Math.max(r.start().length, r.end() == null ? 0 : r.end().length);
        if (longest > maxKeyBytes + 1) {
            throw new Violation("a range bound has " + longest + " bytes; the limit is " + maxKeyBytes, true);
        }
    }

    public void checkPageLimit(int limit) {
        if (limit < 1 || limit > MAX_PAGE_KEYS) {
            throw new Violation("limit " + limit + " is out of range: 1 to " + MAX_PAGE_KEYS, false);
        }
    }

    public void check(KvCommand c) {
        checkClientId(c.clientId());
        if (c instanceof KvCommand.OnKey k) checkKey(k.key());
        if (c instanceof KvCommand.Put p) checkValue(p.value());
        if (c instanceof KvCommand.Cas cas) {
            checkValue(cas.expect());
            checkValue(cas.value());
        }
        if (c instanceof KvCommand.DeleteRange r) checkRange(r.range());
        if (c instanceof KvCommand.Txn t) checkTxn(t);
    }

    private void checkTxn(KvCommand.Txn t) {
        int ops = t.compares().size() + t.success().size() + t.failure().size();
        if (ops > MAX_TXN_OPS) {
            throw new Violation("the transaction has " + ops + " compares and operations; the limit is " + MAX_TXN_OPS, true);
        }
        for (Compare cmp : t.compares()) {
            checkKey(cmp.key());
            if (cmp.value() != null) checkValue(cmp.value());
        }
        for (TxnOp op : t.success()) checkOp(op);
        for (TxnOp op : t.failure()) checkOp(op);
        // a get is answered whole; ranges stop at the budget and say where to go on. So that the answer of either
        // branch stays within one page's bytes, its gets of the largest values must fit in that budget
        long gets = Math.max(gets(t.success()), gets(t.failure()));
        long mostGets = Math.max(1, MAX_PAGE_BYTES / Math.max(1, maxValueBytes));
        if (gets > mostGets) {
            throw new Violation("a branch of the transaction has " + gets + " gets; with values of up to " + maxValueBytes
                    + " bytes the limit is " + mostGets + " (" + MAX_PAGE_BYTES + " bytes of answer): read more keys with a range", true);
        }
        // one entry of the log carries it, and the transport is sized for the largest single-key command
        long bytes = KvCodec.encode(t).length;
        long max = KvCodec.maxCommandBytes(this);
        if (bytes > max) {
            throw new Violation("the transaction takes " + bytes + " bytes; the limit is " + max
                    + " (about two values of the largest size)", true);
        }
    }

    private static long gets(List<TxnOp> ops) {
        return ops.stream().filter(op -> op instanceof TxnOp.Get).count();
    }

    private void checkOp(TxnOp op) {
        if (op instanceof TxnOp.Put p) {
            checkKey(p.key());
            checkValue(p.value());
        } else if (op instanceof TxnOp.Delete d) {
            checkKey(d.key());
        } else if (op instanceof TxnOp.Get g) {
            checkKey(g.key());
        } else if (op instanceof TxnOp.DeleteRange r) {
            checkRange(r.range());
        } else {
            TxnOp.Range r = (TxnOp.Range) op;
            checkRange(r.range());
            checkPageLimit(r.limit());
        }
    }
}
