package io.kbr.dump;

import io.kbr.kopano.model.PropTags;
import io.kbr.kopano.model.PropType;
import io.kbr.kopano.model.Property;
import io.kbr.kopano.model.SpecialFolder;
import io.kbr.kopano.schema.KopanoSchema;
import io.kbr.kopano.write.AttachmentStorage;
import io.kbr.kopano.write.KopanoWriter;
import io.kbr.kopano.write.NewMessage;
import io.kbr.kopano.write.StoreLayout;
import io.kbr.kopano.write.UserRef;
import io.kbr.localservers.MariaDbServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;

/** A Kopano database with one store, messages with attachments (some sharing content), for the dump tests. */
final class KopanoSource {
    final MariaDbServer db;
    final String name;
    final AttachmentStorage storage;
    StoreLayout store;
    UserRef user;
    long loadFolder;

    KopanoSource(MariaDbServer db, String name, AttachmentStorage storage) {
        this.db = db;
        this.name = name;
        this.storage = storage;
    }

    static KopanoSource create(MariaDbServer db, String name, AttachmentStorage.Kind kind, Path attachments, int messages)
            throws SQLException {
        AttachmentStorage storage = switch (kind) {
            case DATABASE -> AttachmentStorage.database();
            case FILES -> AttachmentStorage.files(attachments, 6);
            case FILES_V2 -> AttachmentStorage.filesV2(attachments);
        };
        db.createDatabase(name);
        KopanoSource s = new KopanoSource(db, name, storage);
        try (Connection c = s.connect()) {
            KopanoSchema.create(c, KopanoSchema.randomServerGuid(), kind.settingValue());
            KopanoWriter w = new KopanoWriter(c, storage);
            s.user = w.createUser("alice", "Alice Liddell", "alice@example.org");
            s.store = w.createStore(s.user);
            s.loadFolder = w.createFolder(s.store, s.store.folder(SpecialFolder.INBOX), "Load", "IPF.Note");
            Random r = new Random(42);
            for (int i = 0; i < messages; i++) {
                List<NewMessage.NewAttachment> atts = new ArrayList<>();
                if (i % 3 == 0) {
                    byte[] data = new byte[2000 + r.nextInt(30_000)];
                    if (i % 2 == 0) {
                        r.nextBytes(data);
                    } else {
                        byte[] text = ("line " + i + " of a compressible attachment\n").repeat(2000).getBytes(StandardCharsets.UTF_8);
                        data = text;
                    }
                    atts.add(new NewMessage.NewAttachment(List.of(Property.of(PropTags.ATTACH_METHOD, PropType.LONG, 1),
                            Property.of(PropTags.ATTACH_LONG_FILENAME, PropType.STRING8, "file-" + i + ".bin")), data, null));
                }
                if (i % 10 == 0) { // the same content again: one more instance, same files_v2 directory
                    atts.add(new NewMessage.NewAttachment(List.of(Property.of(PropTags.ATTACH_METHOD, PropType.LONG, 1)),
                            "shared attachment content".getBytes(StandardCharsets.UTF_8), null));
                }
                w.writeMessage(s.store, s.store.folder(SpecialFolder.INBOX), new NewMessage(List.of(
                        Property.of(PropTags.MESSAGE_CLASS, PropType.STRING8, "IPM.Note"),
                        Property.of(PropTags.SUBJECT, PropType.STRING8, "Seed message " + i + " — ünïcødé 'quoted' \\ back\nslash"),
                        Property.of(PropTags.MESSAGE_FLAGS, PropType.LONG, i % 4)),
                        List.of(), atts, null, false));
            }
        }
        return s;
    }

    Connection connect() {
        try {
            return DriverManager.getConnection(db.jdbcUrl(name), db.rootUser(), db.rootPassword());
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    Supplier<Connection> connector() {
        return this::connect;
    }

    /** Connections for {@link DumpLoader}'s LOAD DATA path ({@code allowLoadLocalInfile=true}). */
    static Supplier<Connection> loadConnector(MariaDbServer db, String name) {
        return () -> {
            try {
                return DriverManager.getConnection(db.jdbcUrl(name) + "&" + DumpLoader.JDBC_PROPERTY + "=true", db.rootUser(),
                        db.rootPassword());
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        };
    }

    static Supplier<Connection> connector(MariaDbServer db, String name) {
        return () -> {
            try {
                return DriverManager.getConnection(db.jdbcUrl(name), db.rootUser(), db.rootPassword());
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        };
    }
}
