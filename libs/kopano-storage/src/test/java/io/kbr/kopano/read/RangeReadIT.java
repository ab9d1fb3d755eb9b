package io.kbr.kopano.read;

import static org.assertj.core.api.Assertions.assertThat;

import io.kbr.kopano.model.Bytes;
import io.kbr.kopano.model.Message;
import io.kbr.kopano.model.PropTags;
import io.kbr.kopano.model.PropType;
import io.kbr.kopano.model.Property;
import io.kbr.kopano.model.SpecialFolder;
import io.kbr.kopano.model.Store;
import io.kbr.kopano.schema.KopanoSchema;
import io.kbr.kopano.write.AttachmentStorage;
import io.kbr.kopano.write.KopanoWriter;
import io.kbr.kopano.write.NewMessage;
import io.kbr.kopano.write.NewMessage.NewAttachment;
import io.kbr.kopano.write.NewMessage.NewRecipient;
import io.kbr.kopano.write.StoreLayout;
import io.kbr.localservers.MariaDbServer;
import io.kbr.localservers.SharedServers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * KopanoReader.forEachMessageAnyOrder pages a store's messages in id order across its folders and reads a page's object
 * tree by id range when its ids are dense; with range reads off it pages folder by folder with IN lists per tree level
 * (the path sparse trees and large stores take), as forEachMessage does. Messages written round-robin into 1, 2, 3 or 7 folders, some associated, some with embedded
 * messages: both ways, every message must read back exactly as written, and the same.
 */
class RangeReadIT {
    @TempDir
    Path attachments;

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 7})
    void rangeAndInListReadsGiveTheSameMessages(int folders) throws Exception {
        MariaDbServer db = SharedServers.mariaDb();
        String name = "kopano_range_" + folders;
        db.createDatabase(name);
        AttachmentStorage storage = AttachmentStorage.filesV2(attachments);
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(name), db.rootUser(), db.rootPassword())) {
            byte[] guid = new byte[16];
            UUID u = UUID.randomUUID();
            java.nio.ByteBuffer.wrap(guid).putLong(u.getMostSignificantBits()).putLong(u.getLeastSignificantBits());
            KopanoSchema.create(c, guid, storage.kind().settingValue());
            KopanoWriter writer = new KopanoWriter(c, storage);
            StoreLayout store = writer.createStore(writer.createUser("alice", "Alice Liddell", "alice@example.org"));
            List<Long> targets = new ArrayList<>();
            targets.add(store.folder(SpecialFolder.INBOX));
            for (int f = 1; f < folders; f++) {
                targets.add(writer.createFolder(store, store.folder(SpecialFolder.IPM_SUBTREE), "folder " + f, "IPF.Note"));
            }
            Map<Long, Message> written = new HashMap<>();
            for (int i = 0; i < 150; i++) {
                Message m = writer.writeMessage(store, targets.get(i % folders), message(i));
                written.put(m.hierarchyId(), m);
            }

            KopanoReader rangeReader = new KopanoReader(c, storage, 16);
            Map<Long, Message> ranged = readAll(rangeReader, store, true);
            KopanoReader listReader = new KopanoReader(c, storage, 16).rangeReads(false);
            Map<Long, Message> listed = readAll(listReader, store, true);
            // the folder-by-folder order (what other callers get) reads the same
            assertThat(readAll(new KopanoReader(c, storage, 16), store, false)).isEqualTo(listed);
            assertThat(listReader.rangeTrees).isZero();
            // the store's messages are paged in id order across folders, so its pages are dense however many folders
            // the messages went to, and read by range; the IN-list reader pages folder by folder
            assertThat(rangeReader.rangeTrees).isGreaterThanOrEqualTo(150 / 16);
            assertThat(ranged).hasSize(written.size() + 1); // + LocalFreebusy
            assertThat(ranged).isEqualTo(listed);
            for (Message w : written.values()) {
                assertThat(ranged.get(w.hierarchyId())).as("message %s", w.hierarchyId()).isEqualTo(w);
            }
            // single and batched reads take the same paths
            Message any = written.values().iterator().next();
            assertThat(new KopanoReader(c, storage).message(any.hierarchyId())).contains(any);
            assertThat(new KopanoReader(c, storage).messages(written.keySet())).isEqualTo(written);
        }
    }

    private static Map<Long, Message> readAll(KopanoReader reader, StoreLayout layout, boolean anyOrder) throws Exception {
        Store store = reader.store(layout.store().guid()).orElseThrow();
        Map<Long, Message> out = new HashMap<>();
        KopanoReader.MessageVisitor visitor = (folder, m) -> {
            assertThat(m.parentId()).isEqualTo(folder.hierarchyId());
            assertThat(out.put(m.hierarchyId(), m)).isNull();
        };
        long visited = anyOrder ? reader.forEachMessageAnyOrder(store, visitor) : reader.forEachMessage(store, visitor);
        assertThat(visited).isEqualTo(out.size());
        return out;
    }

    /** Recipients, MV properties, attachments with data and, every fifth, an embedded message with its own recipient. */
    private static NewMessage message(int i) {
        List<NewAttachment> atts = new ArrayList<>();
        atts.add(new NewAttachment(List.of(Property.of(PropTags.ATTACH_METHOD, PropType.LONG, 1),
                Property.of(PropTags.ATTACH_LONG_FILENAME, PropType.STRING8, "a" + i + ".txt")),
                ("attachment " + i).getBytes(StandardCharsets.UTF_8), null));
        if (i % 5 == 0) {
            NewMessage inner = new NewMessage(List.of(Property.of(PropTags.MESSAGE_CLASS, PropType.STRING8, "IPM.Note"),
                    Property.of(PropTags.SUBJECT, PropType.STRING8, "inner " + i)), List.of(recipient("inner" + i)), List.of(), null, false);
            atts.add(new NewAttachment(List.of(Property.of(PropTags.ATTACH_METHOD, PropType.LONG, 5)), null, inner));
        }
        return new NewMessage(List.of(Property.of(PropTags.MESSAGE_CLASS, PropType.STRING8, "IPM.Note"),
                Property.of(PropTags.SUBJECT, PropType.STRING8, "message " + i + " — Grüße"),
                Property.of(PropTags.MESSAGE_FLAGS, PropType.LONG, i % 3),
                Property.of(0x6610, PropType.STRING8 | PropType.MV, List.of("x" + i, "y", "z" + i))),
                List.of(recipient("r" + i), recipient("s" + i)), atts,
                ("Subject: message " + i + "\r\n\r\nbody\r\n").getBytes(StandardCharsets.US_ASCII), i % 11 == 0);
    }

    private static NewRecipient recipient(String who) {
        String email = who + "@example.org";
        return new NewRecipient(6, List.of(Property.of(PropTags.RECIPIENT_TYPE, PropType.LONG, 1),
                Property.of(PropTags.DISPLAY_NAME, PropType.STRING8, who),
                Property.of(PropTags.EMAIL_ADDRESS, PropType.STRING8, email),
                Property.of(PropTags.EC_CONTACT_ENTRYID, PropType.BINARY, Bytes.wrap(email.getBytes(StandardCharsets.US_ASCII)))));
    }
}
