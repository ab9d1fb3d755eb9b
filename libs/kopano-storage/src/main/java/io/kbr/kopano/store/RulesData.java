package io.kbr.kopano.store;

import io.kbr.kopano.model.Bytes;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The move/copy targets inside PR_RULES_DATA (§9.1): the value is kopano's gSOAP XML serialisation of the rules rowset
 * ({@code ECExchangeModifyTable::HrSerializeTable}), in which every OP_MOVE / OP_COPY action is an element
 * {@code <moveCopy><store>base64</store><folder>base64</folder></moveCopy>} holding the target store's (wrapped) entryid
 * and the target folder's entryid. Those entryids belong to the server the rules were written on: a restore into another
 * store (or after the folder was re-created) must point them at the target's folder, as kopano-backup's
 * {@code rules_dumps}/{@code rules_loads} do by folder path.
 *
 * <p>Only the base64 text of {@code store} and {@code folder} is ever changed; every other byte of the blob stays as it
 * was (no XML re-serialisation, so nothing kopano's deserialiser reads changes shape). A blob that is not such XML has
 * no targets and is never changed.
 */
public final class RulesData {
    private static final Pattern MOVE_COPY = Pattern.compile("<((?:[\\w.-]+:)?moveCopy)\\b[^>]*>(.*?)</\\1\\s*>", Pattern.DOTALL);
    private static final Pattern STORE = Pattern.compile("(<((?:[\\w.-]+:)?store)\\b[^>]*>)([^<]*)(</\\2\\s*>)");
    private static final Pattern FOLDER = Pattern.compile("(<((?:[\\w.-]+:)?folder)\\b[^>]*>)([^<]*)(</\\2\\s*>)");

    private RulesData() {
    }

    /** One move/copy action's target: the store entryid (as the rule holds it, usually MAPI-wrapped) and the folder entryid. */
    public record Target(Bytes storeEntryId, Bytes folderEntryId) {
    }

    /** Every move/copy target in the rules blob, in order (duplicates kept). Unparseable base64 targets are skipped. */
    public static List<Target> targets(Bytes rulesData) {
        List<Target> out = new ArrayList<>();
        if (rulesData == null) {
            return out;
        }
        Matcher m = MOVE_COPY.matcher(text(rulesData));
        while (m.find()) {
            parse(m.group(2)).ifPresent(out::add);
        }
        return out;
    }

    /**
     * The rules blob with each move/copy target replaced by {@code replacement.apply(target)}; an empty result keeps that
     * target as it was. Returns the same bytes when nothing was replaced.
     */
    public static Bytes rewrite(Bytes rulesData, Function<Target, Optional<Target>> replacement) {
        if (rulesData == null) {
            return null;
        }
        String text = text(rulesData);
        Matcher m = MOVE_COPY.matcher(text);
        StringBuilder out = new StringBuilder(text.length());
        int last = 0;
        boolean changed = false;
        while (m.find()) {
            String body = m.group(2);
            Optional<Target> target = parse(body);
            Optional<Target> replaced = target.flatMap(replacement);
            if (replaced.isEmpty()) {
                continue;
            }
            String newBody = replaceText(replaceText(body, STORE, base64(replaced.get().storeEntryId())), FOLDER,
                    base64(replaced.get().folderEntryId()));
            out.append(text, last, m.start(2)).append(newBody);
            last = m.end(2);
            changed = true;
        }
        if (!changed) {
            return rulesData;
        }
        out.append(text, last, text.length());
        return Bytes.wrap(out.toString().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The rules blob as text with the content of every move/copy target's {@code store} and {@code folder} emptied: two
     * rule sets that differ only in where their actions point (e.g. a source store's rules and their restored copy in
     * another store) have the same skeleton.
     */
    public static String skeleton(Bytes rulesData) {
        if (rulesData == null) {
            return null;
        }
        Bytes none = Bytes.wrap(new byte[0]);
        return text(rewrite(rulesData, t -> Optional.of(new Target(none, none))));
    }

    private static Optional<Target> parse(String body) {
        Matcher s = STORE.matcher(body);
        Matcher f = FOLDER.matcher(body);
        if (!s.find() || !f.find()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Target(Bytes.wrap(Base64.getMimeDecoder().decode(s.group(3).trim())),
                    Bytes.wrap(Base64.getMimeDecoder().decode(f.group(3).trim()))));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static String replaceText(String body, Pattern element, String value) {
        Matcher m = element.matcher(body);
        if (!m.find()) {
            return body;
        }
        return body.substring(0, m.start(3)) + value + body.substring(m.end(3));
    }

    private static String base64(Bytes b) {
        return Base64.getEncoder().encodeToString(b.unsafeArray());
    }

    /** gSOAP writes UTF-8 (SOAP_C_UTFSTRING); ISO-8859-1 would also keep the bytes, but the rewritten blob is UTF-8 text. */
    private static String text(Bytes rulesData) {
        return new String(rulesData.unsafeArray(), StandardCharsets.UTF_8);
    }

    /** MUIDSTOREWRAP: the provider UID of a MAPI-wrapped store entryid (as clients, and so rules, hold store entryids). */
    private static final byte[] STORE_WRAP_UID = {0x38, (byte) 0xa1, (byte) 0xbb, 0x10, 0x05, (byte) 0xe5, 0x10, 0x1a, (byte) 0xa1,
            (byte) 0xbb, 0x08, 0x00, 0x2b, 0x2a, 0x56, (byte) 0xc2};

    /**
     * A store entryid as a MAPI client holds it: flags, MUIDSTOREWRAP, version, flag, the provider DLL name (NUL-terminated,
     * padded to 4 bytes) and then kopano's own store entryid.
     */
    public static Bytes wrapStoreEntryId(Bytes inner) {
        byte[] dll = "kopano6232.dll".getBytes(StandardCharsets.US_ASCII);
        int head = 4 + 16 + 2 + dll.length + 1;
        int padded = (head + 3) & ~3;
        byte[] out = new byte[padded + inner.length()];
        System.arraycopy(STORE_WRAP_UID, 0, out, 4, 16);
        System.arraycopy(dll, 0, out, 22, dll.length);
        System.arraycopy(inner.unsafeArray(), 0, out, padded, inner.length());
        return Bytes.wrap(out);
    }

    /**
     * The store entryid {@code wrapped} (the rule's {@code store} value: a MAPI wrapper whose last part is kopano's own
     * store entryid) with that inner entryid — found by its 4 zero flag bytes followed by {@code sourceStoreGuid} and
     * version 1 — replaced by {@code targetStoreEntryId}; empty when the source store's entryid is not inside.
     */
    public static Optional<Bytes> rewrapStoreEntryId(Bytes wrapped, Bytes sourceStoreGuid, Bytes targetStoreEntryId) {
        byte[] w = wrapped.unsafeArray();
        byte[] g = sourceStoreGuid.unsafeArray();
        for (int start = 0; start + 24 <= w.length; start++) {
            if (w[start] != 0 || w[start + 1] != 0 || w[start + 2] != 0 || w[start + 3] != 0) {
                continue;
            }
            boolean guid = true;
            for (int i = 0; i < 16 && guid; i++) {
                guid = w[start + 4 + i] == g[i];
            }
            if (guid && (w[start + 20] == 1 || w[start + 20] == 0) && w[start + 21] == 0 && w[start + 22] == 0 && w[start + 23] == 0) {
                byte[] t = targetStoreEntryId.unsafeArray();
                byte[] out = new byte[start + t.length];
                System.arraycopy(w, 0, out, 0, start);
                System.arraycopy(t, 0, out, start, t.length);
                return Optional.of(Bytes.wrap(out));
            }
        }
        return Optional.empty();
    }
}
