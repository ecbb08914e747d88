package dev.raftkv.transport;

/**
 * The constants of the wire format; the layout of each frame is in the class that reads and writes it
 * ({@link RaftCodec}, {@link Hello}, {@link SnapshotBegin}, {@link SnapshotChunk}).
 */
final class WireFormat {
    /** "RAFT": the first four bytes of the hello, so that a stray client is told apart from an old peer. */
    static final int MAGIC = 0x52414654;
    /** Bumped on any incompatible change; a peer with another version is refused at the handshake. */
    static final byte VERSION = 6; // 6: incarnations in the hello and the challenge; 5: repair ids in append and heartbeat responses, REPAIRED; 4: challenge-response handshake with cluster ids; 3: a snapshot stream carries
    // several files (the begin frame lists them); 2: CONFIG entries, member endpoints in snapshot metas, CRC32Cs

    /** Fresh random bytes each side contributes to a handshake, so that no proof can be replayed. */
    static final int NONCE_BYTES = 32;
    /** HMAC-SHA256. */
    static final int PROOF_BYTES = 32;
    /** A cluster id is a UUID or a hash in hex; the bound keeps the hello small. */
    static final int MAX_CLUSTER_ID_BYTES = 128;
    /** Why a handshake was refused, for the other side's log. */
    static final int MAX_REASON_BYTES = 512;
    /**
     * The largest frame accepted before the handshake completes: the biggest hello (magic, version, cluster
     * id, two ids, nonce) is under 700 bytes. A stranger cannot make a node buffer more than this.
     */
    static final int MAX_HANDSHAKE_FRAME_BYTES = 1024;

    /** Node ids are short names or host:port strings; a bound keeps a hostile length from costing memory. */
    static final int MAX_ID_BYTES = 255;
    static final int MAX_COOKIE_BYTES = 1024;

    // Type bytes of the handshake frames after the hello (which starts with MAGIC instead).
    static final byte HS_CHALLENGE = 64;
    static final byte HS_PROOF = 65;
    static final byte HS_REFUSAL = 66;

    // Type bytes of the frames that follow the hello. Messages take 1..11, snapshot streams 32 and 33.
    static final byte PRE_VOTE_REQUEST = 1;
    static final byte PRE_VOTE_RESPONSE = 2;
    static final byte VOTE_REQUEST = 3;
    static final byte VOTE_RESPONSE = 4;
    static final byte APPEND_ENTRIES = 5;
    static final byte APPEND_RESPONSE = 6;
    static final byte HEARTBEAT = 7;
    static final byte HEARTBEAT_RESPONSE = 8;
    static final byte INSTALL_SNAPSHOT = 9;
    static final byte TIMEOUT_NOW = 10;
    static final byte REPAIRED = 11;
    static final byte SNAPSHOT_BEGIN = 32;
    static final byte SNAPSHOT_CHUNK = 33;

    private WireFormat() {
    }
}
