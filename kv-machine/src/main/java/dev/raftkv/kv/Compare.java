package dev.raftkv.kv;

import dev.raftkv.kv.store.Versioned;

import java.util.Arrays;

/**
 * One condition of a transaction: a field of a key's current state against a constant. An absent key has
 * version, create and mod revision 0 and does not exist; its value compares false whatever the relation
 * (ask {@link Target#EXISTS} about absence). Values compare as unsigned bytes.
 */
public record Compare(String key, Target target, Relation relation, byte[] value, long number) {
    public enum Target { VALUE, VERSION, CREATE_REVISION, MOD_REVISION, EXISTS }

    public enum Relation { EQUAL, NOT_EQUAL, LESS, GREATER }

    public Compare {
        if (key == null || target == null || relation == null) throw new IllegalArgumentException("a compare needs a key, a target and a relation");
        if ((target == Target.VALUE) != (value != null)) {
            throw new IllegalArgumentException("a compare of " + target + " takes " + (target == Target.VALUE ? "a value" : "a number"));
        }
    }

    public static Compare value(String key, Relation relation, byte[] value) {
        return new Compare(key, Target.VALUE, relation, value, 0);
    }

    public static Compare number(String key, Target target, Relation relation, long number) {
        return new Compare(key, target, relation, null, number);
    }

    public static Compare exists(String key, boolean exists) {
        return number(key, Target.EXISTS, Relation.EQUAL, exists ? 1 : 0);
    }

    /** Whether the condition holds of {@code current} (null: the key is absent). */
    public boolean holds(Versioned current) {
        int c;
        switch (target) {
            case VALUE -> {
                if (current == null) return false;
                c = Arrays.compareUnsigned(current.value(), value);
            }
            case VERSION -> c = Long.compare(current == null ? 0 : current.version(), number);
            case CREATE_REVISION -> c = Long.compare(current == null ? 0 : current.createRevision(), number);
            case MOD_REVISION -> c = Long.compare(current == null ? 0 : current.modRevision(), number);
            default -> c = Long.compare(current == null ? 0 : 1, number);
        }
        return switch (relation) {
            case EQUAL -> c == 0;
            case NOT_EQUAL -> c != 0;
            case LESS -> c < 0;
            case GREATER -> c > 0;
        };
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Compare x && key.equals(x.key) && target == x.target && relation == x.relation
                && Arrays.equals(value, x.value) && number == x.number;
    }

    @Override
    public int hashCode() {
        return (key.hashCode() * 31 + target.hashCode()) * 31 + Arrays.hashCode(value) + Long.hashCode(number);
    }
}
