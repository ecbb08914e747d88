package dev.raftkv.raft.snapshot;

import dev.raftkv.raft.SnapshotMeta;
import dev.raftkv.raft.log.DirectoryTree;
import dev.raftkv.raft.log.Syncer;
import dev.raftkv.raft.server.Snapshot;
import dev.raftkv.raft.server.SnapshotStore;
import dev.raftkv.raft.server.SnapshotWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;
import java.util.zip.CheckedOutputStream;

import static java.nio.file.StandardOpenOption.CREATE_NEW;
import static java.nio.file.StandardOpenOption.WRITE;

/**
 * Snapshots in {@code <dir>/snapshots/}, one directory each, {@code snap-<index>-<term>}, holding
 * {@code data} (the state machine's bytes) and {@code manifest.json} (index, term, membership, size
 * and CRC32C of {@code data}). A snapshot is streamed into a temporary directory, fsynced, then renamed
 * into place, so a directory with a final name is always complete, and no snapshot is ever held in
 * memory whole. The newest two are kept, so that if the newest turns out damaged on disk, the one before
 * it is still there.
 *
 * <p>Checksums are verified when the store first looks for its latest snapshot (at start-up); after that
 * {@link #latest} answers from memory, because it is asked for every InstallSnapshot sent and reading a
 * large file each time would stall the caller. Damage that happens later is caught by whoever reads the
 * bytes: a follower checks what it received against the CRC32C, and the next start-up verifies again.
 *
 * <p>Writers run on any thread (the apply thread, transport threads); finding, installing and deleting
 * snapshots is synchronized on the store.
 */
public final class FileSnapshotStore implements SnapshotStore {
    private static final Logger LOG = LoggerFactory.getLogger(FileSnapshotStore.class);
    private static final Pattern NAME = Pattern.compile("snap-(\\d{20})-(\\d{20})");
    private static final String TEMP_SUFFIX = ".tmp";
    private static final int KEEP = 2;
    private static final int BUFFER_BYTES = 64 * 1024;

    private record Stored(Path dir, long index, long term) {
    }

    /** A snapshot in its final directory; each {@link #open} reads the file anew. */
    private record StoredSnapshot(SnapshotMeta meta, Path data, long size, long crc32c) implements Snapshot {
        @Override
        public InputStream open() throws IOException {
            return new BufferedInputStream(Files.newInputStream(data), BUFFER_BYTES);
        }
    }

    private final Path root;
    private final Syncer syncer;
    private final AtomicLong writerCount = new AtomicLong();
    private Snapshot latest;
    private boolean scanned;

    private FileSnapshotStore(Path root, Syncer syncer) {
        this.root = root;
        this.syncer = syncer;
    }

    public static FileSnapshotStore open(Path dir) throws IOException {
        return open(dir, Syncer.FSYNC);
    }

    /** Opens {@code <dir>/snapshots/}, creating it if needed, and removes what an interrupted write left. */
    public static FileSnapshotStore open(Path dir, Syncer syncer) throws IOException {
        Path root = dir.resolve("snapshots");
        if (!Files.isDirectory(root)) {
            Files.createDirectories(root);
            syncer.syncDirectory(dir);
        }
        try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(root, "*" + TEMP_SUFFIX)) {
            for (Path p : leftovers) DirectoryTree.delete(p);
        }
        return new FileSnapshotStore(root, syncer);
    }

    public Path directory() {
        return root;
    }

    /** A writer into a temporary directory of its own, so several may be open at once (even for one index). */
    @Override
    public SnapshotWriter create(SnapshotMeta meta) throws IOException {
        Path temp = root.resolve(dirName(meta.index(), meta.term()) + "-" + writerCount.incrementAndGet() + TEMP_SUFFIX);
        Files.createDirectory(temp);
        try {
            return new FileWriter(meta, temp);
        } catch (IOException e) {
            DirectoryTree.delete(temp);
            throw e;
        }
    }

    /** The newest snapshot whose manifest parses and whose data matches its checksum, or null. Damaged ones are logged and skipped. */
    @Override
    public synchronized Snapshot latest() {
        if (!scanned) {
            latest = scan();
            scanned = true;
        }
        return latest;
    }

    private Snapshot scan() {
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

    /** Moves a complete, durable temporary directory into place; returns the snapshot now stored under its name. */
    private synchronized Snapshot install(Path temp, StoredSnapshot written) throws IOException {
        SnapshotMeta meta = written.meta();
        Path target = root.resolve(dirName(meta.index(), meta.term()));
        Snapshot current = latest();
        if (Files.isDirectory(target)) {
            Snapshot existing = readVerified(target);
            if (existing != null) { // the same snapshot written twice (taken, or received again)
                DirectoryTree.delete(temp);
                return existing;
            }
            DirectoryTree.delete(target); // a damaged copy: replace it
        }
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        syncer.syncDirectory(root);
        StoredSnapshot stored = new StoredSnapshot(meta, target.resolve("data"), written.size(), written.crc32c());
        if (current == null || meta.index() > current.meta().index()) latest = stored;
        deleteAllButNewest();
        if (latest instanceof StoredSnapshot s && !Files.exists(s.data())) latest = scan(); // only if damaged ones crowded it out
        return stored;
    }

    /** The snapshot in {@code dir}, or null (with a warning naming the file) if it is damaged. Reads the data once, streaming. */
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
        CRC32C crc = new CRC32C();
        long size = 0;
        try (InputStream in = Files.newInputStream(dataFile)) {
            byte[] buf = new byte[BUFFER_BYTES];
            for (int n; (n = in.read(buf)) > 0; size += n) crc.update(buf, 0, n);
        } catch (IOException e) {
            LOG.warn("snapshot data {} is unreadable ({}); skipping this snapshot", dataFile, e.toString());
            return null;
        }
        if (size != manifest.size() || crc.getValue() != manifest.crc32c()) {
            LOG.warn("snapshot data {} does not match its manifest ({} bytes, crc32c {}; expected {} bytes, crc32c {}); "
                    + "skipping this snapshot", dataFile, size, crc.getValue(), manifest.size(), manifest.crc32c());
            return null;
        }
        try {
            return new StoredSnapshot(manifest.meta(), dataFile, size, crc.getValue());
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
            // half-deleted directory under a snapshot's name; open() removes the rest. A stream
            // still reading the old data (a follower being sent it) keeps its open file.
            Path doomed = root.resolve(old.dir().getFileName() + ".old" + TEMP_SUFFIX);
            Files.move(old.dir(), doomed, StandardCopyOption.ATOMIC_MOVE);
            DirectoryTree.delete(doomed);
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

    /** Streams into {@code <temp>/data}, counting the CRC32C on the way, so committing needs no second pass. */
    private final class FileWriter implements SnapshotWriter {
        private final SnapshotMeta meta;
        private final Path temp;
        private final FileChannel channel;
        private final CRC32C crc = new CRC32C();
        private final OutputStream out;
        private boolean finished;
        private boolean committed;

        FileWriter(SnapshotMeta meta, Path temp) throws IOException {
            this.meta = meta;
            this.temp = temp;
            this.channel = FileChannel.open(temp.resolve("data"), CREATE_NEW, WRITE);
            OutputStream checked = new CheckedOutputStream(
                    new BufferedOutputStream(Channels.newOutputStream(channel), BUFFER_BYTES), crc);
            // a state machine that closes the stream it was given must not close the file before commit
            this.out = new FilterOutputStream(checked) {
                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    out.write(b, off, len);
                }

                @Override
                public void close() throws IOException {
                    flush();
                }
            };
        }

        @Override
        public SnapshotMeta meta() {
            return meta;
        }

        @Override
        public OutputStream out() {
            return out;
        }

        @Override
        public Snapshot commit() throws IOException {
            if (finished) throw new IllegalStateException("snapshot writer for " + meta.index() + " already finished");
            finished = true;
            try {
                out.flush();
                syncer.force(channel);
                long size = channel.size();
                channel.close();
                SnapshotManifest manifest = SnapshotManifest.of(meta, size, crc.getValue());
                writeDurably(temp.resolve("manifest.json"), manifest.toJson().getBytes(StandardCharsets.UTF_8));
                syncer.syncDirectory(temp);
                Snapshot stored = install(temp, new StoredSnapshot(meta, temp.resolve("data"), size, crc.getValue()));
                committed = true;
                return stored;
            } finally {
                if (!committed) discard();
            }
        }

        @Override
        public void close() {
            finished = true;
            if (!committed) discard();
        }

        private void discard() {
            try {
                channel.close();
                DirectoryTree.delete(temp);
            } catch (IOException e) {
                LOG.warn("could not remove the unfinished snapshot {} ({}); the next start removes it", temp, e.toString());
            }
        }
    }
}
