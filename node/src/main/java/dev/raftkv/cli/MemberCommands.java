package dev.raftkv.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.net.http.HttpResponse;
import java.util.concurrent.Callable;

/** {@code raftkv members [add|remove]} and {@code raftkv leader transfer}: membership through the HTTP API. */
final class MemberCommands {
    private static final ObjectMapper JSON = new ObjectMapper();

    private MemberCommands() {
    }

    @Command(name = "members", mixinStandardHelpOptions = true,
            description = "Lists the members (role, addresses, how much of the log each holds); see also 'members add|remove'.",
            subcommands = {Add.class, Remove.class})
    static final class Members extends ClientCommands.Target implements Callable<Integer> {
        @Override
        public Integer call() throws Exception {
            HttpResponse<byte[]> r = connect().send("GET", "/v1/members", null);
            if (json || r.statusCode() != 200) return print(r, null);
            System.out.print(table(JSON.readTree(r.body())));
            return 0;
        }

        static String table(JsonNode view) {
            StringBuilder sb = new StringBuilder(String.format("%-8s %-8s %-22s %-22s %-22s %s%n",
                    "ID", "ROLE", "RAFT", "CLIENT", "HTTP", "MATCH"));
            for (JsonNode m : view.path("members")) {
                sb.append(String.format("%-8s %-8s %-22s %-22s %-22s %s%n", m.path("id").asText(), m.path("role").asText(),
                        m.path("raft").asText("-"), text(m, "client"), text(m, "http"), text(m, "matchIndex")));
            }
            sb.append("term ").append(view.path("term").asLong()).append(", commit index ")
                    .append(view.path("commitIndex").asLong()).append('\n');
            return sb.toString();
        }

        private static String text(JsonNode m, String field) {
            return m.hasNonNull(field) ? m.get(field).asText() : "-";
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = "Adds a member at RAFT_ADDR (a learner first; a voter once it caught up, unless --learner). "
                    + "The node itself must be running, e.g. 'raftkv node --id ID ... --join HTTP_ADDR' (which does this for you).")
    static final class Add extends ClientCommands.Target implements Callable<Integer> {
        @Override
        boolean needsAdmin() {
            return true;
        }

        @Parameters(index = "0", paramLabel = "ID")
        String id;
        @Parameters(index = "1", paramLabel = "RAFT_ADDR", description = "HOST:PORT where the new member listens for Raft.")
        String raft;
        @Option(names = "--http", paramLabel = "HOST:PORT", description = "The new member's HTTP address (for forwarding).")
        String http;
        @Option(names = "--client", paramLabel = "HOST:PORT", description = "The new member's binary client address.")
        String client;
        @Option(names = "--learner", description = "Keep it a learner: it receives the log but does not vote.")
        boolean learner;

        @Override
        public Integer call() throws Exception {
            ObjectNode body = JSON.createObjectNode().put("id", id).put("raft", raft).put("voter", !learner);
            if (http != null) body.put("http", http);
            if (client != null) body.put("client", client);
            HttpResponse<byte[]> r = connect().send("POST", "/v1/members", JSON.writeValueAsBytes(body));
            if (r.statusCode() == 202 && !json) {
                System.out.println(id + " is a learner, still catching up; run the same command again to promote it");
                return 0;
            }
            return print(r, learner ? id + " added as a learner" : id + " added as a voter");
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true, description = "Removes member ID (the leader too: it hands over first).")
    static final class Remove extends ClientCommands.Target implements Callable<Integer> {
        @Override
        boolean needsAdmin() {
            return true;
        }

        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Override
        public Integer call() throws Exception {
            return print(connect().send("DELETE", "/v1/members/" + id, null), id + " removed");
        }
    }

    @Command(name = "leader", mixinStandardHelpOptions = true, description = "Leadership: 'leader transfer ID'.",
            subcommands = {Transfer.class})
    static final class Leader implements Callable<Integer> {
        @Override
        public Integer call() {
            System.err.println("usage: raftkv leader transfer ID");
            return 2;
        }
    }

    @Command(name = "transfer", mixinStandardHelpOptions = true,
            description = "Hands leadership to voter ID (it must be up to date); returns once ID leads.")
    static final class Transfer extends ClientCommands.Target implements Callable<Integer> {
        @Override
        boolean needsAdmin() {
            return true;
        }

        @Parameters(index = "0", paramLabel = "ID")
        String to;

        @Override
        public Integer call() throws Exception {
            byte[] body = JSON.writeValueAsBytes(JSON.createObjectNode().put("to", to));
            return print(connect().send("POST", "/v1/leader/transfer", body), to + " now leads");
        }
    }
}
