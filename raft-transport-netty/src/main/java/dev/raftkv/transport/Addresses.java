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
            throw new IllegalArgumentException("an address is HOST:PORT (or [IPv6]:PORT), got '" + hostPort + "'");
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
        if (port < 0 || port > 65535) throw new IllegalArgumentException("bad port in '" + hostPort + "': 0 to 65535");
        return InetSocketAddress.createUnresolved(host, port);
    }

    /** {@link #parse}, then looked up now: for an address to bind or to dial at once. */
    public static InetSocketAddress parseResolved(String hostPort) {
        return resolved(parse(hostPort));
    }

    /** {@code address} looked up, if it is not yet. */
    public static InetSocketAddress resolved(InetSocketAddress address) {
        return address.isUnresolved() ? new InetSocketAddress(address.getHostString(), address.getPort()) : address;
    }

    /** {@code host:port}, with an IPv6 literal in brackets ({@code [::1]:7001}): what {@link #parse} reads back. */
    public static String format(String host, int port) {
        return (host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host) + ":" + port;
    }

    /** {@link #format} of an address's host string (its name or literal, never a lookup) and port. */
    public static String format(InetSocketAddress address) {
        return format(address.getHostString(), address.getPort());
    }
}
