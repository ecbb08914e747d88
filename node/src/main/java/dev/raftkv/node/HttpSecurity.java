package dev.raftkv.node;

import dev.raftkv.client.ClientSecurity;
import io.netty.handler.ssl.SslContext;

import java.util.List;
import java.util.function.Supplier;

/**
 * What the HTTP port needs to know about trust: who may call what ({@code authorizer}), TLS for the port
 * ({@code tls}, null: plain), how to reach the leader when forwarding ({@code forwarding}: its CA; the
 * caller's own token travels with the request), and what the status page must say loudly: the cluster id
 * and the test-only switches this node runs with ({@code unsafe}, empty in any real deployment).
 */
record HttpSecurity(Authorizer authorizer, SslContext tls, ClientSecurity forwarding, Supplier<String> clusterId,
                    List<String> unsafe) {
    static final HttpSecurity NONE = new HttpSecurity(new Authorizer(Tokens.NONE), null, ClientSecurity.NONE, () -> "",
            List.of());
}
