package dev.raftkv.harness;

import dev.raftkv.cli.NodeCommand;
import dev.raftkv.cli.RaftkvCli;
import dev.raftkv.node.UnsafeControls;
import dev.raftkv.raft.InjectedBug;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.Set;

/**
 * The test-only way to start a node: {@code raftkv node}'s flags plus the switches that break its promises
 * on purpose, which the product's {@code node} command does not accept. Only the harness uses it (
 * {@link ProcessCluster} when a node needs such a switch, so {@code raftkv verify}'s controls and clock
 * nemesis). A node started this way says so on stderr, in its log and in {@code /v1/status}.
 */
public final class UnsafeNodeMain {
    private UnsafeNodeMain() {
    }

    @Command(name = "unsafe-node", mixinStandardHelpOptions = true,
            description = "TEST ONLY: runs a raftkv node with switches that weaken its safety.")
    static final class UnsafeNodeCommand extends NodeCommand {
        @Option(names = "--unsafe-inject-bug", paramLabel = "NAME",
                description = "Switch on a deliberate protocol bug (for raftkv verify --control).")
        String unsafeBug;

        @Option(names = "--unsafe-local-reads",
                description = "Answer linearizable reads from this node's own state (for raftkv verify --control stale-reads).")
        boolean unsafeLocalReads;

        @Option(names = "--unsafe-eager-ack-ms", defaultValue = "0",
                description = "Acknowledge writes before they are durable, writing them every N ms.")
        long unsafeEagerAckMillis;

        @Option(names = "--unsafe-clock-control",
                description = "Serve POST /v1/unsafe/clock {\\\"rate\\\":R}, which makes this node's clock run R times real time"
                        + " (for raftkv verify --nemesis clock).")
        boolean unsafeClockControl;

        @Override
        protected UnsafeControls unsafeControls() {
            UnsafeControls unsafe = new UnsafeControls(unsafeBug == null ? Set.of() : Set.of(InjectedBug.fromFlag(unsafeBug)),
                    unsafeLocalReads, unsafeEagerAckMillis, unsafeClockControl);
            System.err.println("*** TEST-ONLY NODE: started through the harness's entry point with " + unsafe.names()
                    + "; it does not keep raftkv's promises ***");
            return unsafe;
        }
    }

    public static void main(String[] args) {
        CommandLine cli = new CommandLine(new UnsafeNodeCommand());
        cli.setExecutionExceptionHandler(RaftkvCli.commandLine().getExecutionExceptionHandler());
        System.exit(cli.execute(args));
    }
}
