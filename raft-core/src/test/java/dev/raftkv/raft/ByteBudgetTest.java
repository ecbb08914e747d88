package dev.raftkv.raft;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * AppendEntries are sized by bytes as well as by count, and so is each follower's in-flight window: a
 * follower far behind catches up through a network that, like the real transport, refuses any message
 * carrying more entry data than one frame holds. Without the byte budget ({@link InjectedBug#NO_BYTE_BUDGET})
 * the same follower is sent one oversized message after another and never catches up.
 */
class ByteBudgetTest {
    private static final int FRAME_DATA_BYTES = 64 * 1024;
    private static final long PER_MESSAGE = 16 * 1024;
    private static final long IN_FLIGHT = 40 * 1024;

    /** What the scenario saw on the wire to the lagging follower. */
    private record Wire(long largestMessage, long largestInFlight, int refused, List<Integer> entriesPerMessage) {
    }

    private static ManualCluster cluster(InjectedBug... bugs) {
        RaftConfig cfg = RaftConfig.defaults("x").withBugs(Set.of(bugs)).withByteBudgets(PER_MESSAGE, IN_FLIGHT);
        ManualCluster c = new ManualCluster(3, cfg);
        c.campaign("n1");
        c.deliverAll();
        assertThat(c.leader()).isEqualTo("n1");
        return c;
    }

    private static long dataBytes(Message.AppendEntries a) {
        long sum = 0;
        for (Entry e : a.entries()) sum += e.data().length;
        return sum;
    }

    /**
     * Ticks and delivers for a while, as a network whose frames hold {@value #FRAME_DATA_BYTES} bytes of entry
     * data: a larger AppendEntries is refused, as NettyTransport refuses to encode it.
     */
    private static Wire run(ManualCluster c, int ticks) {
        long largest = 0;
        long largestInFlight = 0;
        int refused = 0;
        List<Integer> counts = new ArrayList<>();
        for (int t = 0; t < ticks; t++) {
            c.tick("n1", 1);
            for (int round = 0; round < 100; round++) {
                c.drain();
                if (c.inFlight.isEmpty()) break;
                List<Message> batch = new ArrayList<>(c.inFlight);
                c.inFlight.clear();
                long inFlight = 0;
                for (Message m : batch) {
                    if (m instanceof Message.AppendEntries a && a.to().equals("n3")) {
                        inFlight += Entry.sizeBytes(a.entries());
                        if (!a.entries().isEmpty()) {
                            largest = Math.max(largest, Entry.sizeBytes(a.entries()));
                            counts.add(a.entries().size());
                        }
                        if (dataBytes(a) > FRAME_DATA_BYTES) {
                            refused++;
                            continue;
                        }
                    }
                    c.nodes.get(m.to()).step(m);
                }
                largestInFlight = Math.max(largestInFlight, inFlight);
            }
        }
        return new Wire(largest, largestInFlight, refused, counts);
    }

    /** Writes {@code count} entries of {@code size} bytes while n3 is down, then brings n3 back. */
    private static void writeWhileN3IsDown(ManualCluster c, int count, int size) {
        c.crash("n3");
        for (int i = 0; i < count; i++) {
            assertThat(c.node("n1").propose(new byte[size])).isInstanceOf(ProposeResult.Accepted.class);
            c.deliverAll();
        }
        c.start("n3");
    }

    @Test
    void aFollowerFarBehindCatchesUpInMessagesOfAtMostTheBudget() {
        ManualCluster c = cluster();
        writeWhileN3IsDown(c, 100, 4 * 1024); // 400 KiB behind: 256 entries a message would be six frames
        Wire wire = run(c, c.node("n1").cfg.electionTicks() * 3);
        RaftNode n1 = c.node("n1");
        assertThat(c.node("n3").lastIndex()).isEqualTo(n1.lastIndex());
        assertThat(c.node("n3").commitIndex()).isEqualTo(n1.commitIndex());
        assertThat(wire.refused()).isZero();
        assertThat(wire.largestMessage()).isLessThanOrEqualTo(PER_MESSAGE);
        assertThat(wire.entriesPerMessage()).as("as many 4 KiB entries as fit in 16 KiB").contains(3);
        // the window fills at 40 KiB, and the message that filled it may end past it by one message
        assertThat(wire.largestInFlight()).isGreaterThan(IN_FLIGHT / 2).isLessThanOrEqualTo(IN_FLIGHT + PER_MESSAGE);
    }

    @Test
    void anEntryLargerThanTheBudgetTravelsAlone() {
        ManualCluster c = cluster();
        writeWhileN3IsDown(c, 5, 48 * 1024); // each over the 16 KiB budget, under the frame
        Wire wire = run(c, c.node("n1").cfg.electionTicks() * 3);
        assertThat(c.node("n3").commitIndex()).isEqualTo(c.node("n1").commitIndex());
        assertThat(wire.refused()).isZero();
        assertThat(wire.entriesPerMessage()).containsOnly(1);
    }

    @Test
    void control_noByteBudgetNeverCatchesUp() {
        ManualCluster c = cluster(InjectedBug.NO_BYTE_BUDGET);
        writeWhileN3IsDown(c, 100, 4 * 1024);
        Wire wire = run(c, c.node("n1").cfg.electionTicks() * 10);
        assertThat(wire.refused()).as("every probe is too large for a frame").isGreaterThan(5);
        assertThat(c.node("n3").lastIndex()).isLessThan(c.node("n1").lastIndex() - 50);
    }
}
