package io.kbr.restore.kopano;

import io.kbr.kopano.model.Bytes;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;

/**
 * PR_PREDECESSOR_CHANGE_LIST (KOPANO-STORAGE.md §4.3): a series of {@code [1-byte length][change key]} entries, at
 * most one per source GUID (the first 16 bytes of a change key). {@link #add} does what Kopano's
 * AddChangeKeyToChangeList does: it replaces the entry of the key's GUID, or appends the key.
 */
final class ChangeLists {
    private ChangeLists() {
    }

    static Bytes add(Bytes list, Bytes changeKey) {
        byte[] in = list == null ? new byte[0] : list.unsafeArray();
        if (changeKey == null || changeKey.length() <= 16 || changeKey.length() > 255) {
            return Bytes.wrap(in.clone());
        }
        byte[] key = changeKey.unsafeArray();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        boolean replaced = false;
        int pos = 0;
        while (pos < in.length) {
            int len = in[pos] & 0xFF;
            if (pos + 1 + len > in.length) {
                break; // a truncated tail is dropped, as the server's parser stops there
            }
            byte[] entry = Arrays.copyOfRange(in, pos + 1, pos + 1 + len);
            if (!replaced && len > 16 && Arrays.equals(entry, 0, 16, key, 0, 16)) {
                entry = key;
                replaced = true;
            }
            out.write(entry.length);
            out.writeBytes(entry);
            pos += 1 + len;
        }
        if (!replaced) {
            out.write(key.length);
            out.writeBytes(key);
        }
        return Bytes.wrap(out.toByteArray());
    }
}
