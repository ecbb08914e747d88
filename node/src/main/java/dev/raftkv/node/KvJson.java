package dev.raftkv.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.raftkv.kv.Compare;
import dev.raftkv.kv.KeyRange;
import dev.raftkv.kv.KvLimits;
import dev.raftkv.kv.KvQuery;
import dev.raftkv.kv.KvResult;
import dev.raftkv.kv.TxnOp;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The HTTP API's words for ranges and transactions (README, "HTTP API"): query parameters and JSON bodies
 * into {@link KeyRange}s, {@link KvQuery}s and transactions, and their results into JSON. A value is a JSON
 * string when its bytes are UTF-8 and {@code valueBase64} otherwise. Bad input is a 400 that says what is wrong.
 */
final class KvJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private KvJson() {
    }

    /** A transaction's three lists, as the body gave them. */
    record Txn(List<Compare> compares, List<TxnOp> success, List<TxnOp> failure) {
    }

    // ---------------------------------------------------------------- ranges from query parameters

    /**
     * {@code prefix=P}, or {@code start=A} with an optional exclusive {@code end=B}; with a prefix, {@code start}
     * (a page's {@code next}) moves the start within it. No range at all is every key when {@code everything}.
     */
    static KeyRange range(RequestTarget t, boolean everything) {
        String prefix = t.parameter("prefix");
        String start = t.parameter("start");
        String end = t.parameter("end");
        if (prefix != null) {
            if (end != null) throw bad("give either prefix or end, not both");
            KeyRange r = KeyRange.prefix(prefix);
            if (start == null) return r;
            byte[] from = start.getBytes(StandardCharsets.UTF_8);
            if (!r.contains(from)) throw bad("start '" + start + "' does not begin with the prefix '" + prefix + "'");
            return r.from(from);
        }
        if (start != null) return KeyRange.between(start, end);
        if (end != null) return KeyRange.between("", end);
        if (everything) return KeyRange.prefix("");
        throw bad("name the keys: prefix=P, or start=A (and end=B, exclusive); prefix= (empty) is every key");
    }

    static KvQuery.Range rangeQuery(RequestTarget t) {
        return new KvQuery.Range(range(t, true), integer(t, "limit", KvLimits.MAX_PAGE_KEYS),
                bool(t, "keysOnly"), bool(t, "count"));
    }

    private static int integer(RequestTarget t, String name, int otherwise) {
        String v = t.parameter(name);
        if (v == null) return otherwise;
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw bad(name + " must be a whole number, got '" + v + "'");
        }
    }

    private static boolean bool(RequestTarget t, String name) {
        String v = t.parameter(name);
        if (v == null || v.equals("false")) return false;
        if (v.equals("true") || v.isEmpty()) return true;
        throw bad(name + " must be true or false, got '" + v + "'");
    }

    // ---------------------------------------------------------------- results into JSON

    /** {@code {"revision","kvs":[...],"more","next"}}: {@code next} is the {@code start} of the following page. */
    static ObjectNode page(KvResult.Page p) {
        ObjectNode out = JSON.createObjectNode().put("revision", p.revision());
        ArrayNode kvs = out.putArray("kvs");
        for (KvResult.Item i : p.items()) kvs.add(item(i));
        out.put("more", p.next() != null);
        if (p.next() == null) out.putNull("next");
        else out.put("next", new String(p.next(), StandardCharsets.UTF_8));
        return out;
    }

    static ObjectNode item(KvResult.Item i) {
        ObjectNode o = JSON.createObjectNode().put("key", new String(i.key(), StandardCharsets.UTF_8));
        if (i.value() != null) putValue(o, i.value());
        return o.put("createRevision", i.createRevision()).put("modRevision", i.modRevision()).put("version", i.version());
    }

    static ObjectNode count(KvResult.Count c) {
        return JSON.createObjectNode().put("revision", c.revision()).put("count", c.count());
    }

    static ObjectNode txnDone(KvResult.TxnDone t) {
        ObjectNode out = JSON.createObjectNode().put("succeeded", t.succeeded()).put("revision", t.revision());
        ArrayNode results = out.putArray("results");
        for (KvResult r : t.results()) results.add(opResult(r));
        return out;
    }

    private static ObjectNode opResult(KvResult r) {
        ObjectNode o = JSON.createObjectNode();
        if (r instanceof KvResult.Written w) {
            o.putObject("put").put("revision", w.index());
        } else if (r instanceof KvResult.Deleted d) {
            o.putObject("delete").put("deleted", d.existed());
        } else if (r instanceof KvResult.DeletedRange d) {
            o.putObject("deleteRange").put("deleted", d.count());
        } else if (r instanceof KvResult.Value v) {
            ObjectNode get = o.putObject("get");
            if (v.value() == null) get.putNull("value");
            else putValue(get, v.value());
        } else {
            o.set("range", page((KvResult.Page) r));
        }
        return o;
    }

    private static void putValue(ObjectNode o, byte[] value) {
        try {
            String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(value)).toString();
            o.put("value", text);
        } catch (CharacterCodingException e) {
            o.put("valueBase64", Base64.getEncoder().encodeToString(value));
        }
    }

    // ---------------------------------------------------------------- a transaction from JSON

    private static final String TXN_SHAPE = "the body must be JSON {\"compare\":[...],\"success\":[...],\"failure\":[...]} (README, \"Transactions\")";
    private static final Map<String, Compare.Target> TARGETS = Map.of("value", Compare.Target.VALUE,
            "version", Compare.Target.VERSION, "createRevision", Compare.Target.CREATE_REVISION,
            "modRevision", Compare.Target.MOD_REVISION, "exists", Compare.Target.EXISTS);
    private static final Map<String, Compare.Relation> RELATIONS = Map.of("=", Compare.Relation.EQUAL,
            "!=", Compare.Relation.NOT_EQUAL, "<", Compare.Relation.LESS, ">", Compare.Relation.GREATER);

    static Txn txn(byte[] body) {
        JsonNode json;
        try {
            json = JSON.readTree(body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw bad(TXN_SHAPE + ": " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw bad(TXN_SHAPE);
        }
        if (json == null || !json.isObject()) throw bad(TXN_SHAPE);
        only(json, "the transaction", "compare", "success", "failure");
        List<Compare> compares = new ArrayList<>();
        for (JsonNode c : list(json, "compare")) compares.add(compare(c));
        return new Txn(compares, ops(list(json, "success"), "success"), ops(list(json, "failure"), "failure"));
    }

    private static List<JsonNode> list(JsonNode json, String field) {
        JsonNode n = json.get(field);
        if (n == null || n.isNull()) return List.of();
        if (!n.isArray()) throw bad("\"" + field + "\" must be a list");
        List<JsonNode> out = new ArrayList<>();
        n.forEach(out::add);
        return out;
    }

    private static Compare compare(JsonNode c) {
        if (!c.isObject()) throw bad("each compare is an object {\"key\",\"target\",\"op\",\"value\"|\"number\"}");
        only(c, "a compare", "key", "target", "op", "value", "number");
        String key = text(c, "key", "a compare");
        String targetName = c.has("target") ? text(c, "target", "a compare") : "value";
        Compare.Target target = TARGETS.get(targetName);
        if (target == null) throw bad("compare target '" + targetName + "' is not one of " + new java.util.TreeSet<>(TARGETS.keySet()));
        String op = c.has("op") ? text(c, "op", "a compare") : "=";
        Compare.Relation relation = RELATIONS.get(op);
        if (relation == null) throw bad("compare op '" + op + "' is not one of =, !=, <, >");
        return switch (target) {
            case VALUE -> Compare.value(key, relation, text(c, "value", "a compare of the value").getBytes(StandardCharsets.UTF_8));
            case EXISTS -> {
                JsonNode v = c.get("value");
                if (v == null || !v.isBoolean()) throw bad("a compare of exists takes \"value\": true or false");
                yield Compare.number(key, target, relation, v.asBoolean() ? 1 : 0);
            }
            default -> {
                JsonNode n = c.get("number");
                if (n == null || !n.canConvertToLong() || !n.isIntegralNumber()) {
                    throw bad("a compare of " + targetName + " takes \"number\": a whole number");
                }
                yield Compare.number(key, target, relation, n.asLong());
            }
        };
    }

    private static List<TxnOp> ops(List<JsonNode> nodes, String branch) {
        List<TxnOp> ops = new ArrayList<>();
        for (JsonNode n : nodes) {
            if (!n.isObject() || n.size() != 1) {
                throw bad("each operation of \"" + branch + "\" is an object with one of put, delete, deleteRange, get, range");
            }
            Map.Entry<String, JsonNode> e = n.fields().next();
            JsonNode a = e.getValue();
            if (!a.isObject()) throw bad("\"" + e.getKey() + "\" takes an object");
            ops.add(switch (e.getKey()) {
                case "put" -> {
                    only(a, "put", "key", "value");
                    yield new TxnOp.Put(text(a, "key", "put"), text(a, "value", "put").getBytes(StandardCharsets.UTF_8));
                }
                case "delete" -> {
                    only(a, "delete", "key");
                    yield new TxnOp.Delete(text(a, "key", "delete"));
                }
                case "get" -> {
                    only(a, "get", "key");
                    yield new TxnOp.Get(text(a, "key", "get"));
                }
                case "deleteRange" -> {
                    only(a, "deleteRange", "prefix", "start", "end");
                    yield new TxnOp.DeleteRange(bodyRange(a, "deleteRange"));
                }
                case "range" -> {
                    only(a, "range", "prefix", "start", "end", "limit", "keysOnly");
                    JsonNode limit = a.get("limit");
                    if (limit != null && !limit.isInt()) throw bad("range's limit must be a whole number");
                    JsonNode keysOnly = a.get("keysOnly");
                    if (keysOnly != null && !keysOnly.isBoolean()) throw bad("range's keysOnly must be true or false");
                    yield new TxnOp.Range(bodyRange(a, "range"), limit == null ? KvLimits.MAX_PAGE_KEYS : limit.asInt(),
                            keysOnly != null && keysOnly.asBoolean());
                }
                default -> throw bad("unknown operation '" + e.getKey() + "' in \"" + branch + "\": put, delete, deleteRange, get or range");
            });
        }
        return ops;
    }

    private static KeyRange bodyRange(JsonNode a, String what) {
        boolean prefix = a.has("prefix");
        if (prefix == a.has("start") || (prefix && a.has("end"))) {
            throw bad(what + " takes either \"prefix\", or \"start\" and an optional exclusive \"end\"");
        }
        if (prefix) return KeyRange.prefix(text(a, "prefix", what));
        return KeyRange.between(text(a, "start", what), a.has("end") ? text(a, "end", what) : null);
    }

    private static String text(JsonNode o, String field, String what) {
        JsonNode n = o.get(field);
        if (n == null || !n.isTextual()) throw bad(what + " needs \"" + field + "\": a string");
        return n.asText();
    }

    /** A field we do not know is a mistake the caller should hear about, not one we silently ignore. */
    private static void only(JsonNode o, String what, String... fields) {
        for (Iterator<String> names = o.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!Arrays.asList(fields).contains(name)) throw bad(what + " has an unknown field \"" + name + "\" (known: " + String.join(", ", fields) + ")");
        }
    }

    private static RequestException bad(String message) {
        return new RequestException(400, "bad_request", message);
    }
}
