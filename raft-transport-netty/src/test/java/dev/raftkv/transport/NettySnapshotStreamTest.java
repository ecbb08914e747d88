package dev.raftkv.transport;

import dev.raftkv.raft.ClusterConfig;
import dev.raftkv.raft.Message;
import dev.raftkv.raft.SnapshotMeta;
import dev.raftkv.raft.server.Snapshot;
import dev.raftkv.raft.server.SnapshotFile;
import dev.raftkv.raft.server.SnapshotWriter;
import dev.raftkv.raft.snapshot.FileSnapshotStore;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * InstallSnapshot over TCP from one file snapshot store to another, as nodes do it: read from the
 * sender's file chunk by chunk, appended to a temporary file at the receiver, committed there. And the
 * refusals: a chunk damaged on the way, a stream cut short, a sender whose stored file was damaged.
 */
class NettySnapshotStreamTest {
    private static final String COOKIE = "the-cookie";
    private static final InetSocketAddress ANY_PORT = new InetSocketAddress("127.0.0.1", 0);
    private static final int CHUNK = 256 * 1024;
    private static final TransportOptions SMALL_CHUNKS = TransportOptions.defaults().withSnapshotLimits(CHUNK, 1L << 30);
    private static final SnapshotMeta META = new SnapshotMeta(500, 4, ClusterConfig.ofVoters("a", "b"));
    private static final Message.InstallSnapshot INSTALL = new Message.InstallSnapshot("a", "b", 4, META);

    @TempDir
    Path dir;
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final AtomicLong seq = new AtomicLong();

    @AfterEach
    void closeEverything() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) toClose.get(i).close();
    }

    /** What a node's sink does with snapshots: into its file store, committed on arrival. */
    static final class StoreSink implements InboundSink {
        final FileSnapshotStore store;
        final List<Message> messages = new CopyOnWriteArrayList<>();
        final List<Snapshot> installed = new CopyOnWriteArrayList<>();
        final AtomicInteger streamsStarted = new AtomicInteger();

        StoreSink(Path dir) throws IOException {
            store = FileSnapshotStore.open(dir);
        }

        @Override
        public void receive(Message message) {
            messages.add(message);
        }

        @Override
        public SnapshotWriter snapshotWriter(Message.InstallSnapshot message) throws IOException {
            streamsStarted.incrementAndGet();
            return store.create(message.meta());
        }

        @Override
        public void receiveSnapshot(Message.InstallSnapshot message, SnapshotWriter received) {
            try (received) {
                installed.add(received.commit());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        List<String> files() throws IOException {
            try (Stream<Path> s = Files.list(store.directory())) {
                return s.map(p -> p.getFileName().toString()).sorted().toList();
            }
        }
    }

    private NettyTransport startB(StoreSink sink) {
        NettyTransport b = NettyTransport.start("b", ANY_PORT, Map.of("a", new InetSocketAddress("127.0.0.1", 1)), COOKIE,
                sink, SMALL_CHUNKS);
        toClose.add(b);
        return b;
    }

    private NettyTransport startA(NettyTransport b) {
        NettyTransport a = NettyTransport.start("a", ANY_PORT, Map.of("b", b.boundAddress()), COOKIE, new RecordingSink(),
                SMALL_CHUNKS);
        toClose.add(a);
        return a;
    }

    private void connect(NettyTransport a, StoreSink b) {
        await().atMost(TransportContract.PATIENCE).pollInterval(Duration.ofMillis(10)).untilAsserted(() -> {
            a.send(new Message.Heartbeat("a", "b", 1, 0, seq.incrementAndGet()));
            assertThat(b.messages).isNotEmpty();
        });
    }

    /** A snapshot of {@code bytes} random bytes in a file store of the sender's own. */
    private Snapshot storedSnapshot(int bytes) throws IOException {
        FileSnapshotStore store = FileSnapshotStore.open(dir.resolve("a"));
        byte[] data = new byte[bytes];
        new Random(11).nextBytes(data);
        try (SnapshotWriter w = store.create(META)) {
            w.newFile(Snapshot.DATA).write(data);
            return w.commit();
        }
    }

    private static long crc(byte[] data) {
        CRC32C crc = new CRC32C();
        crc.update(data);
        return crc.getValue();
    }

    @Test
    void aSnapshotOfManyChunksGoesFromFileToFileByteForByte() throws IOException {
        StoreSink bSink = new StoreSink(dir.resolve("b"));
        NettyTransport b = startB(bSink);
        NettyTransport a = startA(b);
        connect(a, bSink);
        Snapshot sent = storedSnapshot(6 * 1024 * 1024 + 5); // 25 chunks, the last one short

        a.sendSnapshot(INSTALL, sent);

        await().atMost(TransportContract.PATIENCE).until(() -> !bSink.installed.isEmpty());
        Snapshot got = bSink.installed.get(0);
        assertThat(got.meta()).isEqualTo(META);
        assertThat(got.size()).isEqualTo(sent.size());
        assertThat(got.files()).isEqualTo(sent.files());
        assertThat(RecordingSink.bytes(got)).isEqualTo(RecordingSink.bytes(sent));
        // committed by name, no temporary file left; and a restarted receiver finds it, checksum verified
        assertThat(bSink.files()).containsExactly("snap-00000000000000000500-00000000000000000004");
        assertThat(FileSnapshotStore.open(dir.resolve("b")).latest().files()).isEqualTo(sent.files());
    }

    @Test
    void aSnapshotOfSeveralFilesArrivesFileByFileWithLinkedAndEmptyFilesIntact() throws IOException {
        StoreSink bSink = new StoreSink(dir.resolve("b"));
        NettyTransport b = startB(bSink);
        NettyTransport a = startA(b);
        connect(a, bSink);
        Path table = Files.createDirectories(dir.resolve("rocks")).resolve("000009.sst");
        byte[] tableBytes = new byte[3 * CHUNK + 17];
        new Random(3).nextBytes(tableBytes);
        Files.write(table, tableBytes);
        Snapshot sent;
        try (SnapshotWriter w = FileSnapshotStore.open(dir.resolve("a")).create(META)) {
            w.newFile("MANIFEST-000004").write("a manifest".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            w.newFile("empty.log");
            w.linkFile("000009.sst", table);
            w.newFile("CURRENT").write(new byte[CHUNK]); // exactly one chunk
            w.newFile("trailing-empty");
            sent = w.commit();
        }

        a.sendSnapshot(INSTALL, sent);

        await().atMost(TransportContract.PATIENCE).until(() -> !bSink.installed.isEmpty());
        Snapshot got = FileSnapshotStore.open(dir.resolve("b")).latest();
        assertThat(got.files()).extracting(SnapshotFile::name)
                .containsExactly("MANIFEST-000004", "empty.log", "000009.sst", "CURRENT", "trailing-empty");
        assertThat(got.files()).extracting(SnapshotFile::size).containsExactly(10L, 0L, (long) tableBytes.length, (long) CHUNK, 0L);
        try (java.io.InputStream in = got.open("000009.sst")) {
            assertThat(in.readAllBytes()).isEqualTo(tableBytes);
        }
        // the receiver checksummed the linked file as it arrived, so its copy records a CRC32C
        assertThat(got.files().get(2).hasCrc()).isTrue();
        assertThat(RecordingSink.bytes(got)).isEqualTo(RecordingSink.bytes(sent));
    }

    @Test
    void aChunkThatCrossesTheEndOfAFileIsRefused() throws IOException {
        StoreSink bSink = new StoreSink(dir.resolve("b"));
        NettyTransport b = startB(bSink);
        byte[] first = {1, 2, 3};
        byte[] second = {4, 5};
        try (RawPeer peer = new RawPeer(b.boundAddress())) {
            peer.hello("a", COOKIE);
            peer.frame(buf -> new SnapshotBegin(1, List.of(new SnapshotFile("one", 3, crc(first)),
                    new SnapshotFile("two", 2, crc(second))), INSTALL).encode(new RaftCodec(), buf));
            ByteBuf f = chunk(0, new byte[]{1, 2, 3, 4}, false);
            try {
                peer.write(ByteBufUtil.getBytes(f));
            } finally {
                f.release();
            }
            peer.awaitClosedByServer();
        }
        assertThat(b.malformedFrameCloses()).isEqualTo(1);
        assertThat(bSink.installed).isEmpty();
        await().atMost(TransportContract.PATIENCE).until(() -> bSink.files().isEmpty());
    }

    @Test
    void theSameInstallSnapshotAgainWhileItStreamsIsNotRestarted() throws IOException {
        StoreSink bSink = new StoreSink(dir.resolve("b"));
        NettyTransport b = startB(bSink);
        NettyTransport a = startA(b);
        connect(a, bSink);
        Snapshot sent = storedSnapshot(8 * 1024 * 1024);

        // a leader whose patience runs out before a large snapshot is through asks again: it must still finish
        a.sendSnapshot(INSTALL, sent);
        a.sendSnapshot(INSTALL, sent);
        a.sendSnapshot(INSTALL, sent);

        await().atMost(TransportContract.PATIENCE).until(() -> !bSink.installed.isEmpty());
        assertThat(bSink.streamsStarted.get()).isEqualTo(1);
        assertThat(bSink.installed).hasSize(1);
    }

    /** A begin frame announcing a size and checksum, then the given chunk frames, as a peer would send them. */
    private static void stream(RawPeer peer, long announcedBytes, long announcedCrc, List<ByteBuf> chunkFrames) throws IOException {
        peer.frame(buf -> new SnapshotBegin(1, List.of(new SnapshotFile(Snapshot.DATA, announcedBytes, announcedCrc)), INSTALL)
                .encode(new RaftCodec(), buf));
        for (ByteBuf f : chunkFrames) {
            try {
                peer.write(ByteBufUtil.getBytes(f));
            } finally {
                f.release();
            }
        }
    }

    private static ByteBuf chunk(long offset, byte[] data, boolean last) {
        return SnapshotChunk.frame(ByteBufAllocator.DEFAULT, 1, offset, Unpooled.wrappedBuffer(data), last);
    }

    @Test
    void aChunkDamagedOnTheWayIsRefusedAndLeavesNothingBehind() throws IOException {
        StoreSink bSink = new StoreSink(dir.resolve("b"));
        NettyTransport b = startB(bSink);
        byte[] data = {1, 2, 3, 4, 5, 6, 7, 8};
        ByteBuf second = chunk(4, new byte[]{5, 6, 7, 8}, true);
        second.setByte(second.writerIndex() - 1, 9); // a bit flip in the data, after its checksum was taken
        try (RawPeer peer = new RawPeer(b.boundAddress())) {
            peer.hello("a", COOKIE);
            stream(peer, data.length, crc(data), List.of(chunk(0, new byte[]{1, 2, 3, 4}, false), second));
            peer.awaitClosedByServer();
        }
        assertThat(b.malformedFrameCloses()).isEqualTo(1);
        assertThat(bSink.streamsStarted.get()).isEqualTo(1);
        assertThat(bSink.installed).isEmpty();
        await().atMost(TransportContract.PATIENCE).until(() -> bSink.files().isEmpty()); // the temporary file went
    }

    @Test
    void aStreamThatEndsShortOfItsAnnouncedSizeIsRefused() throws IOException {
        StoreSink bSink = new StoreSink(dir.resolve("b"));
        NettyTransport b = startB(bSink);
        byte[] data = {1, 2, 3, 4, 5, 6, 7, 8};
        try (RawPeer peer = new RawPeer(b.boundAddress())) {
            peer.hello("a", COOKIE);
            stream(peer, data.length, crc(data), List.of(chunk(0, new byte[]{1, 2, 3, 4, 5}, true)));
            peer.awaitClosedByServer();
        }
        assertThat(b.malformedFrameCloses()).isEqualTo(1);
        assertThat(bSink.installed).isEmpty();
        await().atMost(TransportContract.PATIENCE).until(() -> bSink.files().isEmpty());
    }

    @Test
    void aSenderWhoseStoredFileWasDamagedAfterwardsStopsAtItsChecksumAndTheReceiverKeepsNothing() throws IOException {
        StoreSink bSink = new StoreSink(dir.resolve("b"));
        NettyTransport b = startB(bSink);
        NettyTransport a = startA(b);
        connect(a, bSink);
        Snapshot sent = storedSnapshot(3 * CHUNK + 100);
        Path file = dir.resolve("a").resolve("snapshots").resolve("snap-00000000000000000500-00000000000000000004").resolve("data");
        byte[] bytes = Files.readAllBytes(file);
        bytes[2 * CHUNK + 7] ^= 0x10; // the disk flipped a bit after the snapshot was written and verified
        Files.write(file, bytes);

        a.sendSnapshot(INSTALL, sent);

        // the sender's read of the file checks the recorded CRC32C before the last chunk leaves, and hangs up
        await().atMost(TransportContract.PATIENCE).until(() -> bSink.streamsStarted.get() == 1 && bSink.files().isEmpty());
        assertThat(bSink.installed).isEmpty();
    }
}
