package dev.raftkv.transport;

import dev.raftkv.raft.server.Transport;

import java.util.HashMap;
import java.util.Map;

/** The transport contract against the in-memory twin. */
class InMemoryTransportContractTest extends TransportContract {
    private final InMemoryNetwork network = new InMemoryNetwork();
    private final Map<String, InMemoryTransport> running = new HashMap<>();

    @Override
    protected Transport start(String id, InboundSink sink) {
        InMemoryTransport t = network.join(id, sink);
        running.put(id, t);
        return t;
    }

    @Override
    protected void stop(String id) {
        running.remove(id).close();
    }

    @Override
    protected void stopAll() {
        running.values().forEach(InMemoryTransport::close);
        running.clear();
        network.close();
    }
}
