package io.kbr.restore.kopano;

import io.kbr.documents.PropertyValues;
import io.kbr.events.schema.AttachmentDocument;
import io.kbr.events.schema.BlobRef;
import io.kbr.events.schema.ItemDocument;
import io.kbr.kopano.model.Attachment;
import io.kbr.kopano.model.Bytes;
import io.kbr.kopano.model.Message;
import io.kbr.kopano.model.PropTags;
import io.kbr.kopano.model.Property;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Compares a restored message, as {@link io.kbr.kopano.read.KopanoReader} reads it from the target database, with
 * the backed-up document it was restored from: every property by its portable key (the name for named properties,
 * whose ids differ between databases, §3.6), recipients, attachments with their bytes, embedded messages and the
 * RFC 822 text. The properties a restore legitimately changes are listed in {@link #LEGITIMATELY_DIFFERENT} and
 * docs/restore-writing.md; outside {@code hierarchy.id}, entryid and sourcekey (not properties), nothing else may differ.
 */
public final class RestoredItems {
    /**
     * Top-level message properties a restore writes anew: PR_EC_IMAP_ID (a new IMAP UID, §4.3), PR_CHANGE_KEY and
     * PR_PREDECESSOR_CHANGE_LIST (written by AddChange for the restore's ICS NEW row, §4.3/§5.2), PR_DELETED_ON (a
     * restored item is live) and PR_EC_BACKUP_SOURCE_KEY (added: the original sourcekey).
     */
    public static final Set<Integer> LEGITIMATELY_DIFFERENT = Set.of(PropTags.EC_IMAP_ID, PropTags.CHANGE_KEY,
            PropTags.PREDECESSOR_CHANGE_LIST, PropTags.DELETED_ON, KopanoRestorer.EC_BACKUP_SOURCE_KEY);

    private RestoredItems() {
    }

    /**
     * @param backup reads a blob of the backup
     * @param target reads a single instance of the target database
     * @return the differences in words; empty when the restored item equals the document
     */
    public static List<String> differences(ItemDocument doc, Message restored, Function<BlobRef, byte[]> backup,
            Function<io.kbr.kopano.model.BlobRef, byte[]> target) {
        List<String> out = new ArrayList<>();
        Bytes key = KopanoRestorer.backupSourceKey(doc);
        Map<Object, Property> props = byKey(restored.props());
        Property stamped = props.get(KopanoRestorer.EC_BACKUP_SOURCE_KEY);
        if (key != null && (stamped == null || !stamped.value().equals(key))) {
            out.add("message " + restored.hierarchyId() + ": PR_EC_BACKUP_SOURCE_KEY is " + (stamped == null ? "missing" : stamped.value())
                    + ", expected the original sourcekey " + key);
        }
        if (restored.entryId() != null && doc.getEntryId() != null && restored.entryId().equals(Bytes.wrap(PropertyValues.bytes(doc.getEntryId())))) {
            out.add("message " + restored.hierarchyId() + ": entryid was not renewed");
        }
        compare("message " + restored.hierarchyId(), doc, restored, true, backup, target, out);
        return out;
    }

    private static void compare(String where, ItemDocument doc, Message m, boolean topLevel, Function<BlobRef, byte[]> backup,
            Function<io.kbr.kopano.model.BlobRef, byte[]> target, List<String> out) {
        comparePropsInto(where, PropertyValues.fromAvro(doc.getProps()), m.props(), topLevel ? LEGITIMATELY_DIFFERENT : Set.of(), out);
        int expectedFlags = topLevel ? doc.getFlags() & 0x40 : doc.getFlags() & ~0x400;
        if (m.flags() != expectedFlags) {
            out.add(where + ": flags " + m.flags() + ", expected " + expectedFlags);
        }
        if (doc.getRecipients().size() != m.recipients().size()) {
            out.add(where + ": " + m.recipients().size() + " recipients, the backup has " + doc.getRecipients().size());
        } else {
            for (int i = 0; i < m.recipients().size(); i++) {
                if (doc.getRecipients().get(i).getObjectType() != m.recipients().get(i).objectType()) {
                    out.add(where + ", recipient " + i + ": object type differs");
                }
                comparePropsInto(where + ", recipient " + i, PropertyValues.fromAvro(doc.getRecipients().get(i).getProps()),
                        m.recipients().get(i).props(), Set.of(), out);
            }
        }
        if (doc.getAttachments().size() != m.attachments().size()) {
            out.add(where + ": " + m.attachments().size() + " attachments, the backup has " + doc.getAttachments().size());
        } else {
            for (int i = 0; i < m.attachments().size(); i++) {
                Attachment a = m.attachments().get(i);
                AttachmentDocument d = doc.getAttachments().get(i);
                String at = where + ", attachment " + i;
                comparePropsInto(at, PropertyValues.fromAvro(d.getProps()), a.props(), Set.of(), out);
                if ((a.data() == null) != (d.getData() == null)) {
                    out.add(at + ": data present in only one of backup and target");
                } else if (a.data() != null && !Arrays.equals(backup.apply(d.getData()), target.apply(a.data()))) {
                    out.add(at + ": data bytes differ");
                }
                if ((a.embedded() == null) != (d.getEmbedded() == null)) {
                    out.add(at + ": embedded message present in only one of backup and target");
                } else if (a.embedded() != null) {
                    compare(at + ", embedded message", d.getEmbedded(), a.embedded(), false, backup, target, out);
                }
            }
        }
        byte[] mime = doc.getRfc822Inline() != null ? PropertyValues.bytes(doc.getRfc822Inline())
                : doc.getRfc822() != null ? backup.apply(doc.getRfc822()) : null;
        if ((mime == null) != (m.imapEmail() == null)) {
            out.add(where + ": RFC 822 text present in only one of backup and target");
        } else if (mime != null && !Arrays.equals(mime, target.apply(m.imapEmail()))) {
            out.add(where + ": RFC 822 bytes differ");
        }
    }

    /** Compares two property bags by portable key, type and value, ignoring the keys in {@code ignore} (plain ids). */
    public static void comparePropsInto(String where, List<Property> expected, List<Property> actual, Set<Integer> ignore, List<String> out) {
        Map<Object, Property> e = byKey(expected);
        Map<Object, Property> a = byKey(actual);
        Set<String> problems = new TreeSet<>();
        for (Map.Entry<Object, Property> x : e.entrySet()) {
            if (ignore.contains(x.getKey())) {
                continue;
            }
            Property y = a.get(x.getKey());
            if (y == null) {
                problems.add("missing " + x.getValue());
            } else if (y.type() != x.getValue().type() || !Objects.equals(y.value(), x.getValue().value())) {
                problems.add("differs: " + x.getValue() + " -> " + y);
            }
        }
        for (Map.Entry<Object, Property> y : a.entrySet()) {
            if (!ignore.contains(y.getKey()) && !e.containsKey(y.getKey())) {
                problems.add("extra " + y.getValue());
            }
        }
        for (String p : problems) {
            out.add(where + ": property " + p);
        }
    }

    private static Map<Object, Property> byKey(List<Property> props) {
        Map<Object, Property> out = new HashMap<>();
        for (Property p : props) {
            out.put(p.isNamed() ? p.named() : (Object) p.id(), p);
        }
        return out;
    }
}
