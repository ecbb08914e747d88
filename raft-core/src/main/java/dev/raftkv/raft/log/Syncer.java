package dev.raftkv.raft.log;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The one step that makes written bytes durable. It is an interface so tests can count fsyncs
 * (group commit) or make one fail (fsyncgate), and so property tests that are not about
 * durability need not pay for real fsyncs.
 */
public interface Syncer {
    /** Makes the file's written data, and its size, durable. */
    void force(FileChannel channel) throws IOException;

    /** Makes the directory's entries durable: files created, renamed or deleted in it. */
    void syncDirectory(Path dir) throws IOException;

    /** Real fsyncs. */
    Syncer FSYNC = new Syncer() {
        @Override
        public void force(FileChannel channel) throws IOException {
            // fdatasync: also flushes the file size, which reading the data back needs
            channel.force(false);
        }

        @Override
        public void syncDirectory(Path dir) throws IOException {
            try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
                ch.force(true);
            }
        }

        @Override
        public String toString() {
            return "fsync";
        }
    };
}
