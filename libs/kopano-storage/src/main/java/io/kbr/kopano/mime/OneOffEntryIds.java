package io.kbr.kopano.mime;

import io.kbr.kopano.model.Bytes;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * One-off entryids (MS-OXCDATA 2.2.5.1) as Kopano's {@code ECCreateOneOff} builds them for SMTP addresses that
 * are not in the address book: 4 zero flag bytes, the one-off provider UID, version 0, the flags
 * MAPI_ONE_OFF_UNICODE | MAPI_ONE_OFF_NO_RICH_INFO, then display name, address type and address as
 * NUL-terminated UTF-16LE strings. Recipients keep it as PR_EC_CONTACT_ENTRYID (§2.5).
 */
public final class OneOffEntryIds {
    /** MUIDOOP {A41F2B81-A3BE-1910-9D6E-00DD010F5402} in its on-disk byte order. */
    private static final byte[] ONE_OFF_PROVIDER = {
        (byte) 0x81, 0x2B, 0x1F, (byte) 0xA4, (byte) 0xBE, (byte) 0xA3, 0x10, 0x19,
        (byte) 0x9D, 0x6E, 0x00, (byte) 0xDD, 0x01, 0x0F, 0x54, 0x02,
    };
    private static final int MAPI_ONE_OFF_UNICODE = 0x8000;
    private static final int MAPI_ONE_OFF_NO_RICH_INFO = 0x0001;

    private OneOffEntryIds() {
    }

    /** A one-off entryid for {@code name <email>} with address type {@code addrType} (normally "SMTP"). */
    public static Bytes create(String name, String addrType, String email) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[4]);
        out.writeBytes(ONE_OFF_PROVIDER);
        out.write(0);
        out.write(0);
        int flags = MAPI_ONE_OFF_UNICODE | MAPI_ONE_OFF_NO_RICH_INFO;
        out.write(flags & 0xFF);
        out.write(flags >>> 8);
        for (String s : new String[] {name, addrType, email}) {
            out.writeBytes((s == null ? "" : s).getBytes(StandardCharsets.UTF_16LE));
            out.write(0);
            out.write(0);
        }
        return Bytes.wrap(out.toByteArray());
    }

    /** A one-off entryid for an SMTP address. */
    public static Bytes smtp(String name, String email) {
        return create(name, "SMTP", email);
    }

    /** PR_SEARCH_KEY of an SMTP address as Kopano writes it: "SMTP:" + upper-cased address, NUL-terminated. */
    public static Bytes searchKey(String email) {
        byte[] text = ("SMTP:" + (email == null ? "" : email)).toUpperCase(java.util.Locale.ROOT).getBytes(StandardCharsets.UTF_8);
        byte[] withNul = new byte[text.length + 1];
        System.arraycopy(text, 0, withNul, 0, text.length);
        return Bytes.wrap(withNul);
    }
}
