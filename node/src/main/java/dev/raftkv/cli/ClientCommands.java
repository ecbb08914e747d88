package dev.raftkv.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import dev.raftkv.client.ClientSecurity;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code raftkv put|get|delete|cas|status}: the HTTP API from the command line. */
final class ClientCommands {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ClientCommands() {
    }

    /** Options every client command shares. */
    static class Target {
        @Spec
        CommandSpec spec;

        @Option(names = "--cluster", split = ",", paramLabel = "HOST:PORT",
                description = "Members' HTTP addresses (default: $RAFTKV_ENDPOINTS, comma-separated, else the local cluster in ./raftkv-cluster, else 127.0.0.1:8001-8003).")
        List<String> cluster;

        @Option(names = "--json", description = "Print the server's JSON answer as it is.")
        boolean json;

        @Option(names = "--ca", paramLabel = "PEM",
                description = "The cluster's CA certificate: talk TLS (default: $RAFTKV_CA, else the local cluster's).")
        Path ca;

        @Option(names = "--token", paramLabel = "TOKEN",
                description = "Bearer token (default: $RAFTKV_TOKEN, else the local cluster's from its cluster.json).")
        String token;

        /** Membership and leadership commands present the admin token; the others the client token. */
        boolean needsAdmin() {
            return false;
        }

        HttpCluster connect() throws Exception {
            return new HttpCluster(addresses(), security());
        }

        List<String> addresses() throws Exception {
            if (cluster != null && !cluster.isEmpty()) return cluster;
            String endpoints = env("RAFTKV_ENDPOINTS");
            if (endpoints != null) return endpoints(endpoints);
            Path local = Path.of("raftkv-cluster");
            if (LocalCluster.exists(local)) return LocalCluster.load(local).httpAddresses();
            return List.of("127.0.0.1:8001", "127.0.0.1:8002", "127.0.0.1:8003");
        }

        /**
         * TLS and token: what the flags or the environment say, else what the cluster.json of the local
         * cluster at these addresses holds, else plain text and no token.
         */
        ClientSecurity security() throws Exception {
            ClientSecurity local = LocalClusters.serving(addresses(), needsAdmin()).orElse(ClientSecurity.NONE);
            Path caFile = ca != null ? ca : env("RAFTKV_CA") != null ? Path.of(env("RAFTKV_CA")) : local.ca();
            String t = token != null ? token : env("RAFTKV_TOKEN") != null ? env("RAFTKV_TOKEN") : local.token();
            return new ClientSecurity(caFile, t);
        }

        /** {@code RAFTKV_ENDPOINTS}: addresses separated by commas, spaces around them allowed. */
        static List<String> endpoints(String csv) {
            return Arrays.stream(csv.split(",")).map(String::trim).filter(a -> !a.isEmpty()).toList();
        }

        private static String env(String name) {
            String v = System.getenv(name);
            return v == null || v.isEmpty() ? null : v;
        }

        PrintWriter out() {
            return spec.commandLine().getOut();
        }

        PrintWriter err() {
            return spec.commandLine().getErr();
        }

        /** Prints the answer; the exit status says what kind of answer it was ({@link ExitCode}). */
        int print(HttpResponse<byte[]> r, String okText) {
            String body = new String(r.body(), StandardCharsets.UTF_8);
            if (r.statusCode() / 100 == 2) {
                out().println(json || okText == null ? body : okText);
                out().flush();
                return 0;
            }
            return printError(r);
        }

        /**
         * A refusal: 404 and 409 (an answer, not a failure) on stdout, the others on stderr, as one line: the
         * server's message, or with {@code --json} its whole JSON answer.
         */
        int printError(HttpResponse<byte[]> r) {
            String body = new String(r.body(), StandardCharsets.UTF_8);
            ExitCode code = ExitCode.ofHttp(r.statusCode());
            PrintWriter to = code == ExitCode.NO ? out() : err();
            to.println(json ? body : spec.commandLine().getCommandName() + ": " + messageOf(r.statusCode(), body));
            to.flush();
            return code.code;
        }

        /** The JSON error's message (with its HTTP status), or the body as it is when it is not one. */
        private static String messageOf(int status, String body) {
            try {
                com.fasterxml.jackson.databind.JsonNode error = JSON.readTree(body);
                if (error != null && error.hasNonNull("message")) return error.get("message").asText() + " (HTTP " + status + ")";
            } catch (java.io.IOException notJson) {
                // fall through: print the body
            }
            return "HTTP " + status + ": " + body;
        }
    }

    static String keyPath(String key) {
        return "/v1/kv/" + query(key);
    }

    @Command(name = "put", mixinStandardHelpOptions = true,
            description = "Writes KEY = VALUE (through the leader); VALUE - reads it from standard input, --file from a file.")
    static final class Put extends Target implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "KEY")
        String key;
        @Parameters(index = "1", paramLabel = "VALUE", arity = "0..1", description = "The value; - for standard input.")
        String value;
        @Option(names = "--file", paramLabel = "FILE", description = "Read the value from FILE, bytes as they are (a value too long for a command line).")
        Path file;

        @Override
        public Integer call() throws Exception {
            if ((value == null) == (file == null)) throw new ParameterException(spec.commandLine(), "give a VALUE, - (standard input) or --file FILE");
            byte[] bytes = file != null ? java.nio.file.Files.readAllBytes(file)
                    : value.equals("-") ? System.in.readAllBytes() : value.getBytes(StandardCharsets.UTF_8);
            return print(connect().send("PUT", keyPath(key), bytes), "OK");
        }
    }

    @Command(name = "get", mixinStandardHelpOptions = true, description = "Reads KEY (linearizable by default).")
    static final class Get extends Target implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "KEY")
        String key;
        @Option(names = "--consistency", defaultValue = "linearizable",
                description = "linearizable (through the leader), lease, or local (this node's state, may be stale).")
        String consistency;
        @Option(names = "--meta", description = "Print the key's value with its revisions and version, as JSON.")
        boolean meta;

        @Override
        public Integer call() throws Exception {
            return print(connect().send("GET", keyPath(key) + "?consistency=" + consistency + (meta ? "&meta=true" : ""), null), null);
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Deletes KEY, or with --prefix every key that starts with P (in one log entry).")
    static final class Delete extends Target implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "KEY", arity = "0..1")
        String key;
        @Option(names = "--prefix", paramLabel = "P", description = "Delete every key that starts with P (\"\" is every key).")
        String prefix;

        @Override
        public Integer call() throws Exception {
            if ((key == null) == (prefix == null)) throw new ParameterException(spec.commandLine(), "name a KEY or a --prefix, not both");
            if (prefix != null) {
                return print(connect().send("DELETE", "/v1/kv?prefix=" + query(prefix), null), null);
            }
            return print(connect().send("DELETE", keyPath(key), null), null);
        }
    }

    static String query(String parameter) {
        return URLEncoder.encode(parameter, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @Command(name = "cas", mixinStandardHelpOptions = true, description = "Sets KEY to VALUE only if it now holds --expect (omit --expect: only if absent).")
    static final class Cas extends Target implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "KEY")
        String key;
        @Parameters(index = "1", paramLabel = "VALUE")
        String value;
        @Option(names = "--expect", paramLabel = "OLD")
        String expect;

        @Override
        public Integer call() throws Exception {
            ObjectNode body = JSON.createObjectNode();
            if (expect == null) body.putNull("expect");
            else body.put("expect", expect);
            body.put("value", value);
            return print(connect().send("POST", keyPath(key) + "/cas", JSON.writeValueAsBytes(body)), null);
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Shows every member in one table (asked of each), as the member that answers first knows them; --json for machines.")
    static final class Status extends Target implements Callable<Integer> {
        @Override
        public Integer call() throws Exception {
            HttpCluster cluster = connect();
            HttpResponse<byte[]> first = cluster.send("GET", "/v1/status", null);
            if (first.statusCode() != 200) return printError(first);
            com.fasterxml.jackson.databind.JsonNode known = JSON.readTree(first.body());
            com.fasterxml.jackson.databind.node.ArrayNode rows = JSON.createArrayNode();
            for (com.fasterxml.jackson.databind.JsonNode m : known.get("members")) {
                String id = m.get("id").asText();
                String http = m.path("http").isTextual() ? m.get("http").asText() : null;
                rows.add(memberStatus(cluster, id, http));
            }
            if (json) {
                out().println(rows);
            } else {
                out().print(MemberTable.render(rows));
            }
            out().flush();
            return ExitCode.OK.code;
        }

        /** One member's own status, or a row that says why it has none. */
        private static ObjectNode memberStatus(HttpCluster cluster, String id, String http) {
            ObjectNode row = JSON.createObjectNode().put("id", id);
            if (http == null) return row.put("error", "no HTTP address known");
            row.put("http", http);
            try {
                HttpResponse<byte[]> r = cluster.sendTo(http, "GET", "/v1/status", null);
                if (r.statusCode() != 200) return row.put("error", "HTTP " + r.statusCode());
                com.fasterxml.jackson.databind.JsonNode s = JSON.readTree(r.body());
                for (String f : new String[]{"role", "term", "leader", "commitIndex", "appliedIndex"}) row.set(f, s.get(f));
                return row;
            } catch (java.io.IOException e) {
                return row.put("error", "unreachable");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return row.put("error", "interrupted");
            }
        }
    }

    static List<Class<?>> all() {
        return Arrays.asList(Put.class, Get.class, Delete.class, Cas.class, RangeCommands.Ls.class, RangeCommands.Scan.class,
                RangeCommands.Txn.class, Status.class,
                MemberCommands.Members.class, MemberCommands.Leader.class);
    }
}
