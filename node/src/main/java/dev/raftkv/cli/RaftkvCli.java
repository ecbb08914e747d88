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
        // an expected failure (a bad setting, a file that is not there, a cluster that does not answer) is one line
        // that says what to do; only what nobody foresaw keeps its stack trace, and RAFTKV_VERBOSE=1 shows every one
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            ExitCode code = expected(e);
            if (code == null) throw e;
            cmd.getErr().println(cmd.getCommandName() + ": " + oneLine(e));
            if (verbose()) e.printStackTrace(cmd.getErr());
            cmd.getErr().flush();
            return code.code;
        });
        return cli;
    }

    /** The exit status for an expected failure, or null for one nobody foresaw. */
    static ExitCode expected(Exception e) {
        if (e instanceof UnreachableException) return ExitCode.UNAVAILABLE;
        if (e instanceof java.net.BindException) return ExitCode.UNAVAILABLE;
        if (e instanceof java.nio.file.NoSuchFileException || e instanceof java.io.FileNotFoundException) return ExitCode.USAGE;
        if (e instanceof java.net.http.HttpTimeoutException) return ExitCode.OUTCOME_UNKNOWN;
        if (e instanceof IllegalArgumentException) return ExitCode.USAGE;
        return null;
    }

    private static String oneLine(Exception e) {
        if (e instanceof java.nio.file.NoSuchFileException f) return "no such file: " + f.getFile();
        if (e instanceof java.net.http.HttpTimeoutException) {
            return "no answer in time (" + e.getMessage() + "); a write may still take effect";
        }
        String m = e.getMessage() == null ? e.toString() : e.getMessage();
        return m.replace('\n', ' ');
    }

    private static boolean verbose() {
        return "1".equals(System.getenv("RAFTKV_VERBOSE")) || Boolean.getBoolean("raftkv.verbose");
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
