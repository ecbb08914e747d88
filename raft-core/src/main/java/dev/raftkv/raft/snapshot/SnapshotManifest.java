package dev.raftkv.raft.snapshot;

import dev.raftkv.raft.ClusterConfig;
import dev.raftkv.raft.SnapshotMeta;
import dev.raftkv.raft.server.Snapshot;
import dev.raftkv.raft.server.SnapshotFile;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What {@code manifest.json} says about a snapshot: the {@link SnapshotMeta} plus each file's name, size
 * and CRC32C, so a damaged snapshot is noticed before it is restored. Format 2 lists the files
 * ({@code "files":[{"name","size","crc32c"}]}, no crc32c for a hard-linked file); format 1, which has no
 * {@code "version"} field, described a single {@code data} file by {@code "size"} and {@code "crc32c"} and
 * is still read. Any other version is refused with a message.
 */
record SnapshotManifest(long index, long term, List<String> voters, List<String> learners, List<String> endpoints,
                        List<SnapshotFile> files) {
    static final long VERSION = 2;

    static SnapshotManifest of(SnapshotMeta meta, List<SnapshotFile> files) {
        List<String> endpoints = new ArrayList<>();
        meta.config().endpoints().forEach((id, endpoint) -> endpoints.add(id + "=" + endpoint));
        return new SnapshotManifest(meta.index(), meta.term(), List.copyOf(meta.config().voters()),
                List.copyOf(meta.config().learners()), List.copyOf(endpoints), List.copyOf(files));
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
        fields.put("version", VERSION);
        fields.put("index", index);
        fields.put("term", term);
        fields.put("voters", voters);
        fields.put("learners", learners);
        fields.put("endpoints", endpoints);
        List<Map<String, Object>> list = new ArrayList<>();
        for (SnapshotFile f : files) {
            Map<String, Object> file = new LinkedHashMap<>();
            file.put("name", f.name());
            file.put("size", f.size());
            if (f.hasCrc()) file.put("crc32c", f.crc32c());
            list.add(file);
        }
        fields.put("files", list);
        return FlatJson.write(fields);
    }

    /** @throws IllegalArgumentException if the text is not a whole manifest of a format this build reads */
    static SnapshotManifest parse(String json) {
        Map<String, Object> f = FlatJson.read(json);
        long version = f.containsKey("version") ? number(f, "version") : 1;
        List<SnapshotFile> files;
        if (version == 1) {
            files = List.of(new SnapshotFile(Snapshot.DATA, number(f, "size"), number(f, "crc32c")));
        } else if (version == VERSION) {
            files = files(f);
        } else {
            throw new IllegalArgumentException("manifest format " + version + " is not supported (this build reads 1 and "
                    + VERSION + "); it was written by another version of raftkv");
        }
        return new SnapshotManifest(number(f, "index"), number(f, "term"), strings(f, "voters"), strings(f, "learners"),
                f.containsKey("endpoints") ? strings(f, "endpoints") : List.of(), files);
    }

    private static List<SnapshotFile> files(Map<String, Object> fields) {
        if (!(fields.get("files") instanceof List<?> list)) {
            throw new IllegalArgumentException("manifest field \"files\" missing or not an array");
        }
        List<SnapshotFile> out = new ArrayList<>();
        for (Object o : list) {
            if (!(o instanceof Map<?, ?> m)) throw new IllegalArgumentException("manifest \"files\" holds " + o);
            @SuppressWarnings("unchecked") Map<String, Object> file = (Map<String, Object>) m;
            if (!(file.get("name") instanceof String name)) throw new IllegalArgumentException("a file without a name");
            long crc = file.containsKey("crc32c") ? number(file, "crc32c") : SnapshotFile.NO_CRC;
            out.add(new SnapshotFile(name, number(file, "size"), crc));
        }
        if (out.stream().map(SnapshotFile::name).distinct().count() != out.size()) {
            throw new IllegalArgumentException("manifest names a file twice");
        }
        return List.copyOf(out);
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
        for (Object o : list) {
            if (!(o instanceof String s)) throw new IllegalArgumentException("manifest field \"" + key + "\" holds " + o);
            out.add(s);
        }
        return List.copyOf(out);
    }
}
