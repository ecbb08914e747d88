package dev.raftkv.raft.snapshot;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.CRC32C;

/**
 * Reads one snapshot file and, the moment its last recorded byte has been read, checks the CRC32C the
 * manifest recorded: whoever reads a damaged file to its end (a restore, a stream to a follower) gets
 * an IOException instead of the damage. Files without a recorded checksum pass unchecked.
 */
final class CheckedFileStream extends FilterInputStream {
    private final String what;
    private final long size;
    private final long expectedCrc;
    private final CRC32C crc = new CRC32C();
    private long read;

    /** @param expectedCrc the recorded CRC32C, or a negative number for none */
    CheckedFileStream(InputStream in, String what, long size, long expectedCrc) {
        super(in);
        this.what = what;
        this.size = size;
        this.expectedCrc = expectedCrc;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) counted(new byte[]{(byte) b}, 0, 1);
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        if (n > 0) counted(b, off, n);
        return n;
    }

    @Override
    public long skip(long n) {
        throw new UnsupportedOperationException("a checked snapshot stream is read, not skipped");
    }

    private void counted(byte[] b, int off, int n) throws IOException {
        long before = read;
        read += n;
        if (expectedCrc < 0) return;
        crc.update(b, off, (int) Math.min(n, Math.max(0, size - before)));
        if (before < size && read >= size && crc.getValue() != expectedCrc) {
            throw new IOException("snapshot file " + what + " fails its CRC32C (" + crc.getValue() + ", recorded "
                    + expectedCrc + "): it was damaged on disk");
        }
    }
}
