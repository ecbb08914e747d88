package dev.raftkv.jepsen;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.raftkv.harness.ProcessCluster;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The bank workload of {@code raftkv verify}, over HTTP: {@value #ACCOUNTS} accounts under {@code bank/}, an absent
 * one holding {@value #OPENING}. Audits read the whole bank with one range (at a random consistency; a page is one
 * revision, so it must add up to the total whatever the nemesis did), transfers read two balances with their mod
 * revisions and move an amount with a transaction that holds only if neither changed, and now and then a
 * delete-range closes the bank (every account back to the opening balance, the total kept). Every audit that does
 * not add up is a finding.
 */
final class BankClient implements Runnable {
    static final int ACCOUNTS = 5;
    static final long OPENING = 100;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] CONSISTENCY = {"linearizable", "lease", "local"};

    private final ProcessCluster cluster;
    private final Random random;
    private final AtomicBoolean running;
    private final AtomicInteger audits;
    private final List<String> badAudits;

    BankClient(ProcessCluster cluster, long seed, AtomicBoolean running, AtomicInteger audits, List<String> badAudits) {
        this.cluster = cluster;
        this.random = new Random(seed);
        this.running = running;
        this.audits = audits;
        this.badAudits = badAudits;
    }

    @Override
    public void run() {
        while (running.get()) {
            List<ProcessCluster.Member> up = cluster.members().stream().filter(ProcessCluster.Member::isRunning).toList();
            List<ProcessCluster.Member> candidates = up.isEmpty() ? cluster.members() : up;
            String node = candidates.get(random.nextInt(candidates.size())).id;
            int roll = random.nextInt(20);
            if (roll < 8) {
                audit(node, CONSISTENCY[random.nextInt(CONSISTENCY.length)]);
            } else if (roll < 19) {
                transfer(node);
            } else {
                cluster.call(node, "DELETE", "/v1/kv?prefix=bank/", null);
            }
        }
    }

    /** The bank as one page, or null if the node did not answer it. */
    private JsonNode page(String node, String consistency) {
        HttpResponse<String> r = cluster.call(node, "GET", "/v1/kv?prefix=bank/&consistency=" + consistency, null);
        if (r == null || r.statusCode() != 200) return null;
        try {
            return JSON.readTree(r.body());
        } catch (Exception e) {
            badAudits.add(node + " answered a range with a body that is not JSON: " + r.body());
            return null;
        }
    }

    private static long[] balances(JsonNode page, long[] modRevisions) {
        long[] b = new long[ACCOUNTS];
        java.util.Arrays.fill(b, OPENING);
        for (JsonNode kv : page.get("kvs")) {
            int account = Integer.parseInt(kv.get("key").asText().substring("bank/".length()));
            b[account] = Long.parseLong(kv.get("value").asText());
            if (modRevisions != null) modRevisions[account] = kv.get("modRevision").asLong();
        }
        return b;
    }

    /** Checks one audit; true if it was answered. */
    boolean audit(String node, String consistency) {
        JsonNode page = page(node, consistency);
        if (page == null) return false;
        audits.incrementAndGet();
        long total = 0;
        for (long b : balances(page, null)) total += b;
        if (total != ACCOUNTS * OPENING) {
            badAudits.add("a " + consistency + " audit on " + node + " at revision " + page.get("revision").asLong()
                    + " adds up to " + total + ", not " + ACCOUNTS * OPENING + ": " + page.get("kvs"));
        }
        return true;
    }

    private void transfer(String node) {
        JsonNode page = page(node, "linearizable");
        if (page == null) return;
        long[] rev = new long[ACCOUNTS];
        long[] b = balances(page, rev);
        int from = random.nextInt(ACCOUNTS);
        int to = (from + 1 + random.nextInt(ACCOUNTS - 1)) % ACCOUNTS;
        long amount = 1 + random.nextInt(20);
        ObjectNode txn = JSON.createObjectNode();
        ArrayNode compare = txn.putArray("compare");
        compare.addObject().put("key", "bank/" + from).put("target", "modRevision").put("number", rev[from]);
        compare.addObject().put("key", "bank/" + to).put("target", "modRevision").put("number", rev[to]);
        ArrayNode success = txn.putArray("success");
        success.addObject().putObject("put").put("key", "bank/" + from).put("value", Long.toString(b[from] - amount));
        success.addObject().putObject("put").put("key", "bank/" + to).put("value", Long.toString(b[to] + amount));
        cluster.call(node, "POST", "/v1/txn", txn.toString());
    }

}
