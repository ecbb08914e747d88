package dev.raftkv.cli;

/**
 * A subcommand of {@code raftkv} that lives in a module the CLI cannot depend on (the simulator and
 * the verifier in test-cluster). Found with {@link java.util.ServiceLoader}.
 */
public interface CliSubcommand {
    /** A picocli-annotated command object. */
    Object command();
}
