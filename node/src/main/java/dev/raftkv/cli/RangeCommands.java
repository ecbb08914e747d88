package dev.raftkv.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code raftkv ls|scan|txn}: ranges and transactions from the command line, over the HTTP API. */
final class RangeCommands {
    private static final ObjectMapper JSON = new ObjectMapper();

    private RangeCommands() {
    }

    /** How ls and scan walk a range. */
    static final class Walk {
        @Option(names = "--consistency", defaultValue = "linearizable", description = "linearizable, lease, or local.")
        String consistency;
        @Option(names = "--max", defaultValue = "0", description = "Stop after this many keys (0: all).")
        int max;
    }

    /** What to print of each key of a page. */
    private interface Line {
        String of(JsonNode kv);
    }

    /**
     * Walks a range page by page (each page its own request, so nothing but one page is held), printing a line
     * per key; stops after {@code max} keys (0: all). Pages are each consistent; the revision can move between them.
     */
    private static int walk(ClientCommands.Target t, String rangeQuery, Walk how, Line line) throws Exception {
        String consistency = how.consistency;
        int max = how.max;
        HttpCluster cluster = t.connect();
        PrintWriter out = t.out();
        String start = null;
        int printed = 0;
        while (true) {
            int limit = max == 0 ? 1000 : Math.min(1000, max - printed);
            String path = "/v1/kv?" + rangeQuery + "&limit=" + limit + "&consistency=" + ClientCommands.query(consistency)
                    + (start == null ? "" : "&start=" + ClientCommands.query(start));
            HttpResponse<byte[]> r = cluster.send("GET", path, null);
            if (r.statusCode() != 200) return t.printError(r);
            JsonNode page = JSON.readTree(r.body());
            if (t.json) out.println(page);
            for (JsonNode kv : page.get("kvs")) {
                if (!t.json) out.println(line.of(kv));
                printed++;
            }
            out.flush();
            if (!page.get("more").asBoolean() || (max > 0 && printed >= max)) return 0;
            start = page.get("next").asText();
        }
    }

    private static String value(JsonNode kv) {
        if (kv.has("value")) return kv.get("value").asText();
        if (kv.has("valueBase64")) return "base64:" + kv.get("valueBase64").asText();
        return "";
    }

    @Command(name = "ls", mixinStandardHelpOptions = true, description = "Lists the keys that start with PREFIX (every key without one), in key order.")
    static final class Ls extends ClientCommands.Target implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "PREFIX", arity = "0..1", defaultValue = "")
        String prefix;
        @Mixin
        Walk walk;

        @Override
        public Integer call() throws Exception {
            return walk(this, "keysOnly=true&prefix=" + ClientCommands.query(prefix), walk, kv -> kv.get("key").asText());
        }
    }

    @Command(name = "scan", mixinStandardHelpOptions = true,
            description = "Prints KEY<TAB>VALUE for the keys from --start up to --end (exclusive), or with --prefix, in key order.")
    static final class Scan extends ClientCommands.Target implements Callable<Integer> {
        @Option(names = "--start", paramLabel = "A", description = "The first key (inclusive).")
        String startKey;
        @Option(names = "--end", paramLabel = "B", description = "Stop before this key (default: to the last key).")
        String endKey;
        @Option(names = "--prefix", paramLabel = "P", description = "Every key that starts with P.")
        String prefix;
        @Mixin
        Walk walk;

        @Override
        public Integer call() throws Exception {
            if (prefix != null && (startKey != null || endKey != null)) {
                throw new ParameterException(spec.commandLine(), "give --prefix, or --start and --end, not both");
            }
            String range = prefix != null ? "prefix=" + ClientCommands.query(prefix)
                    : "start=" + ClientCommands.query(startKey == null ? "" : startKey) + (endKey == null ? "" : "&end=" + ClientCommands.query(endKey));
            return walk(this, range, walk, kv -> kv.get("key").asText() + "\t" + value(kv));
        }
    }

    @Command(name = "txn", mixinStandardHelpOptions = true,
            description = {"Runs the transaction in FILE (JSON; - or nothing: standard input) and prints the answer.",
                    "Exit status 0 when the compares held (success ran), 1 when they did not (failure ran), 2 on an error."})
    static final class Txn extends ClientCommands.Target implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "FILE", arity = "0..1", defaultValue = "-")
        String file;

        @Override
        public Integer call() throws Exception {
            byte[] body = file.equals("-") ? System.in.readAllBytes() : Files.readAllBytes(Path.of(file));
            HttpResponse<byte[]> r = connect().send("POST", "/v1/txn", body);
            if (r.statusCode() != 200) return printError(r);
            JsonNode answer = JSON.readTree(r.body());
            out().println(json ? answer.toString() : answer.toPrettyString());
            out().flush();
            return answer.get("succeeded").asBoolean() ? 0 : 1;
        }
    }
}
