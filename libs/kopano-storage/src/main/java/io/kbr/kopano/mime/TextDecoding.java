package io.kbr.kopano.mime;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;

/**
 * Charset handling for MIME text the way inetmapi treats it: unspecified and US-ASCII text is read as UTF-8
 * (Kopano's "ascii upgrade"), a few unregistered or narrower names are upgraded, and text that does not decode
 * cleanly falls back to Windows-1252 instead of failing. Also maps charsets to Windows code pages for
 * PR_INTERNET_CPID.
 */
final class TextDecoding {
    static final int CP_UTF8 = 65001;
    static final Charset WINDOWS_1252 = Charset.forName("windows-1252");

    /** inetmapi's upgrade list (vtm_upgrade_charset): names iconv does not know, or compatible supersets. */
    private static final Map<String, String> UPGRADES = Map.of(
            "cp-850", "IBM850",
            "gb2312", "GB18030",
            "x-gbk", "GB18030",
            "ks_c_5601-1987", "x-windows-949",
            "iso-8859-8-i", "ISO-8859-8",
            "win-1252", "windows-1252",
            "unicode", "UTF-8",
            "utf8", "UTF-8",
            "latin1", "ISO-8859-1");

    /** Windows code pages of common charsets (keys are Java canonical names, lower case). */
    private static final Map<String, Integer> CODE_PAGES = Map.ofEntries(
            Map.entry("utf-8", CP_UTF8),
            Map.entry("us-ascii", 20127),
            Map.entry("iso-8859-1", 28591),
            Map.entry("iso-8859-2", 28592),
            Map.entry("iso-8859-3", 28593),
            Map.entry("iso-8859-4", 28594),
            Map.entry("iso-8859-5", 28595),
            Map.entry("iso-8859-6", 28596),
            Map.entry("iso-8859-7", 28597),
            Map.entry("iso-8859-8", 28598),
            Map.entry("iso-8859-9", 28599),
            Map.entry("iso-8859-13", 28603),
            Map.entry("iso-8859-15", 28605),
            Map.entry("windows-1250", 1250),
            Map.entry("windows-1251", 1251),
            Map.entry("windows-1252", 1252),
            Map.entry("windows-1253", 1253),
            Map.entry("windows-1254", 1254),
            Map.entry("windows-1255", 1255),
            Map.entry("windows-1256", 1256),
            Map.entry("windows-1257", 1257),
            Map.entry("windows-1258", 1258),
            Map.entry("koi8-r", 20866),
            Map.entry("koi8-u", 21866),
            Map.entry("iso-2022-jp", 50220),
            Map.entry("shift_jis", 932),
            Map.entry("windows-31j", 932),
            Map.entry("euc-jp", 51932),
            Map.entry("gbk", 936),
            Map.entry("gb18030", 54936),
            Map.entry("big5", 950),
            Map.entry("euc-kr", 51949),
            Map.entry("x-windows-949", 949),
            Map.entry("ibm850", 850),
            Map.entry("tis-620", 874),
            Map.entry("utf-16", 1200),
            Map.entry("utf-16le", 1200),
            Map.entry("utf-16be", 1201));

    private TextDecoding() {
    }

    /** Decoded text, the charset it was read with, and whether that was the declared one without errors. */
    record Decoded(String text, Charset charset, boolean exact) {
    }

    /**
     * Resolves a MIME charset name to a Java charset, applying inetmapi's upgrades; US-ASCII and an absent
     * name become UTF-8 (a superset). Returns null for names Java does not know.
     */
    static Charset resolve(String name) {
        if (name == null || name.isBlank()) {
            return StandardCharsets.UTF_8;
        }
        String n = name.trim().replace("\"", "").toLowerCase(Locale.ROOT);
        n = UPGRADES.getOrDefault(n, n);
        try {
            Charset cs = Charset.forName(n);
            return cs.equals(StandardCharsets.US_ASCII) ? StandardCharsets.UTF_8 : cs;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** Decodes {@code data} declared as {@code charsetName}, falling back to Windows-1252 when it does not fit. */
    static Decoded decode(byte[] data, String charsetName) {
        Charset declared = resolve(charsetName);
        if (declared != null) {
            try {
                return new Decoded(strip(strict(data, declared)), declared, true);
            } catch (CharacterCodingException e) {
                // mislabelled text: try the usual suspects before replacing characters
            }
        }
        if (declared == null || !declared.equals(StandardCharsets.UTF_8)) {
            try {
                return new Decoded(strip(strict(data, StandardCharsets.UTF_8)), StandardCharsets.UTF_8, false);
            } catch (CharacterCodingException e) {
                // not UTF-8 either
            }
        }
        return new Decoded(strip(new String(data, WINDOWS_1252)), WINDOWS_1252, false);
    }

    /** True when {@code data} is valid in {@code cs}. */
    static boolean fits(byte[] data, Charset cs) {
        try {
            strict(data, cs);
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    /** PR_INTERNET_CPID for a charset; 0 when Windows has no code page for it. */
    static int codePage(Charset cs) {
        return CODE_PAGES.getOrDefault(cs.name().toLowerCase(Locale.ROOT), 0);
    }

    /** Bytes as text: UTF-8 when valid, else Windows-1252 (used for header blocks, which should be ASCII). */
    static String lenientUtf8(byte[] data, int off, int len) {
        byte[] slice = off == 0 && len == data.length ? data : java.util.Arrays.copyOfRange(data, off, off + len);
        try {
            return strip(strict(slice, StandardCharsets.UTF_8));
        } catch (CharacterCodingException e) {
            return strip(new String(slice, WINDOWS_1252));
        }
    }

    /** Removes NUL characters, which MAPI strings cannot hold. */
    static String strip(String s) {
        return s.indexOf('\0') < 0 ? s : s.replace("\0", "");
    }

    private static String strict(byte[] data, Charset cs) throws CharacterCodingException {
        return cs.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(data))
                .toString();
    }
}
