package dev.raftkv.cli;

import java.io.IOException;
import java.util.List;

/** No member at any of the addresses accepted a connection: nothing was sent, so nothing was done. */
final class UnreachableException extends IOException {
    UnreachableException(List<String> addresses, IOException last) {
        super("no member answered at " + String.join(", ", addresses)
                + (last == null || last.getMessage() == null ? "" : " (" + last.getMessage() + ")")
                + "; is the cluster up? (bin/raftkv cluster status, bin/raftkv cluster up)", last);
    }
}
