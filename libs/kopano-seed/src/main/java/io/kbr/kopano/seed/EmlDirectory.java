package io.kbr.kopano.seed;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/** Every {@code *.eml} file below a directory (recursively), in path order, named by its relative path. */
public final class EmlDirectory {
    private EmlDirectory() {
    }

    public static List<Path> files(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException(dir + " is not a directory");
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile)
                    .filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".eml"))
                    .sorted()
                    .toList();
        }
    }

    public static MessageSource source(Path dir) {
        return new MessageSource() {
            @Override
            public void forEach(Sink sink) throws Exception {
                List<Path> files;
                try {
                    files = files(dir);
                } catch (IOException e) {
                    throw new SourceException("cannot list .eml files in " + dir + ": " + e.getMessage(), e);
                }
                for (Path f : files) {
                    String name = dir.relativize(f).toString();
                    byte[] bytes;
                    try {
                        bytes = Files.readAllBytes(f);
                    } catch (IOException e) {
                        sink.unreadable(name, "cannot read file: " + e);
                        continue;
                    }
                    sink.accept(new NamedMessage(name, bytes));
                }
            }

            @Override
            public String describe() {
                return ".eml files in " + dir;
            }
        };
    }
}
