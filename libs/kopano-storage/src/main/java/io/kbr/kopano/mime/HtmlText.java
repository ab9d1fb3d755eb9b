package io.kbr.kopano.mime;

import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A plain-text rendering of an HTML body, for PR_BODY of messages that only have text/html (Kopano's client
 * library derives PR_BODY from PR_HTML the same way when the message is saved). Deliberately simple: drops
 * head/style/script, turns block ends and line breaks into newlines, strips tags and decodes entities.
 */
final class HtmlText {
    private static final Pattern DROPPED = Pattern.compile("(?is)<(head|style|script|title)\\b.*?</\\1\\s*>|<!--.*?-->");
    private static final Pattern BREAK = Pattern.compile("(?i)<br\\s*/?>|</(p|div|tr|h[1-6]|li|ul|ol|table|blockquote|pre)\\s*>|<(li|hr)\\b[^>]*>");
    private static final Pattern CELL = Pattern.compile("(?i)</t[dh]\\s*>");
    private static final Pattern TAG = Pattern.compile("(?s)<[^>]*>");
    private static final Pattern ENTITY = Pattern.compile("&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]{2,8});");
    private static final Pattern SPACES = Pattern.compile("[ \\t\\x0B\\f]+");
    private static final Pattern BLANK_LINES = Pattern.compile("\\n[ \\t]*(\\n[ \\t]*){2,}");
    private static final Map<String, String> NAMED = Map.ofEntries(
            Map.entry("amp", "&"), Map.entry("lt", "<"), Map.entry("gt", ">"), Map.entry("quot", "\""),
            Map.entry("apos", "'"), Map.entry("nbsp", " "), Map.entry("copy", "©"), Map.entry("reg", "®"),
            Map.entry("euro", "€"), Map.entry("auml", "ä"), Map.entry("ouml", "ö"), Map.entry("uuml", "ü"),
            Map.entry("Auml", "Ä"), Map.entry("Ouml", "Ö"), Map.entry("Uuml", "Ü"), Map.entry("szlig", "ß"),
            Map.entry("eacute", "é"), Map.entry("egrave", "è"), Map.entry("agrave", "à"), Map.entry("ndash", "–"),
            Map.entry("mdash", "—"), Map.entry("hellip", "…"), Map.entry("laquo", "«"), Map.entry("raquo", "»"));

    private HtmlText() {
    }

    static String toText(String html) {
        String s = DROPPED.matcher(html).replaceAll("");
        s = s.replace("\r\n", "\n").replace('\r', '\n');
        // Newlines in HTML source are just white space.
        s = s.replace('\n', ' ');
        s = BREAK.matcher(s).replaceAll("\n");
        s = CELL.matcher(s).replaceAll("\t");
        s = TAG.matcher(s).replaceAll("");
        s = decodeEntities(s);
        s = SPACES.matcher(s).replaceAll(" ");
        StringBuilder out = new StringBuilder(s.length());
        for (String line : s.split("\n", -1)) {
            out.append(line.strip()).append("\r\n");
        }
        String text = BLANK_LINES.matcher(out.toString().replace("\r\n", "\n")).replaceAll("\n\n").strip();
        return text.replace("\n", "\r\n");
    }

    private static String decodeEntities(String s) {
        Matcher m = ENTITY.matcher(s);
        StringBuilder out = new StringBuilder(s.length());
        while (m.find()) {
            String e = m.group(1);
            String rep;
            if (e.startsWith("#x") || e.startsWith("#X")) {
                rep = codePoint(Integer.parseInt(e.substring(2), 16));
            } else if (e.startsWith("#")) {
                rep = codePoint(Integer.parseInt(e.substring(1)));
            } else {
                rep = NAMED.get(e);
                if (rep == null) {
                    rep = NAMED.get(e.toLowerCase(Locale.ROOT));
                }
            }
            m.appendReplacement(out, Matcher.quoteReplacement(rep != null ? rep : m.group()));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String codePoint(int cp) {
        return cp > 0 && Character.isValidCodePoint(cp) && !(cp >= 0xD800 && cp <= 0xDFFF) ? new String(Character.toChars(cp)) : "";
    }
}
