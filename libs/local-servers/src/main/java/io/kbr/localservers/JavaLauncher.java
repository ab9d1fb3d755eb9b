package io.kbr.localservers;

import java.nio.file.Files;
import java.nio.file.Path;

/** How the servers that are Java programs (Kafka, S3Proxy) get started: with this JVM's java. */
public final class JavaLauncher {

    private JavaLauncher() {
    }

    /** The {@code java} of the running JVM, so the servers need nothing else installed. */
    public static String javaExecutable() {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        if (!Files.isExecutable(java)) {
            throw new LocalServerException("Cannot find the java executable at " + java);
        }
        return java.toString();
    }

    /** Quotes one argument for a java {@code @argfile}. */
    static String quote(String argument) {
        return '"' + argument.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }
}
