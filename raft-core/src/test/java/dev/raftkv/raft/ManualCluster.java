package dev.raftkv.raft;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Predicate;

/**
 * RaftNodes wired by hand for scenario tests: the test decides which messages arrive, when a node
 * ticks, crashes or restarts. Storage is a map per node that is durable the moment a Ready is taken,
 * unless the test holds a node's writes back to lose them in a crash.
 */
final class ManualCluster {
    /** What a node has made durable. */
    static final class Disk {
        HardState hardState = HardState.INITIAL;
        final List<Entry> entries = new ArrayList<>();
    }

    final Map<String, RaftNode> nodes = new LinkedHashMap<>();
    final Map<String, Disk> disks = new HashMap<>();
    final List<Message> inFlight = new ArrayList<>();
    final Map<String, List<ReadState>> reads = new HashMap<>();
    final Map<String, List<Entry>> applied = new HashMap<>();
    final Map<String, List<RaftEvent>> events = new HashMap<>();
    private final Set<String> down = new HashSet<>();
    private final RaftConfig base;
    private final ClusterConfig members;
    /** Nodes that joined later start knowing no membership; they learn it from the leader's log. */
    private final Set<String> joiners = new HashSet<>();
    private long seed = 1;

    ManualCluster(int n, RaftConfig base) {
        this.base = base;
        List<String> ids = new ArrayList<>();
        for (int i = 1; i <= n; i++) ids.add("n" + i);
        this.members = new ClusterConfig(Set.copyOf(ids), Set.of());
        for (String id : ids) {
            disks.put(id, new Disk());
            start(id);
        }
    }

    static ManualCluster of(int n) {
        return new ManualCluster(n, RaftConfig.defaults("x"));
    }

    RaftNode node(String id) {
        return nodes.get(id);
    }

    private RaftConfig configFor(String id) {
        return base.withId(id);
    }

    void start(String id) {
        Disk d = disks.get(id);
        ClusterConfig base = joiners.contains(id) ? ClusterConfig.NONE : members;
        nodes.put(id, new RaftNode(configFor(id), base, new Random(seed++), d.hardState, null, List.copyOf(d.entries)));
        applied.put(id, new ArrayList<>());
        down.remove(id);
    }

    /** Starts a new, empty node that is in nobody's membership yet. */
    void addEmptyNode(String id) {
        joiners.add(id);
        disks.put(id, new Disk());
        start(id);
    }

    /** The node stops; its messages in flight still arrive elsewhere, messages to it are lost. */
    void crash(String id) {
        down.add(id);
        inFlight.removeIf(m -> m.to().equals(id));
    }

    void restart(String id) {
        crash(id);
        start(id);
    }

    /** Takes every node's Ready: persists at once, queues messages, records applied entries and reads. */
    void drain() {
        for (Map.Entry<String, RaftNode> e : nodes.entrySet()) {
            if (down.contains(e.getKey())) continue;
            RaftNode n = e.getValue();
            Ready r = n.ready();
            Disk d = disks.get(e.getKey());
            if (r.hardState() != null) d.hardState = r.hardState();
            for (Entry en : r.entries()) {
                d.entries.removeIf(old -> old.index() >= en.index());
                d.entries.add(en);
            }
            inFlight.addAll(r.messages());
            inFlight.addAll(r.messagesAfterPersist());
            applied.get(e.getKey()).addAll(r.committed());
            reads.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).addAll(r.reads());
            events.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).addAll(r.events());
            if (!r.entries().isEmpty()) {
                Entry last = r.entries().get(r.entries().size() - 1);
                n.persisted(last.index(), last.term());
                // persisting can commit (a leader counts itself), so look again
                if (n.role() == Role.LEADER) {
                    Ready again = n.ready();
                    inFlight.addAll(again.messages());
                    inFlight.addAll(again.messagesAfterPersist());
                    applied.get(e.getKey()).addAll(again.committed());
                    reads.get(e.getKey()).addAll(again.reads());
                    events.get(e.getKey()).addAll(again.events());
                }
            }
        }
    }

    /** What {@code id} reported so far, of one kind. */
    <T extends RaftEvent> List<T> events(String id, Class<T> kind) {
        return events.getOrDefault(id, List.of()).stream().filter(kind::isInstance).map(kind::cast).toList();
    }

    /**
     * The node's disk lost its last {@code records} log entries although it had reported them durable (a disk
     * that lied about fsync, a cut segment); its hard state survived. Call while it is down.
     */
    void loseLastRecords(String id, int records) {
        List<Entry> entries = disks.get(id).entries;
        for (int i = 0; i < records; i++) entries.remove(entries.size() - 1);
    }

    /** Delivers queued messages that pass {@code allow} (others are dropped) until nothing moves. */
    void deliver(Predicate<Message> allow) {
        for (int round = 0; round < 1000; round++) {
            drain();
            if (inFlight.isEmpty()) return;
            List<Message> batch = new ArrayList<>(inFlight);
            inFlight.clear();
            for (Message m : batch) {
                if (down.contains(m.to()) || !allow.test(m)) continue;
                nodes.get(m.to()).step(m);
            }
        }
        throw new AssertionError("messages still moving after 1000 rounds");
    }

    void deliverAll() {
        deliver(m -> true);
    }

    /** Delivers only among {@code group}; everything else is dropped. */
    void deliverWithin(String... group) {
        Set<String> g = Set.of(group);
        deliver(m -> g.contains(m.from()) && g.contains(m.to()));
    }

    /** Delivers exactly one queued message matching {@code which}, dropping none of the others. */
    void deliverOne(Predicate<Message> which) {
        drain();
        for (Iterator<Message> it = inFlight.iterator(); it.hasNext(); ) {
            Message m = it.next();
            if (which.test(m)) {
                it.remove();
                if (!down.contains(m.to())) nodes.get(m.to()).step(m);
                drain();
                return;
            }
        }
        throw new AssertionError("no message in flight matches; in flight: " + inFlight);
    }

    void dropAll() {
        drain();
        inFlight.clear();
    }

    /** Makes {@code id} start an election now, as leadership transfer does (no pre-vote, ignores leases). */
    void campaign(String id) {
        RaftNode n = nodes.get(id);
        n.step(new Message.TimeoutNow("test", id, n.term()));
    }

    void tick(String id, int times) {
        for (int i = 0; i < times; i++) nodes.get(id).tick();
    }

    void tickAll(int times) {
        for (int i = 0; i < times; i++) {
            for (String id : nodes.keySet()) {
                if (!down.contains(id)) nodes.get(id).tick();
            }
            deliverAll();
        }
    }

    String leader() {
        String leader = null;
        long term = -1;
        for (Map.Entry<String, RaftNode> e : nodes.entrySet()) {
            if (!down.contains(e.getKey()) && e.getValue().role() == Role.LEADER && e.getValue().term() > term) {
                leader = e.getKey();
                term = e.getValue().term();
            }
        }
        return leader;
    }

    /** Proposes a command on {@code id} and returns its index. */
    long propose(String id, String command) {
        ProposeResult r = nodes.get(id).propose(command.getBytes());
        if (r instanceof ProposeResult.Accepted a) return a.index();
        throw new AssertionError(id + " refused the proposal: " + r);
    }
}
