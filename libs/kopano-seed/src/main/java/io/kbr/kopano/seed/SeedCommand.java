package io.kbr.kopano.seed;

import io.kbr.kopano.read.KopanoReader;
import io.kbr.kopano.schema.KopanoSchema;
import io.kbr.kopano.write.AttachmentStorage;
import io.kbr.kopano.write.KopanoWriter;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Command line front end of {@link Seeder}: connects to a MySQL/MariaDB database, optionally creates Kopano's
 * schema in it, and fills it with test mailboxes.
 *
 * <p>Exit codes: 0 when anything was stored (single messages that could not be converted or stored are listed,
 * not fatal), 1 when nothing could be stored, 2 for wrong options, 3 when the database is unreachable or
 * failed in a way that stops the run.
 */
@Command(name = "kopano-seed", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Fills a Kopano database with test mailboxes: mail from public MIME corpora, .eml files or mbox files,",
            "calendar items, contacts, tasks, FAI messages, delegates, settings and soft-deleted items."},
        footer = {"", "Exit codes: 0 stored something, 1 nothing could be stored, 2 bad options, 3 database unreachable or failing."})
public final class SeedCommand implements Callable<Integer> {
    static final int EXIT_NOTHING_STORED = 1;
    static final int EXIT_USAGE = 2;
    static final int EXIT_DATABASE = 3;

    @Spec
    CommandSpec spec;

    @Option(names = "--jdbc-url", required = true, description = "JDBC URL of the Kopano database, e.g. jdbc:mysql://127.0.0.1:3306/kopano")
    String jdbcUrl;

    @Option(names = {"-u", "--user"}, description = "Database user.", defaultValue = "root")
    String dbUser;

    @Option(names = {"-p", "--password"}, description = "Database password (default: environment variable KBR_DB_PASSWORD, else empty).")
    String dbPassword;

    @Option(names = "--create-schema", description = "Create Kopano's tables, default rows and procedures first (the database must be empty).")
    boolean createSchema;

    @Option(names = "--server-guid", description = "settings.server_guid for --create-schema, 32 hex digits (default: random).")
    String serverGuid;

    @Option(names = "--attachment-storage", description = "database, files or files_v2 (default: the database's attachment_storage setting; "
            + "database for --create-schema).")
    String attachmentStorage;

    @Option(names = "--attachment-path", description = "attachment_path for files and files_v2 storage.")
    Path attachmentPath;

    @Option(names = "--attachment-compression", defaultValue = "0", description = "gzip level 0-9 for files storage (default: ${DEFAULT-VALUE}).")
    int attachmentCompression;

    @Option(names = "--users", defaultValue = "1", description = "Number of generated users/stores (default: ${DEFAULT-VALUE}).")
    int users;

    @Option(names = "--user-prefix", defaultValue = "user", description = "Login name prefix of generated users (default: ${DEFAULT-VALUE}).")
    String userPrefix;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the pseudo-random choices (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--base-time", defaultValue = "2024-01-15T09:00:00Z",
            description = "Time the sample items are placed around (default: ${DEFAULT-VALUE}).")
    Instant baseTime;

    @Option(names = "--corpora", description = "Use the built-in MIME corpora (the default when no other source is given).")
    boolean corpora;

    @Option(names = "--eml-dir", description = "Import every *.eml file below this directory (repeatable).")
    List<Path> emlDirs = new ArrayList<>();

    @Option(names = "--mbox", description = "Import the messages of this mbox file (repeatable).")
    List<Path> mboxFiles = new ArrayList<>();

    @Option(names = "--store-user", description = "Login name of the store that gets all imported mail (created unless it is a generated user).")
    String storeUser;

    @Option(names = "--folder", description = "Folder path below the IPM subtree that gets all imported mail, e.g. 'Import/2024' (created).")
    String folder;

    @Option(names = "--no-samples", description = "Do not create calendar items, contacts, FAI messages, delegates and settings.")
    boolean noSamples;

    @Option(names = "--no-soft-deletes", description = "Do not soft-delete anything.")
    boolean noSoftDeletes;

    @Option(names = {"-v", "--verbose"}, description = "Also list the soft problems found while converting messages.")
    boolean verbose;

    public static void main(String[] args) {
        System.exit(new CommandLine(new SeedCommand()).execute(args));
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<MessageSource> sources = sources(err);
        if (sources == null) {
            return EXIT_USAGE;
        }
        Seeder.Config config;
        try {
            config = new Seeder.Config(users, seed, baseTime, userPrefix, !noSamples, !noSoftDeletes, storeUser, folder);
        } catch (IllegalArgumentException e) {
            err.println("kopano-seed: " + e.getMessage());
            return EXIT_USAGE;
        }

        Connection c;
        try {
            c = connect();
        } catch (SQLException e) {
            err.println("kopano-seed: cannot connect to " + jdbcUrl + ": " + e.getMessage());
            return EXIT_DATABASE;
        }
        try (c) {
            AttachmentStorage storage;
            try {
                storage = storage(c);
            } catch (IllegalArgumentException e) {
                err.println("kopano-seed: " + e.getMessage());
                return EXIT_USAGE;
            }
            if (createSchema) {
                byte[] guid = serverGuid == null ? KopanoSchema.randomServerGuid() : HexFormat.of().parseHex(serverGuid);
                out.println("creating the Kopano schema (attachment_storage = " + storage.kind().settingValue() + ")");
                KopanoSchema.create(c, guid, storage.kind().settingValue());
            } else {
                String clash = existingLogin(c, config);
                if (clash != null) {
                    err.println("kopano-seed: the database already has a store of user '" + clash
                            + "'; use another --user-prefix / --store-user or a fresh database");
                    return EXIT_USAGE;
                }
            }
            KopanoWriter writer = new KopanoWriter(c, storage);
            Seeder.Summary summary = new Seeder(writer, config, out::println).seed(sources);
            print(summary, out);
            return summary.items() == 0 ? EXIT_NOTHING_STORED : 0;
        } catch (SQLException e) {
            err.println("kopano-seed: database error, run stopped: " + e.getMessage());
            return EXIT_DATABASE;
        } catch (MessageSource.SourceException e) {
            err.println("kopano-seed: " + e.getMessage());
            return EXIT_USAGE;
        } catch (Exception e) {
            err.println("kopano-seed: run stopped: " + e);
            return EXIT_DATABASE;
        }
    }

    private List<MessageSource> sources(PrintWriter err) {
        List<MessageSource> sources = new ArrayList<>();
        if (corpora || (emlDirs.isEmpty() && mboxFiles.isEmpty())) {
            sources.add(Corpora.source());
        }
        for (Path d : emlDirs) {
            if (!Files.isDirectory(d)) {
                err.println("kopano-seed: --eml-dir " + d + " is not a directory");
                return null;
            }
            sources.add(EmlDirectory.source(d));
        }
        for (Path f : mboxFiles) {
            if (!Files.isRegularFile(f)) {
                err.println("kopano-seed: --mbox " + f + " is not a file");
                return null;
            }
            sources.add(Mbox.source(f));
        }
        return sources;
    }

    private Connection connect() throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", dbUser);
        String pw = dbPassword != null ? dbPassword : System.getenv().getOrDefault("KBR_DB_PASSWORD", "");
        props.setProperty("password", pw);
        if (!jdbcUrl.toLowerCase(Locale.ROOT).contains("characterencoding")) {
            // §1: Kopano's tables are utf8mb4, and the server talks utf8mb4.
            props.setProperty("characterEncoding", "UTF-8");
        }
        return DriverManager.getConnection(jdbcUrl, props);
    }

    private AttachmentStorage storage(Connection c) throws SQLException {
        AttachmentStorage.Kind kind;
        if (attachmentStorage != null) {
            kind = switch (attachmentStorage.toLowerCase(Locale.ROOT)) {
                case "database" -> AttachmentStorage.Kind.DATABASE;
                case "files" -> AttachmentStorage.Kind.FILES;
                case "files_v2" -> AttachmentStorage.Kind.FILES_V2;
                default -> throw new IllegalArgumentException("--attachment-storage must be database, files or files_v2, not " + attachmentStorage);
            };
        } else if (createSchema) {
            kind = AttachmentStorage.Kind.DATABASE;
        } else {
            kind = KopanoReader.storageKind(c);
        }
        if (kind == AttachmentStorage.Kind.DATABASE) {
            return AttachmentStorage.database();
        }
        if (attachmentPath == null) {
            throw new IllegalArgumentException("attachment storage " + kind.settingValue() + " needs --attachment-path");
        }
        try {
            Files.createDirectories(attachmentPath);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("cannot create --attachment-path " + attachmentPath + ": " + e.getMessage());
        }
        if (kind == AttachmentStorage.Kind.FILES) {
            if (attachmentCompression < 0 || attachmentCompression > 9) {
                throw new IllegalArgumentException("--attachment-compression must be 0-9");
            }
            return AttachmentStorage.files(attachmentPath, attachmentCompression);
        }
        return AttachmentStorage.filesV2(attachmentPath);
    }

    /** A login this run would create that already has a store, or null. */
    private static String existingLogin(Connection c, Seeder.Config config) throws SQLException {
        List<String> logins = new ArrayList<>();
        for (int i = 1; i <= config.users(); i++) {
            logins.add(config.userPrefix() + i);
        }
        if (config.storeUser() != null && !logins.contains(config.storeUser())) {
            logins.add(config.storeUser());
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM stores WHERE user_name = ? LIMIT 1")) {
            for (String login : logins) {
                ps.setString(1, login);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        return login;
                    }
                }
            }
        }
        return null;
    }

    private void print(Seeder.Summary s, PrintWriter out) {
        out.println();
        for (Seeder.StoreSummary st : s.stores()) {
            out.printf("store %-16s items %5d (mail %d, samples %d, FAI %d)  attachments %4d  bytes %,d  soft-deleted: %d messages, %d folders (%d items below)%n",
                    st.user(), st.items(), st.mails(), st.sampleItems(), st.associatedItems(), st.attachments(), st.bytes(),
                    st.softDeletedMessages(), st.softDeletedFolders(), st.itemsInDeletedFolders());
            st.folders().forEach((path, count) -> out.printf("    %-28s %4d items%s%n", path, count.items(),
                    count.associated() > 0 ? ", " + count.associated() + " FAI" : ""));
        }
        out.printf("%ntotal: %d stores, %d items (%d mail), %d attachments, %,d bytes; %d messages not stored, %d conversion notes%n",
                s.stores().size(), s.items(), s.mails(), s.attachments(), s.bytes(), s.failures().size(), s.notes().size());
        for (Seeder.Failure f : s.failures()) {
            out.println("  not stored: " + f);
        }
        if (verbose) {
            for (Seeder.Note n : s.notes()) {
                out.println("  note: " + n.name() + ": " + n.text());
            }
        }
    }
}
