package io.kbr.kopano.seed;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * The public MIME test corpora on the classpath, used as realistic (and partly deliberately malformed) mail:
 * Apache James mime4j's {@code testmsgs/} and {@code mimetools-testmsgs/} (from the apache-mime4j-core tests jar)
 * and James mailbox's {@code eml/} (from the apache-james-mailbox-store tests jar).
 *
 * <p>Only the message inputs are taken: {@code *.msg} in the mime4j folders (their {@code .out}, {@code .xml}
 * and {@code _decoded_*} siblings are the expected parser outputs) and {@code *.eml} in {@code eml/} (the
 * {@code .json}, images, PDF and ODT files there are fixtures of other tests).
 */
public final class Corpora {

    /** One corpus: a folder on the classpath, the file suffix of its messages, and a file known to be in it. */
    public enum Corpus {
        MIME4J_TESTMSGS("testmsgs", ".msg", "basic-plain.msg"),
        MIME4J_MIMETOOLS("mimetools-testmsgs", ".msg", "simple.msg"),
        JAMES_MAILBOX_EML("eml", ".eml", "mail.eml");

        private final String folder;
        private final String suffix;
        private final String anchor;

        Corpus(String folder, String suffix, String anchor) {
            this.folder = folder;
            this.suffix = suffix;
            this.anchor = anchor;
        }

        public String folder() {
            return folder;
        }
    }

    private Corpora() {
    }

    /** Every corpus message, ordered by name ("eml/…", "mimetools-testmsgs/…", "testmsgs/…"). */
    public static List<NamedMessage> all() {
        List<NamedMessage> out = new ArrayList<>();
        for (Corpus c : Corpus.values()) {
            out.addAll(load(c));
        }
        out.sort((a, b) -> a.name().compareTo(b.name()));
        return List.copyOf(out);
    }

    /** The messages of one corpus, ordered by name. */
    public static List<NamedMessage> load(Corpus corpus) {
        ClassLoader cl = Corpora.class.getClassLoader();
        URL anchor = cl.getResource(corpus.folder + "/" + corpus.anchor);
        if (anchor == null) {
            throw new IllegalStateException("corpus " + corpus + " is not on the classpath (no " + corpus.folder + "/" + corpus.anchor
                    + "); kopano-seed depends on the apache-mime4j-core and apache-james-mailbox-store test jars");
        }
        try {
            List<String> names = anchor.getProtocol().equals("jar") ? jarEntries(anchor, corpus) : dirEntries(anchor, corpus);
            List<NamedMessage> out = new ArrayList<>(names.size());
            for (String name : names) {
                try (InputStream in = cl.getResourceAsStream(name)) {
                    if (in == null) {
                        throw new IOException("cannot open " + name);
                    }
                    out.add(new NamedMessage(name, in.readAllBytes()));
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read corpus " + corpus + " from " + anchor + ": " + e.getMessage(), e);
        }
    }

    /** A source over all corpora. */
    public static MessageSource source() {
        return MessageSource.of("built-in corpora (mime4j testmsgs, mime4j mimetools-testmsgs, james eml)", all());
    }

    private static List<String> jarEntries(URL anchor, Corpus corpus) throws IOException {
        JarURLConnection conn = (JarURLConnection) anchor.openConnection();
        conn.setUseCaches(false);
        List<String> names = new ArrayList<>();
        try (JarFile jar = new JarFile(toFile(conn.getJarFileURL()))) {
            Enumeration<JarEntry> entries = jar.entries();
            while (entries.hasMoreElements()) {
                JarEntry e = entries.nextElement();
                if (!e.isDirectory() && isMessage(e.getName(), corpus)) {
                    names.add(e.getName());
                }
            }
        }
        names.sort(null);
        return names;
    }

    private static List<String> dirEntries(URL anchor, Corpus corpus) throws IOException {
        Path dir = toFile(anchor).toPath().getParent();
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> corpus.folder + "/" + p.getFileName())
                    .filter(n -> isMessage(n, corpus))
                    .sorted()
                    .toList();
        }
    }

    private static boolean isMessage(String entryName, Corpus corpus) {
        String prefix = corpus.folder + "/";
        return entryName.startsWith(prefix) && entryName.indexOf('/', prefix.length()) < 0 && entryName.endsWith(corpus.suffix);
    }

    private static File toFile(URL url) throws IOException {
        try {
            return new File(url.toURI());
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw new IOException("not a file URL: " + url, e);
        }
    }
}
