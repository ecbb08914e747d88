package dev.raftkv.raft.snapshot;

import dev.raftkv.raft.SnapshotMeta;
import dev.raftkv.raft.log.DirectoryTree;
import dev.raftkv.raft.log.Syncer;
import dev.raftkv.raft.server.Snapshot;
import dev.raftkv.raft.server.SnapshotFile;
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
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;
import java.util.zip.CheckedOutputStream;

import static java.nio.file.StandardOpenOption.CREATE_NEW;
import static java.nio.file.StandardOpenOption.WRITE;

/**
 * Snapshots in {@code <dir>/snapshots/}, one directory each, {@code snap-<index>-<term>}, holding the
 * state machine's files ({@code data} for a machine that writes one stream; a RocksDB checkpoint's files
 * for the RocksDB machine) and {@code manifest.json} (index, term, membership, and each file's size and
 * CRC32C). A snapshot is written into a temporary directory, fsynced, then renamed into place, so a
 * directory with a final name is always complete, and no snapshot is ever held in memory whole. The
 * newest two are kept, so that if the newest turns out damaged on disk, the one before it is still there.
 *
 * <p>Files the machine hands over by {@link SnapshotWriter#linkFile hard link} are neither copied nor
 * read, so their CRC32C is not recorded: their own format checks them (RocksDB table files checksum
 * every block). Every other file is checksummed while it is written.
 *
 * <p>{@link Verification#AT_START}: checksums are verified when the store first looks for its latest
 * snapshot (at start-up), and a damaged snapshot is skipped for the one before it; right for a machine
 * that restores the snapshot at every start. {@link Verification#WHEN_READ}: only manifests and sizes are
 * checked then, and each file's checksum when someone reads it to its end; right for a machine that keeps
 * its own state on disk and restores no snapshot at start, where reading gigabytes of checkpoint at every
 * start would make restarts as slow as the data is large. After the first look {@link #latest} answers from
 * memory, because it is asked for every InstallSnapshot sent; damage that happens later is caught by
 * whoever reads the bytes (every stream checks the recorded CRC32C at its end, and a follower checks
 * what it received against it).
 *
 * <p>Writers run on any thread (the apply thread, transport threads); finding, installing, retaining and
 * deleting snapshots is synchronized on the store.
 */
public final class FileSnapshotStore implements SnapshotStore {
    private static final Logger LOG = LoggerFactory.getLogger(FileSnapshotStore.class);
    private static final Pattern NAME = Pattern.compile("snap-(\\d{20})-(\\d{20})");
    private static final String TEMP_SUFFIX = ".tmp";
    private static final int KEEP = 2;
    private static final int BUFFER_BYTES = 64 * 1024;

    /** When the data of stored snapshots is checked against its checksums; see the class comment. */
    public enum Verification { AT_START, WHEN_READ }

    private record Stored(Path dir, long index, long term) {
    }

    /** A snapshot in its final directory; each {@link #open} reads the file anew. */
    private final class StoredSnapshot implements Snapshot {
        private final SnapshotMeta meta;
        private final Path dir;
        private final List<SnapshotFile> files;

        StoredSnapshot(SnapshotMeta meta, Path dir, List<SnapshotFile> files) {
            this.meta = meta;
            this.dir = dir;
            this.files = List.copyOf(files);
        }

        @Override
        public SnapshotMeta meta() {
            return meta;
        }

        @Override
        public List<SnapshotFile> files() {
            return files;
        }

        @Override
        public InputStream open(String name) throws IOException {
            SnapshotFile f = file(name);
            return new CheckedFileStream(new BufferedInputStream(Files.newInputStream(dir.resolve(name)), BUFFER_BYTES),
                    dir.resolve(name).toString(), f.size(), f.crc32c());
        }

        @Override
        public Path path(String name) {
            return dir.resolve(file(name).name());
        }

        @Override
        public Retained retain() {
            return FileSnapshotStore.this.retain(dir);
        }

        private SnapshotFile file(String name) {
            for (SnapshotFile f : files) {
                if (f.name().equals(name)) return f;
            }
            throw new IllegalArgumentException("snapshot " + dir.getFileName() + " has no file " + name);
        }

        @Override
        public String toString() {
            return "snapshot " + dir;
        }
    }

    private final Path root;
    private final Syncer syncer;
    private final Verification verification;
    private final AtomicLong writerCount = new AtomicLong();
    /** Directories someone is reading (stream, restore), with how many holds each has. */
    private final Map<Path, Integer> held = new HashMap<>();
    /** Held directories that are no longer among the newest: deleted when the last hold is released. */
    private final Set<Path> doomed = new HashSet<>();
    private Snapshot latest;
    private boolean scanned;

    private FileSnapshotStore(Path root, Syncer syncer, Verification verification) {
        this.root = root;
        this.syncer = syncer;
        this.verification = verification;
    }

    public static FileSnapshotStore open(Path dir) throws IOException {
        return open(dir, Syncer.FSYNC);
    }

    public static FileSnapshotStore open(Path dir, Syncer syncer) throws IOException {
        return open(dir, syncer, Verification.AT_START);
    }

    /** Opens {@code <dir>/snapshots/}, creating it if needed, and removes what an interrupted write left. */
    public static FileSnapshotStore open(Path dir, Syncer syncer, Verification verification) throws IOException {
        Path root = dir.resolve("snapshots");
        if (!Files.isDirectory(root)) {
            Files.createDirectories(root);
            syncer.syncDirectory(dir);
        }
        try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(root, "*" + TEMP_SUFFIX)) {
            for (Path p : leftovers) DirectoryTree.delete(p);
        }
        return new FileSnapshotStore(root, syncer, verification);
    }

    public Path directory() {
        return root;
    }

    /** A writer into a temporary directory of its own, so several may be open at once (even for one index). */
    @Override
    public SnapshotWriter create(SnapshotMeta meta) throws IOException {
        Path temp = root.resolve(dirName(meta.index(), meta.term()) + "-" + writerCount.incrementAndGet() + TEMP_SUFFIX);
        Files.createDirectory(temp);
        return new FileWriter(meta, temp);
    }

    /** The newest snapshot whose manifest parses and whose files match it, or null. Damaged ones are logged and skipped. */
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
                Snapshot snap = readVerified(s.dir(), verification == Verification.AT_START);
                if (snap != null) return snap;
            }
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException("listing snapshots in " + root + " failed", e);
        }
    }

    /** Moves a complete, durable temporary directory into place; returns the snapshot now stored under its name. */
    private synchronized Snapshot install(Path temp, SnapshotMeta meta, List<SnapshotFile> files) throws IOException {
        Path target = root.resolve(dirName(meta.index(), meta.term()));
        Snapshot current = latest();
        if (Files.isDirectory(target)) {
            Snapshot existing = readVerified(target, true);
            if (existing != null) { // the same snapshot written twice (taken, or received again)
                DirectoryTree.delete(temp);
                return existing;
            }
            if (held.containsKey(target)) {
                // a damaged copy someone still reads: keep the new one apart rather than pull the files away
                DirectoryTree.delete(temp);
                throw new IOException("snapshot " + target + " is damaged and in use; not replaced now");
            }
            DirectoryTree.delete(target); // a damaged copy: replace it
        }
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        syncer.syncDirectory(root);
        StoredSnapshot stored = new StoredSnapshot(meta, target, files);
        if (current == null || meta.index() > current.meta().index()) latest = stored;
        deleteAllButNewest();
        if (latest instanceof StoredSnapshot s && !Files.isDirectory(s.dir)) latest = scan(); // only if damaged ones crowded it out
        return stored;
    }

    /**
     * The snapshot in {@code dir}, or null (with a warning naming the file) if it is damaged: a manifest that
     * does not parse or does not match the directory's name, a file missing or of another size, and, with
     * {@code checksums}, a file whose recorded CRC32C does not match (read once, streaming).
     */
    private Snapshot readVerified(Path dir, boolean checksums) {
        Path manifestFile = dir.resolve(SnapshotFile.MANIFEST);
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
        for (SnapshotFile f : manifest.files()) {
            Path file = dir.resolve(f.name());
            try {
                long size = Files.size(file);
                if (size != f.size()) {
                    LOG.warn("snapshot file {} has {} bytes, its manifest says {}; skipping this snapshot", file, size, f.size());
                    return null;
                }
                if (checksums && f.hasCrc()) {
                    long crc = crc32c(file);
                    if (crc != f.crc32c()) {
                        LOG.warn("snapshot file {} does not match its manifest (crc32c {}, expected {}); skipping this snapshot",
                                file, crc, f.crc32c());
                        return null;
                    }
                }
            } catch (IOException e) {
                LOG.warn("snapshot file {} is unreadable ({}); skipping this snapshot", file, e.toString());
                return null;
            }
        }
        try {
            return new StoredSnapshot(manifest.meta(), dir, manifest.files());
        } catch (IllegalArgumentException e) {
            LOG.warn("snapshot manifest {} holds an impossible membership ({}); skipping this snapshot", manifestFile, e.getMessage());
            return null;
        }
    }

    private static long crc32c(Path file) throws IOException {
        CRC32C crc = new CRC32C();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[BUFFER_BYTES];
            for (int n; (n = in.read(buf)) > 0; ) crc.update(buf, 0, n);
        }
        return crc.getValue();
    }

    private synchronized Snapshot.Retained retain(Path dir) {
        held.merge(dir, 1, Integer::sum);
        boolean[] released = new boolean[1];
        return () -> {
            synchronized (FileSnapshotStore.this) {
                if (released[0]) return;
                released[0] = true;
                if (held.merge(dir, -1, Integer::sum) > 0) return;
                held.remove(dir);
                if (doomed.remove(dir)) {
                    try {
                        deleteDirectory(dir);
                        syncer.syncDirectory(root);
                    } catch (IOException e) {
                        LOG.warn("could not delete the old snapshot {} ({}); the next install tries again", dir, e.toString());
                    }
                }
            }
        };
    }

    private void deleteAllButNewest() throws IOException {
        List<Stored> all = listNewestFirst();
        if (all.size() <= KEEP) return;
        for (Stored old : all.subList(KEEP, all.size())) {
            if (held.containsKey(old.dir())) {
                doomed.add(old.dir()); // someone reads it: it goes when they are done
                continue;
            }
            deleteDirectory(old.dir());
        }
        syncer.syncDirectory(root);
    }

    /**
     * Renamed first, so that a crash part-way through the deletion never leaves a half-deleted directory
     * under a snapshot's name; open() removes the rest.
     */
    private void deleteDirectory(Path dir) throws IOException {
        Path gone = root.resolve(dir.getFileName() + ".old" + TEMP_SUFFIX);
        Files.move(dir, gone, StandardCopyOption.ATOMIC_MOVE);
        DirectoryTree.delete(gone);
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

    /** Writes files into {@code temp}, counting each one's CRC32C on the way, so committing needs no second pass. */
    private final class FileWriter implements SnapshotWriter {
        private final SnapshotMeta meta;
        private final Path temp;
        private final List<SnapshotFile> files = new ArrayList<>();
        private final Set<String> names = new HashSet<>();
        private String currentName;
        private FileChannel channel;
        private CRC32C crc;
        private OutputStream out;
        private boolean finished;
        private boolean committed;

        FileWriter(SnapshotMeta meta, Path temp) {
            this.meta = meta;
            this.temp = temp;
        }

        @Override
        public SnapshotMeta meta() {
            return meta;
        }

        @Override
        public OutputStream newFile(String name) throws IOException {
            startFile(name);
            channel = FileChannel.open(temp.resolve(name), CREATE_NEW, WRITE);
            currentName = name;
            crc = new CRC32C();
            OutputStream checked = new CheckedOutputStream(
                    new BufferedOutputStream(Channels.newOutputStream(channel), BUFFER_BYTES), crc);
            // a state machine that closes the stream it was given must not close the file before commit
            out = new FilterOutputStream(checked) {
                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    out.write(b, off, len);
                }

                @Override
                public void close() throws IOException {
                    flush();
                }
            };
            return out;
        }

        @Override
        public void linkFile(String name, Path source) throws IOException {
            startFile(name);
            Path target = temp.resolve(name);
            try {
                Files.createLink(target, source);
            } catch (UnsupportedOperationException | FileSystemException e) {
                // another file system, or one without hard links: a copy is slower but just as good
                LOG.debug("cannot hard-link {} into a snapshot ({}); copying it", source, e.toString());
                Files.copy(source, target);
                try (FileChannel ch = FileChannel.open(target, WRITE)) {
                    syncer.force(ch);
                }
            }
            files.add(new SnapshotFile(name, Files.size(target), SnapshotFile.NO_CRC));
        }

        private void startFile(String name) throws IOException {
            if (finished) throw new IllegalStateException("snapshot writer for " + meta.index() + " already finished");
            SnapshotFile.checkName(name);
            if (!names.add(name)) throw new IllegalArgumentException("snapshot file " + name + " written twice");
            finishFile();
        }

        /** Makes the file being written durable and records its size and checksum. */
        private void finishFile() throws IOException {
            if (channel == null) return;
            out.flush();
            syncer.force(channel);
            files.add(new SnapshotFile(currentName, channel.size(), crc.getValue()));
            channel.close();
            channel = null;
        }

        @Override
        public Snapshot commit() throws IOException {
            if (finished) throw new IllegalStateException("snapshot writer for " + meta.index() + " already finished");
            try {
                finishFile();
                finished = true;
                SnapshotManifest manifest = SnapshotManifest.of(meta, files);
                writeDurably(temp.resolve(SnapshotFile.MANIFEST), manifest.toJson().getBytes(StandardCharsets.UTF_8));
                syncer.syncDirectory(temp);
                Snapshot stored = install(temp, meta, files);
                committed = true;
                return stored;
            } finally {
                finished = true;
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
                if (channel != null) channel.close();
                DirectoryTree.delete(temp);
            } catch (IOException e) {
                LOG.warn("could not remove the unfinished snapshot {} ({}); the next start removes it", temp, e.toString());
            }
        }
    }
}
