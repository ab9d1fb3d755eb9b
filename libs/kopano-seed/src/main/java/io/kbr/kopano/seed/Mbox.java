package io.kbr.kopano.seed;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits an mbox file into its messages. A message starts at a "From sender date" line at the start of the file
 * or after an empty line (the usual mboxo/mboxrd framing; the line must contain a time of day, as every
 * envelope line does); the "From " line itself is not part of the message, the
 * empty line before the next one is dropped, and quoted body lines (">From ", ">>From ", …) lose one '>'
 * (mboxrd unescaping, which also undoes mboxo's ">From "). Line endings are kept as they are.
 */
public final class Mbox {
    private static final byte[] FROM = {'F', 'r', 'o', 'm', ' '};

    private Mbox() {
    }

    /** Receives each message with its 1-based position and its "From " line (without line break), null for text before the first. */
    @FunctionalInterface
    public interface Handler {
        void message(int index, String fromLine, byte[] message) throws Exception;
    }

    /** Streams the messages of {@code in} to {@code handler}; returns how many there were. */
    public static int split(InputStream in, Handler handler) throws Exception {
        BufferedInputStream bin = new BufferedInputStream(in, 1 << 16);
        ByteArrayOutputStream current = new ByteArrayOutputStream();
        String fromLine = null;
        boolean started = false;
        boolean previousBlank = true;
        int count = 0;
        byte[] line;
        while ((line = readLine(bin)) != null) {
            if (previousBlank && isSeparator(line)) {
                if (started || !isBlank(current.toByteArray())) {
                    count++;
                    handler.message(count, fromLine, withoutTrailingBlankLine(current.toByteArray()));
                }
                current.reset();
                fromLine = new String(line, java.nio.charset.StandardCharsets.ISO_8859_1).stripTrailing();
                started = true;
                previousBlank = false;
                continue;
            }
            current.writeBytes(unescape(line));
            previousBlank = isLineBreakOnly(line);
        }
        if (started || !isBlank(current.toByteArray())) {
            count++;
            handler.message(count, fromLine, withoutTrailingBlankLine(current.toByteArray()));
        }
        return count;
    }

    /** All messages of an mbox file, named "{file name}#{n}". */
    public static List<NamedMessage> read(Path file) throws Exception {
        List<NamedMessage> out = new ArrayList<>();
        try (InputStream in = Files.newInputStream(file)) {
            split(in, (i, from, msg) -> out.add(new NamedMessage(file.getFileName() + "#" + i, msg)));
        }
        return out;
    }

    /** A streaming source over an mbox file. */
    public static MessageSource source(Path file) {
        return new MessageSource() {
            @Override
            public void forEach(Sink sink) throws Exception {
                try (InputStream in = Files.newInputStream(file)) {
                    split(in, (i, from, msg) -> sink.accept(new NamedMessage(file.getFileName() + "#" + i, msg)));
                } catch (IOException e) {
                    throw new SourceException("cannot read mbox file " + file + ": " + e.getMessage(), e);
                }
            }

            @Override
            public String describe() {
                return "mbox " + file;
            }
        };
    }

    /** One line including its line break (LF or CRLF), or null at the end. */
    private static byte[] readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(128);
        int b;
        while ((b = in.read()) >= 0) {
            line.write(b);
            if (b == '\n') {
                break;
            }
        }
        return line.size() == 0 ? null : line.toByteArray();
    }

    /** mboxrd: "&gt;From ", "&gt;&gt;From " … at the start of a line lose one '&gt;'. */
    static byte[] unescape(byte[] line) {
        int i = 0;
        while (i < line.length && line[i] == '>') {
            i++;
        }
        if (i > 0 && startsWith(line, FROM, i)) {
            byte[] out = new byte[line.length - 1];
            System.arraycopy(line, 1, out, 0, out.length);
            return out;
        }
        return line;
    }

    /**
     * A "From " line that is an envelope line: "From sender date", recognised by the time of day in it, so that
     * an unescaped "From here on…" body line after an empty line is not mistaken for one.
     */
    static boolean isSeparator(byte[] line) {
        if (!startsWith(line, FROM, 0)) {
            return false;
        }
        String s = new String(line, java.nio.charset.StandardCharsets.ISO_8859_1);
        return ENVELOPE.matcher(s).find();
    }

    private static final java.util.regex.Pattern ENVELOPE = java.util.regex.Pattern.compile("^From \\S+\\s.*\\b\\d{1,2}:\\d{2}");

    private static byte[] withoutTrailingBlankLine(byte[] msg) {
        int n = msg.length;
        if (isLineBreakOnly(msg)) {
            return new byte[0];
        }
        if (n >= 2 && msg[n - 1] == '\n' && msg[n - 2] == '\n') {
            return java.util.Arrays.copyOf(msg, n - 1);
        }
        if (n >= 4 && msg[n - 1] == '\n' && msg[n - 2] == '\r' && msg[n - 3] == '\n' && msg[n - 4] == '\r') {
            return java.util.Arrays.copyOf(msg, n - 2);
        }
        return msg;
    }

    private static boolean startsWith(byte[] line, byte[] prefix, int offset) {
        if (line.length - offset < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (line[offset + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static boolean isLineBreakOnly(byte[] line) {
        return (line.length == 1 && line[0] == '\n') || (line.length == 2 && line[0] == '\r' && line[1] == '\n');
    }

    private static boolean isBlank(byte[] data) {
        for (byte b : data) {
            if (b != '\r' && b != '\n' && b != ' ' && b != '\t') {
                return false;
            }
        }
        return true;
    }
}
