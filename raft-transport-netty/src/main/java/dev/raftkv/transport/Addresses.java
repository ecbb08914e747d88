package dev.raftkv.transport;

import java.net.InetSocketAddress;

/** Parses the {@code host:port} strings of configuration files; {@code [v6]:port} for IPv6 literals. */
public final class Addresses {
    private Addresses() {
    }

    /** An unresolved address, so that a peer's name is looked up at each connection attempt. */
    public static InetSocketAddress parse(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0 || colon == hostPort.length() - 1) {
            throw new IllegalArgumentException("expected host:port, got '" + hostPort + "'");
        }
        String host = hostPort.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
        else if (host.contains(":")) throw new IllegalArgumentException("IPv6 needs [brackets]: '" + hostPort + "'");
        int port;
        try {
            port = Integer.parseInt(hostPort.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad port in '" + hostPort + "'");
        }
        if (port < 0 || port > 65535) throw new IllegalArgumentException("port out of range in '" + hostPort + "'");
        return InetSocketAddress.createUnresolved(host, port);
    }
}
