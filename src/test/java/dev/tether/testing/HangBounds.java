package dev.tether.testing;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Makes a bare Awaitility {@code await()} (default: 10 s) a hang detector like every other wait of
 * the suite ({@link Hang#IN_PROCESS}). Registered for every test class by JUnit's extension
 * auto-detection (src/test/resources: junit-platform.properties and META-INF/services).
 */
public final class HangBounds implements BeforeAllCallback {
    @Override
    public void beforeAll(ExtensionContext context) {
        Awaitility.setDefaultTimeout(Hang.IN_PROCESS);
    }
}
