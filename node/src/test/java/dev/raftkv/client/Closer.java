package dev.raftkv.client;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.ArrayList;
import java.util.List;

/**
 * What a test started (nodes, clients, stand-in members), closed newest first after it, however it ended. Register it
 * as a field with {@code @RegisterExtension}.
 */
final class Closer implements AfterEachCallback {
    private final List<AutoCloseable> open = new ArrayList<>();

    <T extends AutoCloseable> T add(T c) {
        open.add(c);
        return c;
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) open.get(i).close();
        open.clear();
    }
}
