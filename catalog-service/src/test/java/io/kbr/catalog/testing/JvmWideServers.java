package io.kbr.catalog.testing;

import java.util.function.Supplier;

/**
 * Starts each shared server once per JVM, whatever the class loader. {@code @QuarkusTest} loads test
 * resources and test classes in Quarkus' class loader and {@code @QuarkusIntegrationTest} in the JVM's, so
 * {@link io.kbr.localservers.SharedServers}' statics exist more than once and would start a second server
 * in the same work directory. The address of a started server is kept in a system property, which all
 * class loaders share.
 */
final class JvmWideServers {
    // a string literal is interned JVM-wide: one lock for every class loader
    private static final Object LOCK = "io.kbr.catalog.testing.JvmWideServers";

    private JvmWideServers() {
    }

    /** The value of {@code property}; if unset, starts the server and records its address there. */
    static String address(String property, Supplier<String> start) {
        synchronized (LOCK) {
            String address = System.getProperty(property);
            if (address == null) {
                address = start.get();
                System.setProperty(property, address);
            }
            return address;
        }
    }
}
