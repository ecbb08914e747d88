package dev.raftkv.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.ServiceLoader;

/** {@code bin/raftkv}: one launcher for everything. */
@Command(name = "raftkv", mixinStandardHelpOptions = true, version = "raftkv 0.1.0",
        description = "A replicated key-value store on Raft.",
        subcommands = {NodeCommand.class, BenchLogCommand.class, BenchCommand.class})
public final class RaftkvCli implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new RaftkvCli());
        cli.addSubcommand(new ClusterCommand());
        for (Class<?> c : ClientCommands.all()) cli.addSubcommand(c);
        for (CliSubcommand sub : ServiceLoader.load(CliSubcommand.class)) cli.addSubcommand(sub.command());
        // a bad setting (a flag, a config file field) is the user's to fix: its message, not a stack trace
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (!(e instanceof IllegalArgumentException)) throw e;
            cmd.getErr().println(cmd.getCommandName() + ": " + e.getMessage());
            return cmd.getCommandSpec().exitCodeOnExecutionException();
        });
        return cli;
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
