package dev.raftkv.node;

import dev.raftkv.raft.log.Syncer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Replaces a small file atomically and durably: written to a temporary file beside it (readable by its
 * owner only when it holds secrets), forced, renamed over the old one, and the directory forced. A crash
 * leaves the old file or the new one, never half of either.
 */
public final class AtomicFile {
    private AtomicFile() {
    }

    /** @param ownerOnly the file holds secrets: mode 0600 from its first byte on (where the file system has modes) */
    public static void write(Path file, byte[] bytes, boolean ownerOnly) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path temp = dir.resolve(file.getFileName() + ".tmp");
        Files.deleteIfExists(temp);
        if (ownerOnly) {
            try {
                Files.createFile(temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException notPosix) {
                Files.createFile(temp);
            } catch (FileAlreadyExistsException raced) {
                throw new IOException("another process is writing " + file + " at the same time", raced);
            }
        }
        try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) ch.write(buf);
            Syncer.FSYNC.force(ch);
        }
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Syncer.FSYNC.syncDirectory(dir);
    }
}
