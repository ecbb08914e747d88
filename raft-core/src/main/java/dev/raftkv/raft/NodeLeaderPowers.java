package dev.raftkv.raft;

/** What a {@link RaftNode} lets its {@link Leadership} see and do, and nothing more: each power delegates to the node. */
final class NodeLeaderPowers implements LeaderPowers {
    private final RaftNode node;

    NodeLeaderPowers(RaftNode node) {
        this.node = node;
    }

    @Override
    public String id() {
        return node.id;
    }

    @Override
    public RaftConfig config() {
        return node.cfg;
    }

    @Override
    public long now() {
        return node.now;
    }

    @Override
    public ClusterConfig members() {
        return node.members;
    }

    @Override
    public RaftLog log() {
        return node.log;
    }

    @Override
    public SnapshotMeta latestSnapshot() {
        return node.latestSnapshot();
    }

    @Override
    public void send(Message m) {
        node.send(m);
    }

    @Override
    public void sendAfterPersist(Message m) {
        node.sendAfterPersist(m);
    }

    @Override
    public void answerRead(ReadState read) {
        node.reads.add(read);
    }

    @Override
    public void report(RaftEvent event) {
        node.events.add(event);
    }

    @Override
    public void resign() {
        node.becomeFollower(node.term(), null);
    }
}
