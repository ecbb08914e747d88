package dev.raftkv.raft.snapshot;

import dev.raftkv.raft.ClusterConfig;
import dev.raftkv.raft.SnapshotMeta;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What {@code manifest.json} says about a snapshot: the {@link SnapshotMeta} plus the size and CRC32C
 * of the {@code data} file, so a damaged snapshot is noticed before it is restored.
 */
record SnapshotManifest(long index, long term, List<String> voters, List<String> learners, List<String> endpoints,
                        long size, long crc32c) {

    static SnapshotManifest of(SnapshotMeta meta, long size, long crc32c) {
        List<String> endpoints = new ArrayList<>();
        meta.config().endpoints().forEach((id, endpoint) -> endpoints.add(id + "=" + endpoint));
        return new SnapshotManifest(meta.index(), meta.term(), List.copyOf(meta.config().voters()),
                List.copyOf(meta.config().learners()), List.copyOf(endpoints), size, crc32c);
    }

    /** @throws IllegalArgumentException if the membership is impossible */
    SnapshotMeta meta() {
        if (voters.isEmpty()) throw new IllegalArgumentException("no voters");
        Map<String, String> ends = new TreeMap<>();
        for (String e : endpoints) {
            int eq = e.indexOf('='); // ids never hold '=' (ID=ADDRESS is how peers are named)
            if (eq <= 0) throw new IllegalArgumentException("endpoint entry '" + e + "' is not ID=ENDPOINT");
            ends.put(e.substring(0, eq), e.substring(eq + 1));
        }
        return new SnapshotMeta(index, term, new ClusterConfig(Set.copyOf(voters), Set.copyOf(learners), ends));
    }

    String toJson() {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("index", index);
        fields.put("term", term);
        fields.put("voters", voters);
        fields.put("learners", learners);
        fields.put("endpoints", endpoints);
        fields.put("size", size);
        fields.put("crc32c", crc32c);
        return FlatJson.write(fields);
    }

    /** @throws IllegalArgumentException if the text is not a whole manifest */
    static SnapshotManifest parse(String json) {
        Map<String, Object> f = FlatJson.read(json);
        return new SnapshotManifest(number(f, "index"), number(f, "term"), strings(f, "voters"), strings(f, "learners"),
                f.containsKey("endpoints") ? strings(f, "endpoints") : List.of(), number(f, "size"), number(f, "crc32c"));
    }

    private static long number(Map<String, Object> fields, String key) {
        if (fields.get(key) instanceof Long n) return n;
        throw new IllegalArgumentException("manifest field \"" + key + "\" missing or not an integer");
    }

    private static List<String> strings(Map<String, Object> fields, String key) {
        if (!(fields.get(key) instanceof List<?> list)) {
            throw new IllegalArgumentException("manifest field \"" + key + "\" missing or not an array");
        }
        List<String> out = new ArrayList<>();
        for (Object o : list) out.add((String) o);
        return List.copyOf(out);
    }
}
