package dev.raftkv.client;

import dev.raftkv.node.RaftkvNode;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Small helpers of the KvClient tests. */
final class ClientTests {
    private ClientTests() {
    }

    static InetSocketAddress clientAddress(RaftkvNode node) {
        return new InetSocketAddress("127.0.0.1", node.clientPort());
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A client's answer: every call settles within its timeout, so ten seconds is a bound, not a wait. */
    static <T> T await(CompletableFuture<T> f) throws Exception {
        return f.get(10, TimeUnit.SECONDS);
    }
}
