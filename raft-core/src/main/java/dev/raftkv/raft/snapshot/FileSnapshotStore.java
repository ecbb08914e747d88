package dev.raftkv.raft.snapshot;

import dev.raftkv.raft.SnapshotMeta;
import dev.raftkv.raft.log.Syncer;
import dev.raftkv.raft.server.Snapshot;
import dev.raftkv.raft.server.SnapshotStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

import static java.nio.file.StandardOpenOption.CREATE_NEW;
import static java.nio.file.StandardOpenOption.WRITE;

/**
 * Snapshots in {@code <dir>/snapshots/}, one directory each, {@code snap-<index>-<term>}, holding
 * {@code data} (the state machine's bytes) and {@code manifest.json} (index, term, membership, size
 * and CRC32C of {@code data}). A snapshot is written under a temporary name, fsynced, then renamed
 * into place, so a directory with a final name is always complete. The newest two are kept, so that
 * if the newest turns out damaged on disk, the one before it is still there.
 *
 * <p>{@link #save} and {@link #latest} may be called from different threads (the apply thread
 * takes snapshots, the event loop stores received ones), so they are synchronized.
 */
public final class FileSnapshotStore implements SnapshotStore {
    private static final Logger LOG = LoggerFactory.getLogger(FileSnapshotStore.class);
    private static final Pattern NAME = Pattern.compile("snap-(\\d{20})-(\\d{20})");
    private static final String TEMP_SUFFIX = ".tmp";
    private static final int KEEP = 2;

    private record Stored(Path dir, long index, long term) {
    }

    private final Path root;
    private final Syncer syncer;

    private FileSnapshotStore(Path root, Syncer syncer) {
        this.root = root;
        this.syncer = syncer;
    }

    public static FileSnapshotStore open(Path dir) throws IOException {
        return open(dir, Syncer.FSYNC);
    }

    /** Opens {@code <dir>/snapshots/}, creating it if needed, and removes what an interrupted save left. */
    public static FileSnapshotStore open(Path dir, Syncer syncer) throws IOException {
        Path root = dir.resolve("snapshots");
        if (!Files.isDirectory(root)) {
            Files.createDirectories(root);
            syncer.syncDirectory(dir);
        }
        try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(root, "*" + TEMP_SUFFIX)) {
            for (Path p : leftovers) deleteTree(p);
        }
        return new FileSnapshotStore(root, syncer);
    }

    public Path directory() {
        return root;
    }

    /** Returns once the snapshot is durable; then deletes all but the newest two. */
    @Override
    public synchronized void save(Snapshot snapshot) {
        SnapshotMeta meta = snapshot.meta();
        Path target = root.resolve(dirName(meta.index(), meta.term()));
        try {
            if (Files.isDirectory(target)) {
                if (readVerified(target) != null) return; // already stored (the same snapshot saved twice)
                deleteTree(target); // a damaged copy: replace it
            }
            Path temp = root.resolve(target.getFileName() + TEMP_SUFFIX);
            deleteTree(temp);
            Files.createDirectory(temp);
            CRC32C crc = new CRC32C();
            crc.update(snapshot.data());
            writeDurably(temp.resolve("data"), snapshot.data());
            SnapshotManifest manifest = SnapshotManifest.of(meta, snapshot.data().length, crc.getValue());
            writeDurably(temp.resolve("manifest.json"), manifest.toJson().getBytes(StandardCharsets.UTF_8));
            syncer.syncDirectory(temp);
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            syncer.syncDirectory(root);
            deleteAllButNewest();
        } catch (IOException e) {
            throw new UncheckedIOException("saving snapshot " + meta.index() + "@" + meta.term() + " in " + root + " failed", e);
        }
    }

    /** The newest snapshot whose manifest parses and whose data matches its checksum, or null. Damaged ones are logged and skipped. */
    @Override
    public synchronized Snapshot latest() {
        try {
            for (Stored s : listNewestFirst()) {
                Snapshot snap = readVerified(s.dir());
                if (snap != null) return snap;
            }
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException("listing snapshots in " + root + " failed", e);
        }
    }

    /** The snapshot in {@code dir}, or null (with a warning naming the file) if it is damaged. */
    private Snapshot readVerified(Path dir) {
        Path manifestFile = dir.resolve("manifest.json");
        Path dataFile = dir.resolve("data");
        SnapshotManifest manifest;
        try {
            manifest = SnapshotManifest.parse(Files.readString(manifestFile, StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            LOG.warn("snapshot manifest {} is unreadable ({}); skipping this snapshot", manifestFile, e.toString());
            return null;
        }
        if (!dir.getFileName().toString().equals(dirName(manifest.index(), manifest.term()))) {
            LOG.warn("snapshot manifest {} describes {}@{}, not what its directory is named; skipping this snapshot",
                    manifestFile, manifest.index(), manifest.term());
            return null;
        }
        byte[] data;
        try {
            data = Files.readAllBytes(dataFile);
        } catch (IOException e) {
            LOG.warn("snapshot data {} is unreadable ({}); skipping this snapshot", dataFile, e.toString());
            return null;
        }
        CRC32C crc = new CRC32C();
        crc.update(data);
        if (data.length != manifest.size() || crc.getValue() != manifest.crc32c()) {
            LOG.warn("snapshot data {} does not match its manifest ({} bytes, crc32c {}; expected {} bytes, crc32c {}); "
                    + "skipping this snapshot", dataFile, data.length, crc.getValue(), manifest.size(), manifest.crc32c());
            return null;
        }
        try {
            return new Snapshot(manifest.meta(), data);
        } catch (IllegalArgumentException e) {
            LOG.warn("snapshot manifest {} holds an impossible membership ({}); skipping this snapshot", manifestFile, e.getMessage());
            return null;
        }
    }

    private void deleteAllButNewest() throws IOException {
        List<Stored> all = listNewestFirst();
        if (all.size() <= KEEP) return;
        for (Stored old : all.subList(KEEP, all.size())) {
            // renamed first, so that a crash part-way through the deletion never leaves a
            // half-deleted directory under a snapshot's name; open() removes the rest
            Path doomed = root.resolve(old.dir().getFileName() + ".old" + TEMP_SUFFIX);
            Files.move(old.dir(), doomed, StandardCopyOption.ATOMIC_MOVE);
            deleteTree(doomed);
        }
        syncer.syncDirectory(root);
    }

    private List<Stored> listNewestFirst() throws IOException {
        List<Stored> out = new ArrayList<>();
        try (DirectoryStream<Path> listing = Files.newDirectoryStream(root)) {
            for (Path p : listing) {
                Matcher m = NAME.matcher(p.getFileName().toString());
                if (m.matches()) out.add(new Stored(p, Long.parseLong(m.group(1)), Long.parseLong(m.group(2))));
            }
        }
        out.sort(Comparator.comparingLong(Stored::index).thenComparingLong(Stored::term).reversed());
        return out;
    }

    private void writeDurably(Path file, byte[] bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(file, CREATE_NEW, WRITE)) {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) ch.write(buf);
            syncer.force(ch);
        }
    }

    static String dirName(long index, long term) {
        return String.format("snap-%020d-%020d", index, term);
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}
