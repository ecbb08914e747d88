package dev.raftkv.sim;

import dev.raftkv.check.CheckResult;
import dev.raftkv.check.LinearizabilityChecker;
import dev.raftkv.check.LostWriteChecker;
import dev.raftkv.check.Op;
import dev.raftkv.check.Outcome;
import dev.raftkv.check.Verdict;
import dev.raftkv.kv.KvCodec;
import dev.raftkv.kv.KvCommand;
import dev.raftkv.kv.KvLimits;
import dev.raftkv.kv.KvResult;
import dev.raftkv.node.FrameBudget;
import dev.raftkv.raft.ClusterConfig;
import dev.raftkv.raft.ConfigChange;
import dev.raftkv.raft.InjectedBug;
import dev.raftkv.raft.RaftConfig;
import dev.raftkv.raft.RaftNode;
import dev.raftkv.raft.Role;
import dev.raftkv.raft.server.RaftServer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * One seeded run of N real {@link RaftServer}s over a simulated network and simulated disks, in
 * virtual time, on this thread. Faults run while clients write and read; then everything heals,
 * the cluster must elect a leader and commit a write within a bound, every key is read, and the
 * history must be linearizable with no acknowledged write lost. Checkers run after every event.
 */
public final class Simulation {
    static final long TICK_MILLIS = 10;
    static final int ELECTION_TICKS = 10;
    /** After healing, a leader must be elected and a write committed within this much virtual time. */
    static final long RECOVERY_BOUND_MILLIS = 5_000;
    static final long CLIENT_TIMEOUT_MILLIS = 500;
    /**
     * The frame limits of the simulated wire: the real transport's (16 MiB of entry data in a 32 MiB frame)
     * scaled down 256 times, so that values as large as the limits allow stay cheap to simulate.
     */
    static final int MAX_ENTRY_BYTES = 64 * 1024;
    static final int MAX_FRAME_BYTES = 2 * MAX_ENTRY_BYTES;
    /** Keys are {@code k0}..{@code k9}; the limit that sizes the largest entry, as {@code --max-key-bytes} does. */
    static final int MAX_KEY_BYTES = 16;
    /** After healing, a member behind the leader's commit index must move closer at least this often... */
    static final long CATCH_UP_STALL_MILLIS = 2_000;
    /** ... until every member has caught up, or this long has passed (a slow link may take longer; it still moves). */
    static final long CATCH_UP_MAX_MILLIS = 10_000;

    /**
     * @param ticks    length of the faulty phase, in ticks of {@value #TICK_MILLIS} virtual ms
     * @param schedule the faults to inject, or null to draw them from the seed
     */
    public record Params(long seed, int nodes, int ticks, Set<InjectedBug> bugs, List<Fault.At> schedule,
                         int clients, int keys) {
        public static Params of(long seed, int nodes, int ticks) {
            return new Params(seed, nodes, ticks, Set.of(), null, 4, 3);
        }

        public Params withBugs(Set<InjectedBug> b) {
            return new Params(seed, nodes, ticks, b, schedule, clients, keys);
        }

        public Params withSchedule(List<Fault.At> s) {
            return new Params(seed, nodes, ticks, bugs, s, clients, keys);
        }
    }

    /** What a run found. {@code trace} holds the last events before the end or the first violation. */
    /** @param replay the command that runs this seed again, as it ran */
    public record Result(long seed, List<String> violations, String trace, long traceHash, int ops, int faults,
                         long events, List<Fault.At> schedule, long maxTerm, String replay) {
        public boolean ok() {
            return violations.isEmpty();
        }

        public String report() {
            StringBuilder sb = new StringBuilder();
            sb.append("seed ").append(seed).append(": ").append(ok() ? "ok" : "VIOLATION").append('\n');
            violations.forEach(v -> sb.append("  ").append(v).append('\n'));
            if (!ok()) {
                sb.append("  schedule: ").append(schedule).append('\n');
                sb.append("  replay: ").append(replay).append('\n');
                sb.append("  last events:\n").append(trace.indent(4));
            }
            return sb.toString();
        }
    }

    /** Thrown to end a run at its first safety violation. */
    private static final class Violation extends RuntimeException {
        Violation(String message) {
            super(message, null, false, false);
        }
    }

    private final Params params;
    private final SimWorld world;
    private final SimNetwork network;
    private final LogRegistry registry;
    private final List<SimNode> nodes = new ArrayList<>();
    private final Map<String, SimNode> byId = new LinkedHashMap<>();
    private final SimHistory history = new SimHistory();
    private final List<SimClient> clients = new ArrayList<>();
    private SimBank bank;
    private final List<String> violations = new ArrayList<>();
    private final Map<String, Long> lastCommitChecked = new HashMap<>();
    /** Nodes whose disk lost records, with the commit hint they lost them below (see noteRepairs). */
    private final Map<String, Long> missingWhatTheyLost = new TreeMap<>();
    private final List<Fault.At> schedule;
    private final ClockDrift clocks;
    private final SimValues values;
    private int faultsRun;
    private Fault.CrashNextLeader armedLeaderCrash;
    private long killLeadersUntil;
    private long killVotersUntil;
    /** Each node's (term, vote) when last looked at, to see a vote being granted. */
    private final Map<String, String> lastVote = new HashMap<>();
    private long isolateLeadersUntil;
    private boolean healed;
    private long highestLeaderTerm;
    private long churnUntil;

    private Simulation(Params params) {
        this.params = params;
        this.world = new SimWorld(params.seed(), Integer.getInteger("sim.trace", 60));
        Random r = world.random();
        SimNetwork.Conditions conditions = new SimNetwork.Conditions(
                r.nextInt(4) == 0 ? 0 : r.nextDouble() * 0.1, r.nextDouble() * 0.05, 1,
                2 + r.nextInt(new int[]{5, 20, 60, 100}[r.nextInt(4)]));
        this.network = new SimNetwork(new Random(r.nextLong()), conditions, MAX_ENTRY_BYTES, MAX_FRAME_BYTES);
        network.keepStaleConnections(params.bugs().contains(InjectedBug.KEEP_STALE_CONNECTIONS));
        this.registry = new LogRegistry(this::violated);
        this.schedule = params.schedule() != null ? params.schedule()
                : FaultSchedules.random(new Random(r.nextLong()), params.nodes(), params.ticks() * TICK_MILLIS);

        List<String> ids = new ArrayList<>();
        for (int i = 1; i <= params.nodes(); i++) ids.add("n" + i);
        ClusterConfig members = new ClusterConfig(Set.copyOf(ids), Set.of());
        int maxInflight = 1 + r.nextInt(8);
        // one entry per message half the time: then a new leader's old-term entries and its no-op travel apart
        int maxEntries = r.nextBoolean() ? 1 : 1 + r.nextInt(8);
        long snapshotEvery = r.nextInt(3) == 0 ? 0 : 10 + r.nextInt(60);
        long snapshotBytes = r.nextInt(3) == 0 ? 500 + r.nextInt(2000) : 0;
        this.clocks = ClockDrift.draw(new Random(r.nextLong()), params.nodes());
        // sizes come from a generator of their own: seeds of small values run exactly as they did before sizes were drawn
        Random sizes = new Random(params.seed() * 0x9E3779B97F4A7C15L + 0x5EED);
        boolean largeValues = sizes.nextInt(3) == 0;
        // in a third of the seeds, values up to the largest the node's limits allow: a CAS of two is a frame's worth
        this.values = largeValues ? new SimValues(FrameBudget.largestValueBytes(MAX_KEY_BYTES, MAX_ENTRY_BYTES))
                : SimValues.TAGS_ONLY;
        long bytesPerMessage = MAX_ENTRY_BYTES >> (2 * sizes.nextInt(3));    // a frame, a quarter, a sixteenth
        long inflightBytes = (long) MAX_ENTRY_BYTES << (2 * sizes.nextInt(3)) >> 2; // a quarter, one, four frames
        for (String id : ids) {
            RaftConfig cfg = new RaftConfig(id, ELECTION_TICKS, 1, maxInflight, maxEntries, params.bugs(),
                    clocks.tolerancePercent(), bytesPerMessage, inflightBytes);
            // as a node does before it starts: every entry the limits allow fits in one frame
            FrameBudget.check(new KvLimits(MAX_KEY_BYTES, values.maxBytes()), cfg, MAX_ENTRY_BYTES);
            SimNode node = new SimNode(id, world, network,
                    new RaftServer.Options(cfg, members, TICK_MILLIS, snapshotEvery, snapshotBytes), byId::get, registry, 5);
            nodes.add(node);
            byId.put(id, node);
        }
        for (int i = 0; i < nodes.size(); i++) nodes.get(i).clockRate(clocks.rates()[i]);
        world.trace("conditions " + conditions + ", maxInflight " + maxInflight + ", maxEntries " + maxEntries
                + ", snapshotEvery " + snapshotEvery + " entries / " + snapshotBytes + " bytes, clocks: " + clocks
                + ", values up to " + values.maxBytes() + " bytes, " + bytesPerMessage + " bytes a message, "
                + inflightBytes + " in flight");
    }

    public static Result run(Params params) {
        return new Simulation(params).run();
    }

    private Result run() {
        try {
            nodes.forEach(SimNode::start);
            for (Fault.At f : schedule) world.at(f.millis(), () -> inject(f.fault()));
            for (int i = 0; i < params.clients(); i++) {
                SimClient c = new SimClient(i, world, nodes, history, params.keys(), CLIENT_TIMEOUT_MILLIS, values);
                clients.add(c);
                c.start();
            }
            BankReference reference = new BankReference();
            registry.onFirstApplied(reference::applied);
            bank = new SimBank(world, nodes, params.bugs(), CLIENT_TIMEOUT_MILLIS, this::violated, params.seed(), reference);
            bank.start();
            monitorLeaders();
            long end = params.ticks() * TICK_MILLIS;
            world.runUntil(end, this::checkAfterEvent);

            clients.forEach(SimClient::stop);
            bank.stop();
            healEverything();
            recover(end);
            checkHistory();
            checkBank();
            checkCatchUp();
        } catch (Violation v) {
            // recorded already; the run ends at its first safety violation
        } catch (RuntimeException e) {
            // a node (or the simulator) threw: as much a finding as a violation, and it has a seed too
            java.io.StringWriter stack = new java.io.StringWriter();
            e.printStackTrace(new java.io.PrintWriter(stack));
            violations.add("t=" + world.now() + "ms exception: " + stack.toString().lines().limit(12)
                    .reduce((a, b) -> a + "\n    " + b).orElse(e.toString()));
        }
        long maxTerm = nodes.stream().filter(n -> n.core() != null).mapToLong(n -> n.core().term()).max().orElse(0);
        return new Result(params.seed(), List.copyOf(violations), world.recentTrace(), world.traceHash(),
                history.ops().size(), faultsRun, world.eventsRun(), schedule, maxTerm, replayCommand(params));
    }

    /** The sim command for one seed with these parameters (a schedule fixed by a test is not one of its flags). */
    static String replayCommand(Params p) {
        StringBuilder sb = new StringBuilder("bin/raftkv sim --seeds 1 --start ").append(p.seed())
                .append(" --nodes ").append(p.nodes()).append(" --steps ").append(p.ticks());
        p.bugs().stream().map(InjectedBug::flag).sorted().forEach(b -> sb.append(" --inject-bug ").append(b));
        if (p.schedule() != null) sb.append("  (with the test's fixed schedule, which this command does not set)");
        return sb.toString();
    }

    // ---------------------------------------------------------------- faults

    private void inject(Fault fault) {
        faultsRun++;
        world.trace("nemesis " + fault);
        if (fault instanceof Fault.Isolate f) {
            SimNode n = resolve(f.node());
            Map<String, Integer> groups = new HashMap<>();
            groups.put(n.id, 1);
            network.partition(groups);
        } else if (fault instanceof Fault.Partition p) {
            Map<String, Integer> groups = new HashMap<>();
            for (int g = 0; g < p.groups().size(); g++) {
                for (int i : p.groups().get(g)) groups.put(nodes.get(i).id, g + 1);
            }
            network.partition(groups);
        } else if (fault instanceof Fault.Bridge b) {
            bridge(b.bridge());
        } else if (fault instanceof Fault.Heal) {
            network.heal();
        } else if (fault instanceof Fault.Crash c) {
            resolve(c.node()).crash();
        } else if (fault instanceof Fault.CrashRestart c) {
            SimNode n = resolve(c.node());
            n.crash();
            world.after(c.downMillis(), () -> {
                if (!n.isUp()) n.start();
            });
        } else if (fault instanceof Fault.RestartBehindStaleConnections r) {
            SimNode n = resolve(r.node());
            n.crash();
            network.staleConnectionsTo(n.id, nodes.stream().map(x -> x.id).toList());
            world.after(r.downMillis(), () -> {
                if (!n.isUp()) n.start();
            });
        } else if (fault instanceof Fault.LoseSyncedTail l) {
            loseSyncedTail(resolve(l.node()), l.downMillis());
        } else if (fault instanceof Fault.CrashNextLeader c) {
            armedLeaderCrash = c;
        } else if (fault instanceof Fault.IsolateLeaders k) {
            isolateLeadersUntil = world.now() + k.forMillis();
        } else if (fault instanceof Fault.KillLeaders k) {
            killLeadersUntil = world.now() + k.forMillis();
        } else if (fault instanceof Fault.KillVoters k) {
            killVotersUntil = world.now() + k.forMillis();
        } else if (fault instanceof Fault.Flap f) {
            flap(resolve(f.node()), world.now() + f.forMillis());
        } else if (fault instanceof Fault.RestartAll) {
            for (SimNode n : nodes) {
                if (!n.isUp()) n.start();
            }
        } else if (fault instanceof Fault.Pause p) {
            resolve(p.node()).pause();
        } else if (fault instanceof Fault.ResumeAll) {
            nodes.forEach(SimNode::resume);
        } else if (fault instanceof Fault.Transfer t) {
            transfer(t.isolateOldLeader());
        } else if (fault instanceof Fault.ChurnMembership m) {
            churnUntil = world.now() + m.forMillis();
            churnMembership();
        }
    }

    private void transfer(boolean isolateOldLeader) {
        SimNode leader = currentLeader();
        if (leader == null) return;
        List<SimNode> others = nodes.stream()
                .filter(n -> n != leader && n.isRunning() && leader.core().members().isVoter(n.id)).toList();
        if (others.isEmpty()) return;
        SimNode target = others.get(world.random().nextInt(others.size()));
        world.trace("nemesis asks " + leader.id + " to hand leadership to " + target.id);
        leader.server().transferLeadership(target.id);
        if (isolateOldLeader) isolateOnceCampaigning(leader, target, leader.core().term(), world.now() + 300);
    }

    /** Cuts {@code old} off as soon as {@code target} campaigns, before its vote request can reach {@code old}. */
    private void isolateOnceCampaigning(SimNode old, SimNode target, long oldTerm, long giveUpAt) {
        if (healed || world.now() > giveUpAt) return;
        RaftNode t = target.core();
        if (t != null && t.term() > oldTerm) {
            world.trace("nemesis isolates old leader " + old.id);
            network.partition(Map.of(old.id, 1));
            return;
        }
        world.after(1, () -> isolateOnceCampaigning(old, target, oldTerm, giveUpAt));
    }

    /** Asks the leader for one membership change, now and then two in a row, until the churn ends. */
    private void churnMembership() {
        if (healed || world.now() >= churnUntil) return;
        SimNode leader = currentLeader();
        if (leader != null && missingWhatTheyLost.isEmpty()) {
            ClusterConfig members = leader.core().members();
            ConfigChange first = nextChange(members);
            ask(leader, first);
            if (world.random().nextInt(4) == 0) {
                // a second change on top of the first, the kind that shrinks the majority further, and
                // sometimes the leader cut off at once: a correct leader refuses the second change; one
                // that makes both can commit alone while the others elect a leader of their own
                ClusterConfig after;
                try {
                    after = first.applyTo(members);
                } catch (IllegalArgumentException impossible) {
                    after = members;
                }
                ask(leader, removeAnotherVoter(after, leader.id));
                if (world.random().nextBoolean()) {
                    world.trace("nemesis isolates " + leader.id + " after two changes");
                    network.partition(Map.of(leader.id, 1));
                }
            }
        }
        world.after(50 + world.random().nextInt(300), this::churnMembership);
    }

    private void ask(SimNode leader, ConfigChange change) {
        world.trace("nemesis asks " + leader.id + " for " + change);
        leader.server().changeMembership(change); // refusals are expected: pending change, lagging learner
    }

    private ConfigChange removeAnotherVoter(ClusterConfig members, String leader) {
        List<String> others = new ArrayList<>(members.voters());
        others.remove(leader);
        if (others.isEmpty()) return nextChange(members);
        return new ConfigChange.Remove(others.get(world.random().nextInt(others.size())));
    }

    private ConfigChange nextChange(ClusterConfig members) {
        Random r = world.random();
        if (!members.learners().isEmpty() && r.nextInt(3) > 0) {
            return new ConfigChange.Promote(members.learners().iterator().next(), 10);
        }
        List<String> outside = new ArrayList<>();
        for (SimNode n : nodes) {
            if (!members.contains(n.id)) outside.add(n.id);
        }
        if (!outside.isEmpty() && (members.voters().size() <= 2 || r.nextBoolean())) {
            return new ConfigChange.AddLearner(outside.get(r.nextInt(outside.size())), null);
        }
        List<String> voters = new ArrayList<>(members.voters());
        return new ConfigChange.Remove(voters.get(r.nextInt(voters.size())));
    }

    /** The bridge node sees both halves; the halves do not see each other. */
    private void bridge(int bridgeNode) {
        Map<String, Integer> groups = new HashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            if (i != bridgeNode) groups.put(nodes.get(i).id, i < nodes.size() / 2 ? 1 : 2);
        }
        network.bridge(groups, nodes.get(bridgeNode).id);
    }

    private SimNode resolve(int node) {
        if (node == Fault.FOLLOWER) {
            SimNode leader = currentLeader();
            return nodes.stream().filter(n -> n != leader).findFirst().orElseThrow();
        }
        if (node != Fault.LEADER) return nodes.get(node);
        SimNode leader = currentLeader();
        return leader != null ? leader : nodes.get(world.random().nextInt(nodes.size()));
    }

    private void healEverything() {
        healed = true;
        armedLeaderCrash = null;
        world.trace("nemesis heals everything");
        network.heal();
        for (SimNode n : nodes) {
            if (!n.isUp()) n.start();
            n.resume();
        }
    }

    // ---------------------------------------------------------------- checkers

    private void violated(String what) {
        String line = "t=" + world.now() + "ms " + what;
        violations.add(line);
        world.trace("VIOLATION " + what);
        throw new Violation(line);
    }

    /** Safety after every event: one leader per term; committed entries never change. */
    private void checkAfterEvent() {
        if (!missingWhatTheyLost.isEmpty()) noteRepairs();
        for (SimNode n : nodes) {
            RaftNode c = n.core();
            if (c == null) continue;
            if (c.role() == Role.LEADER) {
                registry.leader(n.id, c.term());
                if (c.term() > highestLeaderTerm) {
                    highestLeaderTerm = c.term();
                    onNewLeader(n);
                }
            }
            if (c.votedFor() != null && !c.votedFor().equals(n.id)) {
                String vote = c.term() + ":" + c.votedFor();
                if (!vote.equals(lastVote.put(n.id, vote))) onVote(n);
            }
            // a restarted node starts from a lower commit index and must be checked again from there
            long checked = Math.min(lastCommitChecked.getOrDefault(n.id, 0L), c.commitIndex());
            long from = Math.max(checked + 1, c.firstIndex());
            for (long i = from; i <= c.commitIndex(); i++) registry.committed(n.id, c.entryAt(i));
            lastCommitChecked.put(n.id, c.commitIndex());
        }
    }

    /**
     * Raft, and the repair of a node that lost committed entries, assume at most one copy of an entry is lost
     * at a time: two nodes of three that lose the same acknowledged records lose them for good, whatever the
     * protocol. So the loss strikes only while every other node holds what it acknowledged. And a voter that
     * repairs grants no votes: with fewer than three voters, or while the membership changes under it, the
     * others may not be a majority without it, and the cluster would wait (correctly, but for ever) for an
     * operator. So it strikes only where every node counts at least three voters and no churn runs; and while
     * a node misses what it lost, the churn pauses, as an operator would not shrink a cluster with a broken
     * member (a leader that knows of the repair refuses such a change itself).
     */
    private void loseSyncedTail(SimNode node, long downMillis) {
        // down nodes count too, with what they saw when they went down: they come back with it (seed 508: with the
        // others down, the one node up still saw three voters, and the two-voter majority lost a voter to repair)
        boolean fewVoters = nodes.stream().anyMatch(n -> n.members() != null && n.members().voters().size() < 3);
        boolean churning = world.now() < churnUntil;
        boolean anotherMissing = missingWhatTheyLost.keySet().stream().anyMatch(id -> !id.equals(node.id));
        node.crash();
        int lost = fewVoters || churning || anotherMissing ? 0
                : node.disk.loseTailBeforeCommitHint(world.random(), node.latestSnapshotIndex());
        if (lost > 0) {
            missingWhatTheyLost.put(node.id, node.disk.durableCommitHint());
            world.trace("nemesis: " + node.id + "'s disk lost its last " + lost + " synced records (durable commit hint "
                    + node.disk.durableCommitHint() + ")");
        }
        world.after(downMillis, () -> {
            if (!node.isUp()) node.start();
        });
    }

    /**
     * A node misses what it lost until it is repaired and has committed past the hint it lost entries
     * below. Judged by the log too, not by the repair flag alone, so that with vote-after-data-loss (no flag
     * at all) losses still strike one node at a time and what the control shows is the vote, nothing else.
     */
    private void noteRepairs() {
        missingWhatTheyLost.entrySet().removeIf(e -> {
            SimNode n = nodes.stream().filter(x -> x.id.equals(e.getKey())).findFirst().orElseThrow();
            RaftNode c = n.core();
            return n.isUp() && c != null && !c.repairing() && c.commitIndex() >= e.getValue();
        });
    }

    private void flap(SimNode node, long until) {
        if (world.now() >= until || healed) return;
        node.crash();
        world.after(world.random().nextInt(10), () -> {
            if (!node.isUp()) node.start();
            world.after(world.random().nextInt(30), () -> flap(node, until));
        });
    }

    /** Under {@link Fault.KillVoters}: a node that just granted a vote loses power a moment later, and boots again. */
    private void onVote(SimNode voter) {
        if (world.now() >= killVotersUntil || healed) return;
        int incarnation = voter.incarnation();
        world.after(world.random().nextInt(6), () -> {
            if (healed || !voter.isUp() || voter.incarnation() != incarnation) return;
            world.trace("nemesis crashes voter " + voter.id);
            voter.crash();
            world.after(world.random().nextInt(30), () -> {
                if (!voter.isUp()) voter.start();
            });
        });
    }

    private void onNewLeader(SimNode leader) {
        if (world.now() < isolateLeadersUntil && !healed) {
            // within a few round trips: sometimes before its first appends land, sometimes just after
            world.after(world.random().nextInt(1 + 6 * network.conditions().maxDelayMillis()), () -> {
                if (healed) return;
                world.trace("nemesis isolates new leader " + leader.id);
                network.partition(Map.of(leader.id, 1));
            });
        }
        Fault.CrashNextLeader armed = armedLeaderCrash;
        if (armed == null && world.now() < killLeadersUntil && !healed) {
            armed = new Fault.CrashNextLeader(world.random().nextInt(30), world.random().nextInt(100));
        }
        if (armed == null) return;
        armedLeaderCrash = null;
        Fault.CrashNextLeader c = armed;
        world.after(c.afterMillis(), () -> {
            if (healed) return;
            world.trace("nemesis crashes new leader " + leader.id);
            leader.crash();
            world.after(c.downMillis(), () -> {
                if (!leader.isUp()) leader.start();
            });
        });
    }

    /**
     * Check-quorum, every tick: a leader must step down once, for one election timeout, it could not
     * have heard from a majority (partitions, crashes and pauses all count). Each peer's "last
     * reachable" time is tracked per leadership; the leader may keep leading while a majority
     * (itself included) was reachable within one election timeout, plus the longest a message can take
     * and a tick of rounding on each side, all counted on the leader's own clock. A sliding window, like
     * the rule itself: when a partition moves, the peers of the last window still count.
     */
    private void monitorLeaders() {
        world.after(TICK_MILLIS, () -> {
            for (SimNode n : nodes) {
                RaftNode c = n.core();
                if (!n.isRunning() || c.role() != Role.LEADER) {
                    lastReachable.remove(n.id);
                    leadershipOf.remove(n.id);
                    votersSince.remove(n.id);
                    continue;
                }
                Map<String, Long> seen = lastReachable.computeIfAbsent(n.id, k -> new HashMap<>());
                if (leadershipOf.put(n.id, c) != c || seen.isEmpty()) {
                    // a new leadership (or a node object after a restart): a full window, as the core gives it
                    seen.clear();
                    for (SimNode p : nodes) seen.put(p.id, world.now());
                }
                long bound = (long) Math.ceil((ELECTION_TICKS + 3) * TICK_MILLIS / n.clockRate())
                        + network.conditions().maxDelayMillis();
                // a majority of the voters of the leader's latest membership, itself counted only while it votes
                Set<String> voters = c.members().voters();
                Map.Entry<Set<String>, Long> since = votersSince.get(n.id);
                if (since == null || !since.getKey().equals(voters)) {
                    since = Map.entry(voters, world.now());
                    votersSince.put(n.id, since);
                }
                int recent = voters.contains(n.id) ? 1 : 0;
                for (SimNode p : nodes) {
                    if (p == n) continue;
                    if (p.isRunning() && network.connected(n.id, p.id)) seen.put(p.id, world.now());
                    if (voters.contains(p.id) && world.now() - seen.get(p.id) <= bound) recent++;
                }
                // a new membership is checked at the leader's next tick: allow two ticks of rounding
                if (recent <= voters.size() / 2 && world.now() - since.getValue() > 2 * TICK_MILLIS) {
                    violated("check-quorum: " + n.id + " still leads term " + c.term() + " though for " + bound
                            + "ms it could reach no majority; last reachable: " + seen);
                }
            }
            monitorLeaders();
        });
    }

    private final Map<String, Map<String, Long>> lastReachable = new HashMap<>();
    /** Each leader's voters as the monitor last saw them, and since when. */
    private final Map<String, Map.Entry<Set<String>, Long>> votersSince = new HashMap<>();
    /** The core object of each node's current leadership; a node leads anew after it steps down or restarts. */
    private final Map<String, RaftNode> leadershipOf = new HashMap<>();

    /** Liveness after healing: a leader, and a write that commits, within {@link #RECOVERY_BOUND_MILLIS}. */
    private void recover(long healedAt) {
        long deadline = healedAt + RECOVERY_BOUND_MILLIS;
        // let the clients' last requests finish or time out
        world.runUntil(healedAt + CLIENT_TIMEOUT_MILLIS + 50, this::checkAfterEvent);
        // every probe counts, not only the latest: on a slow, lossy network one may take longer than the
        // 20 ticks after which we propose another
        List<CompletableFuture<Object>> probes = new ArrayList<>();
        java.util.function.BooleanSupplier committed = () -> probes.stream().anyMatch(f -> f.isDone() && !f.isCompletedExceptionally());
        while (!committed.getAsBoolean() && world.now() < deadline) {
            SimNode leader = currentLeader();
            if (leader == null) {
                world.runUntil(world.now() + TICK_MILLIS, this::checkAfterEvent);
                continue;
            }
            KvCommand probe = new KvCommand.Put("recovery", world.now(), "recovery-probe", new byte[]{1});
            CompletableFuture<Object> f = leader.server().propose(KvCodec.encode(probe));
            probes.add(f);
            long until = Math.min(deadline, world.now() + 20 * TICK_MILLIS);
            while (!f.isDone() && !committed.getAsBoolean() && world.now() < until) {
                world.runUntil(world.now() + TICK_MILLIS, this::checkAfterEvent);
            }
        }
        boolean anyCommitted = committed.getAsBoolean();
        if (!anyCommitted) {
            violated("liveness: no write committed within " + RECOVERY_BOUND_MILLIS + "ms after every fault healed; "
                    + describeNodes());
        }
    }

    private SimNode currentLeader() {
        SimNode best = null;
        for (SimNode n : nodes) {
            RaftNode c = n.core();
            if (n.isRunning() && c.role() == Role.LEADER && (best == null || c.term() > best.core().term())) best = n;
        }
        return best;
    }

    /** Reads every key through the leader, then checks linearizability and lost writes. */
    /** The bank's last audit: a linearizable page of every account, through the leader, must add up. */
    private void checkBank() {
        world.trace("bank: " + bank.summary() + " during the run");
        readThroughLeader(SimBank.query(), "audit the bank", (leader, invoke, result) -> bank.audit(leader, (KvResult.Page) result));
    }

    private interface LeaderRead {
        void answered(String leader, long invoke, Object result);
    }

    /** A linearizable read through whoever leads, tried until one is answered within the recovery bound. */
    private void readThroughLeader(byte[] query, String what, LeaderRead answered) {
        long deadline = world.now() + RECOVERY_BOUND_MILLIS;
        while (true) {
            SimNode leader = currentLeader();
            long invoke = world.now();
            if (leader != null) {
                CompletableFuture<Object> f = leader.server().read(query);
                long until = world.now() + 20 * TICK_MILLIS;
                while (!f.isDone() && world.now() < until) world.runUntil(world.now() + TICK_MILLIS, this::checkAfterEvent);
                if (f.isDone() && !f.isCompletedExceptionally()) {
                    answered.answered(leader.id, invoke, f.join());
                    return;
                }
            } else {
                world.runUntil(world.now() + TICK_MILLIS, this::checkAfterEvent);
            }
            if (world.now() > deadline) violated("liveness: could not " + what + " after healing");
        }
    }

    private void checkHistory() {
        Map<String, String> finalValues = new TreeMap<>();
        int process = history.newProcess();
        for (int k = 0; k < params.keys(); k++) {
            String key = "k" + k;
            readThroughLeader(KvCodec.encodeGet(key), "read " + key, (leader, invoke, result) -> {
                String value = values.tag(((KvResult.Value) result).value());
                history.add(Op.get(process, key, value, invoke, world.now(), Outcome.OK));
                finalValues.put(key, value);
            });
        }
        CheckResult lin = LinearizabilityChecker.check(history.ops(), 20_000);
        if (lin.verdict() == Verdict.NOT_LINEARIZABLE) {
            violated("history not linearizable for key " + lin.key() + ":\n" + lin.explanation());
        }
        for (String lost : LostWriteChecker.check(history.ops(), finalValues)) {
            violated("lost acknowledged write: " + lost);
        }
    }

    /**
     * Liveness after healing, member by member: each must reach the commit index the leader has now. The
     * write probe alone cannot see a follower the leader never brings up to date (say, because what it
     * must send is larger than a frame, and the network refuses it every time): a majority commits without
     * it, and the cluster has silently lost a node of fault tolerance. Catching up may be slow (one entry
     * per round trip over a lossy link), so the bound is on progress: a member behind must move at least
     * every {@value #CATCH_UP_STALL_MILLIS} ms, until all have caught up or {@value #CATCH_UP_MAX_MILLIS} ms passed.
     */
    private void checkCatchUp() {
        long start = world.now();
        SimNode leader = currentLeader();
        while (leader == null && world.now() < start + RECOVERY_BOUND_MILLIS) {
            world.runUntil(world.now() + TICK_MILLIS, this::checkAfterEvent);
            leader = currentLeader();
        }
        if (leader == null) violated("liveness: no leader after healing; " + describeNodes());
        long target = leader.core().commitIndex();
        Set<String> members = leader.core().members().members();
        Map<String, long[]> progress = new HashMap<>(); // id -> {commit index, when it last moved}
        while (world.now() < start + CATCH_UP_MAX_MILLIS) {
            boolean behind = false;
            for (SimNode n : nodes) {
                if (!members.contains(n.id)) continue;
                long commit = n.core() == null ? -1 : n.core().commitIndex();
                if (commit >= target) continue;
                behind = true;
                long[] seen = progress.computeIfAbsent(n.id, k -> new long[]{commit, world.now()});
                if (commit > seen[0]) {
                    seen[0] = commit;
                    seen[1] = world.now();
                } else if (world.now() - seen[1] > CATCH_UP_STALL_MILLIS) {
                    violated("liveness: " + n.id + " does not catch up: its commit index stayed at " + commit + " for "
                            + CATCH_UP_STALL_MILLIS + "ms after healing, the leader " + leader.id + "'s is " + target
                            + "; " + describeNodes());
                }
            }
            if (!behind) return;
            world.runUntil(world.now() + TICK_MILLIS, this::checkAfterEvent);
        }
    }

    private String describeNodes() {
        StringBuilder sb = new StringBuilder();
        for (SimNode n : nodes) {
            sb.append(n.core() == null ? n.id + "[down]" : n.core() + "{" + n.core().members() + "}").append(' ');
        }
        return sb.toString().trim();
    }
}
