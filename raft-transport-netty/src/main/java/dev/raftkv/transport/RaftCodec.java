package dev.raftkv.transport;

import dev.raftkv.raft.ClusterConfig;
import dev.raftkv.raft.Entry;
import dev.raftkv.raft.EntryType;
import dev.raftkv.raft.Message;
import dev.raftkv.raft.Message.AppendEntries;
import dev.raftkv.raft.Message.AppendResponse;
import dev.raftkv.raft.Message.Heartbeat;
import dev.raftkv.raft.Message.HeartbeatResponse;
import dev.raftkv.raft.Message.InstallSnapshot;
import dev.raftkv.raft.Message.PreVoteRequest;
import dev.raftkv.raft.Message.PreVoteResponse;
import dev.raftkv.raft.Message.Repaired;
import dev.raftkv.raft.Message.TimeoutNow;
import dev.raftkv.raft.Message.VoteRequest;
import dev.raftkv.raft.Message.VoteResponse;
import dev.raftkv.raft.SnapshotMeta;
import io.netty.buffer.ByteBuf;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static dev.raftkv.transport.WireFormat.MAX_ID_BYTES;

/**
 * The binary form of every {@link Message}, written by hand because it is the hot path.
 *
 * <p>A message body is a type byte, then {@code from} and {@code to} (u16 length + UTF-8), the term
 * (i64), then the fields of that type in record order; booleans are one byte 0/1, all numbers big-endian.
 * AppendEntries puts leaderCommit before its entries: i32 count, then per entry term, index (i64),
 * type (u8: 0 normal, 1 noop, 2 config) and data (i32 length + bytes). InstallSnapshot carries its meta: index,
 * term, then voters and learners, each an i32 count of ids, then endpoints: an i32 count of (id, endpoint)
 * string pairs.
 */
public final class RaftCodec {
    /** The default bound on the entry data one AppendEntries may carry. */
    public static final int DEFAULT_MAX_ENTRY_BYTES = 16 * 1024 * 1024;

    /** term + index + type + data length: the least an entry takes on the wire. */
    private static final int MIN_ENTRY_BYTES = 8 + 8 + 1 + 4;
    /** An empty id is its u16 length alone. */
    private static final int MIN_ID_BYTES = 2;

    private static final byte ENTRY_NORMAL = 0;
    private static final byte ENTRY_NOOP = 1;
    private static final byte ENTRY_CONFIG = 2;
    /** An endpoint is the application's address text for a member: a few addresses, far below this. */
    private static final int MAX_ENDPOINT_BYTES = 4096;

    private final int maxEntryBytes;

    public RaftCodec() {
        this(DEFAULT_MAX_ENTRY_BYTES);
    }

    /** @param maxEntryBytes the most entry data one AppendEntries may carry, summed over its entries */
    public RaftCodec(int maxEntryBytes) {
        if (maxEntryBytes < 0) throw new IllegalArgumentException("maxEntryBytes " + maxEntryBytes);
        this.maxEntryBytes = maxEntryBytes;
    }

    // ---------------------------------------------------------------- encode

    /**
     * Appends the body of {@code m} to {@code out}.
     *
     * @throws IllegalArgumentException if the peer would refuse it: an id over 255 UTF-8 bytes or not
     *                                  valid Unicode, more entry data than the limit, a missing field
     */
    public void encode(Message m, ByteBuf out) {
        // Java 17 has no pattern switch; the final else keeps the chain honest when Message grows
        if (m instanceof PreVoteRequest r) {
            writeHeader(WireFormat.PRE_VOTE_REQUEST, m, out);
            out.writeLong(r.lastLogIndex());
            out.writeLong(r.lastLogTerm());
        } else if (m instanceof PreVoteResponse r) {
            writeHeader(WireFormat.PRE_VOTE_RESPONSE, m, out);
            WireWriter.writeBoolean(out, r.granted());
        } else if (m instanceof VoteRequest r) {
            writeHeader(WireFormat.VOTE_REQUEST, m, out);
            out.writeLong(r.lastLogIndex());
            out.writeLong(r.lastLogTerm());
            WireWriter.writeBoolean(out, r.transfer());
        } else if (m instanceof VoteResponse r) {
            writeHeader(WireFormat.VOTE_RESPONSE, m, out);
            WireWriter.writeBoolean(out, r.granted());
        } else if (m instanceof AppendEntries a) {
            writeHeader(WireFormat.APPEND_ENTRIES, m, out);
            writeAppendEntries(a, out);
        } else if (m instanceof AppendResponse r) {
            writeHeader(WireFormat.APPEND_RESPONSE, m, out);
            WireWriter.writeBoolean(out, r.success());
            out.writeLong(r.matchIndex());
            out.writeLong(r.rejectHint());
            out.writeLong(r.repairId());
        } else if (m instanceof Heartbeat h) {
            writeHeader(WireFormat.HEARTBEAT, m, out);
            out.writeLong(h.leaderCommit());
            out.writeLong(h.readSeq());
        } else if (m instanceof HeartbeatResponse h) {
            writeHeader(WireFormat.HEARTBEAT_RESPONSE, m, out);
            out.writeLong(h.readSeq());
            out.writeLong(h.repairId());
        } else if (m instanceof InstallSnapshot s) {
            writeHeader(WireFormat.INSTALL_SNAPSHOT, m, out);
            writeMeta(s.meta(), out);
        } else if (m instanceof TimeoutNow) {
            writeHeader(WireFormat.TIMEOUT_NOW, m, out);
        } else if (m instanceof Repaired r) {
            writeHeader(WireFormat.REPAIRED, m, out);
            out.writeLong(r.repairId());
            out.writeLong(r.index());
        } else {
            throw new IllegalArgumentException("no wire form for " + m);
        }
    }

    /**
     * Why {@link #encode} into a frame of at most {@code maxFrameBytes} would refuse {@code m}, or null if it
     * would carry it: the same rule, without encoding. The simulator's network refuses what this refuses, so
     * that a message the real transport cannot send is a failing seed rather than a surprise in production.
     * Only AppendEntries grows with what it carries; every other message is far below any frame limit.
     */
    public String refusal(Message m, int maxFrameBytes) {
        if (!(m instanceof AppendEntries a)) return null;
        long dataBytes = entryDataBytes(a);
        if (dataBytes > maxEntryBytes) return tooMuchEntryData(dataBytes);
        long body = 1 + WireWriter.stringBytes(a.from()) + WireWriter.stringBytes(a.to()) + 8 // header
                + 8 + 8 + 8 + 4 + (long) a.entries().size() * MIN_ENTRY_BYTES + dataBytes;
        return body > maxFrameBytes ? Framing.tooLong(body, maxFrameBytes) : null;
    }

    private static long entryDataBytes(AppendEntries a) {
        long dataBytes = 0;
        for (Entry e : a.entries()) dataBytes += e.data().length;
        return dataBytes;
    }

    private String tooMuchEntryData(long dataBytes) {
        return "AppendEntries carries " + dataBytes + " bytes of entry data, limit " + maxEntryBytes;
    }

    private static void writeHeader(byte type, Message m, ByteBuf out) {
        out.writeByte(type);
        WireWriter.writeString(out, "from", m.from(), MAX_ID_BYTES);
        WireWriter.writeString(out, "to", m.to(), MAX_ID_BYTES);
        out.writeLong(m.term());
    }

    private void writeAppendEntries(AppendEntries a, ByteBuf out) {
        out.writeLong(a.prevLogIndex());
        out.writeLong(a.prevLogTerm());
        out.writeLong(a.leaderCommit());
        long dataBytes = entryDataBytes(a);
        if (dataBytes > maxEntryBytes) throw new IllegalArgumentException(tooMuchEntryData(dataBytes));
        out.writeInt(a.entries().size());
        for (Entry e : a.entries()) {
            out.writeLong(e.term());
            out.writeLong(e.index());
            out.writeByte(entryTypeByte(e.type()));
            WireWriter.writeBytes(out, e.data());
        }
    }

    private static byte entryTypeByte(EntryType type) {
        if (type == null) throw new IllegalArgumentException("entry without a type");
        // explicit numbers, not ordinal(): reordering the enum must not change the wire
        return switch (type) {
            case NORMAL -> ENTRY_NORMAL;
            case NOOP -> ENTRY_NOOP;
            case CONFIG -> ENTRY_CONFIG;
        };
    }

    private static void writeMeta(SnapshotMeta meta, ByteBuf out) {
        if (meta == null || meta.config() == null) throw new IllegalArgumentException("InstallSnapshot without meta");
        out.writeLong(meta.index());
        out.writeLong(meta.term());
        writeIds(meta.config().voters(), "voter", out);
        writeIds(meta.config().learners(), "learner", out);
        out.writeInt(meta.config().endpoints().size());
        meta.config().endpoints().forEach((id, endpoint) -> {
            WireWriter.writeString(out, "member", id, MAX_ID_BYTES);
            WireWriter.writeString(out, "endpoint", endpoint, MAX_ENDPOINT_BYTES);
        });
    }

    private static void writeIds(Set<String> ids, String field, ByteBuf out) {
        out.writeInt(ids.size());
        for (String id : ids) WireWriter.writeString(out, field, id, MAX_ID_BYTES);
    }

    // ---------------------------------------------------------------- decode

    /** Reads one message that must fill {@code body} exactly. */
    public Message decode(ByteBuf body) throws MalformedFrameException {
        WireReader r = new WireReader(body);
        Message m = read(r);
        r.expectEnd("message");
        return m;
    }

    /** Reads one message (its type byte first) and leaves whatever follows it. */
    Message read(WireReader r) throws MalformedFrameException {
        byte type = r.readByte("type");
        if (type < WireFormat.PRE_VOTE_REQUEST || type > WireFormat.REPAIRED) {
            throw new MalformedFrameException("unknown message type " + type);
        }
        String from = r.readString("from", MAX_ID_BYTES);
        String to = r.readString("to", MAX_ID_BYTES);
        long term = r.readLong("term");
        return switch (type) {
            case WireFormat.PRE_VOTE_REQUEST ->
                    new PreVoteRequest(from, to, term, r.readLong("lastLogIndex"), r.readLong("lastLogTerm"));
            case WireFormat.PRE_VOTE_RESPONSE -> new PreVoteResponse(from, to, term, r.readBoolean("granted"));
            case WireFormat.VOTE_REQUEST -> new VoteRequest(from, to, term, r.readLong("lastLogIndex"),
                    r.readLong("lastLogTerm"), r.readBoolean("transfer"));
            case WireFormat.VOTE_RESPONSE -> new VoteResponse(from, to, term, r.readBoolean("granted"));
            case WireFormat.APPEND_ENTRIES -> readAppendEntries(from, to, term, r);
            case WireFormat.APPEND_RESPONSE -> new AppendResponse(from, to, term, r.readBoolean("success"),
                    r.readLong("matchIndex"), r.readLong("rejectHint"), r.readLong("repairId"));
            case WireFormat.HEARTBEAT -> new Heartbeat(from, to, term, r.readLong("leaderCommit"), r.readLong("readSeq"));
            case WireFormat.HEARTBEAT_RESPONSE -> new HeartbeatResponse(from, to, term, r.readLong("readSeq"),
                    r.readLong("repairId"));
            case WireFormat.REPAIRED -> new Repaired(from, to, term, r.readLong("repairId"), r.readLong("index"));
            case WireFormat.INSTALL_SNAPSHOT -> new InstallSnapshot(from, to, term, readMeta(r));
            case WireFormat.TIMEOUT_NOW -> new TimeoutNow(from, to, term);
            default -> throw new AssertionError("type range checked above: " + type);
        };
    }

    private AppendEntries readAppendEntries(String from, String to, long term, WireReader r)
            throws MalformedFrameException {
        long prevLogIndex = r.readLong("prevLogIndex");
        long prevLogTerm = r.readLong("prevLogTerm");
        long leaderCommit = r.readLong("leaderCommit");
        int count = r.readCount("entries", MIN_ENTRY_BYTES);
        List<Entry> entries = new ArrayList<>(count);
        int dataBudget = maxEntryBytes;
        for (int i = 0; i < count; i++) {
            long entryTerm = r.readLong("entry term");
            long index = r.readLong("entry index");
            EntryType type = entryType(r.readByte("entry type"));
            byte[] data = r.readBytes("entry data", dataBudget);
            dataBudget -= data.length;
            entries.add(new Entry(entryTerm, index, type, data));
        }
        return new AppendEntries(from, to, term, prevLogIndex, prevLogTerm, entries, leaderCommit);
    }

    private static EntryType entryType(byte b) throws MalformedFrameException {
        return switch (b) {
            case ENTRY_NORMAL -> EntryType.NORMAL;
            case ENTRY_NOOP -> EntryType.NOOP;
            case ENTRY_CONFIG -> EntryType.CONFIG;
            default -> throw new MalformedFrameException("unknown entry type " + b);
        };
    }

    private static SnapshotMeta readMeta(WireReader r) throws MalformedFrameException {
        long index = r.readLong("snapshot index");
        long term = r.readLong("snapshot term");
        Set<String> voters = readIds("voter", r);
        Set<String> learners = readIds("learner", r);
        int endpointCount = r.readCount("endpoints", 2 * MIN_ID_BYTES);
        Map<String, String> endpoints = new TreeMap<>();
        for (int i = 0; i < endpointCount; i++) {
            String id = r.readString("member", MAX_ID_BYTES);
            if (endpoints.put(id, r.readString("endpoint", MAX_ENDPOINT_BYTES)) != null) {
                throw new MalformedFrameException("endpoint of " + id + " listed twice");
            }
        }
        if (voters.isEmpty()) throw new MalformedFrameException("snapshot config without voters");
        try {
            return new SnapshotMeta(index, term, new ClusterConfig(voters, learners, endpoints));
        } catch (IllegalArgumentException e) {
            // a node both voter and learner, or an endpoint for a non-member: a config no sender can hold
            throw new MalformedFrameException("snapshot config: " + e.getMessage());
        }
    }

    private static Set<String> readIds(String field, WireReader r) throws MalformedFrameException {
        int count = r.readCount(field + "s", MIN_ID_BYTES);
        Set<String> ids = new TreeSet<>();
        for (int i = 0; i < count; i++) {
            String id = r.readString(field, MAX_ID_BYTES);
            // a set on the sender's side cannot repeat an id; a repeat means a corrupted frame
            if (!ids.add(id)) throw new MalformedFrameException(field + " " + id + " listed twice");
        }
        return ids;
    }
}
