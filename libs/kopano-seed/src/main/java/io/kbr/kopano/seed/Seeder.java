package io.kbr.kopano.seed;

import io.kbr.kopano.mime.MimeConversionException;
import io.kbr.kopano.mime.MimeToMapi;
import io.kbr.kopano.mime.OneOffEntryIds;
import io.kbr.kopano.model.Bytes;
import io.kbr.kopano.model.FileTimes;
import io.kbr.kopano.model.Message;
import io.kbr.kopano.model.PropTags;
import io.kbr.kopano.model.PropType;
import io.kbr.kopano.model.Property;
import io.kbr.kopano.model.PropertyList;
import io.kbr.kopano.model.SpecialFolder;
import io.kbr.kopano.seed.SampleItems.Person;
import io.kbr.kopano.write.KopanoWriter;
import io.kbr.kopano.write.NewMessage;
import io.kbr.kopano.write.StoreLayout;
import io.kbr.kopano.write.UserRef;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.function.Consumer;

/**
 * Fills a Kopano database through {@link KopanoWriter}: N users with private stores, mail from the given sources
 * spread over Inbox, Sent Items, Deleted Items and a user folder hierarchy (with a nested folder), calendar
 * items, contacts, tasks, a note and a journal entry, associated (FAI) messages, delegates with an ACL,
 * out-of-office and WebApp settings, and soft-deleted mail (messages deleted directly, and a deleted folder with
 * messages and a subfolder below it).
 *
 * <p>The same seed, configuration and sources give the same content (ids and GUIDs are the writer's). A message
 * that cannot be converted or stored is recorded as a {@link Failure} and the run goes on; only errors that
 * mean the database is gone abort it.
 */
public final class Seeder {
    /** Folder paths (relative to IPM_SUBTREE) created in every store. */
    public static final String PROJECTS = "Projects";
    public static final String PROJECTS_NESTED = "Projects/Kopano Migration";
    public static final String NEWSLETTERS = "Inbox/Newsletters";
    public static final String OLD_STUFF = "Old Stuff";
    public static final String OLD_STUFF_NESTED = "Old Stuff/Older";

    private static final String[] FULL_NAMES = {
        "Anna Schmidt", "Bram de Vries", "Chloé Martin", "Dmitri Ivanov", "Eva Nováková", "Farid Haddad", "Grace O'Neill",
        "Hiro Tanaka", "Ingrid Larsen", "José García",
    };

    /**
     * What to create.
     *
     * @param users       number of generated users/stores ({@code userPrefix}1 … N)
     * @param seed        seed of the pseudo-random choices (folders, read flags)
     * @param baseTime    the point in time the sample items and default delivery times are placed around
     * @param userPrefix  login name prefix of generated users
     * @param sampleItems create calendar items, contacts, FAI messages, delegates, settings
     * @param softDeletes soft-delete some mail and the "Old Stuff" folder
     * @param storeUser   login name of the store that gets all source mail (created if it is not one of the
     *                    generated users), or null to spread the mail over all stores
     * @param folder      folder path below the IPM subtree ("A/B", created) that gets all source mail, or null to
     *                    spread it over the standard folders
     */
    public record Config(int users, long seed, Instant baseTime, String userPrefix, boolean sampleItems, boolean softDeletes,
            String storeUser, String folder) {
        public Config {
            if (users < 0) {
                throw new IllegalArgumentException("users must be >= 0");
            }
            if (users == 0 && storeUser == null) {
                throw new IllegalArgumentException("with 0 generated users a --store-user is needed");
            }
            Objects.requireNonNull(baseTime, "baseTime");
            Objects.requireNonNull(userPrefix, "userPrefix");
        }

        public static Config defaults() {
            return new Config(1, 42, Instant.parse("2024-01-15T09:00:00Z"), "user", true, true, null, null);
        }

        public Config withUsers(int n) {
            return new Config(n, seed, baseTime, userPrefix, sampleItems, softDeletes, storeUser, folder);
        }

        public Config withSeed(long s) {
            return new Config(users, s, baseTime, userPrefix, sampleItems, softDeletes, storeUser, folder);
        }

        public Config withTarget(String user, String folderPath) {
            return new Config(users, seed, baseTime, userPrefix, sampleItems, softDeletes, user, folderPath);
        }

        public Config withSampleItems(boolean on) {
            return new Config(users, seed, baseTime, userPrefix, on, softDeletes, storeUser, folder);
        }

        public Config withSoftDeletes(boolean on) {
            return new Config(users, seed, baseTime, userPrefix, sampleItems, on, storeUser, folder);
        }
    }

    /** A message that could not be stored, with the reason. */
    public record Failure(String name, String reason) {
        @Override
        public String toString() {
            return name + ": " + reason;
        }
    }

    /** A soft problem met while converting a message that was stored anyway. */
    public record Note(String name, String text) {
    }

    /** Items in one folder: normal messages and associated (FAI) ones. */
    public record FolderCount(int items, int associated) {
    }

    /**
     * What one store received.
     *
     * @param folders              folder path → counts, for every folder that got something
     * @param mails                converted source messages
     * @param sampleItems          sample (non-mail) items, associated ones included
     * @param associatedItems      FAI messages
     * @param attachments          attachments of top-level messages
     * @param bytes                sum of PR_MESSAGE_SIZE of everything written
     * @param softDeletedMessages  messages soft-deleted directly
     * @param softDeletedFolders   folders soft-deleted (their contents stay, deleted via the parent)
     * @param itemsInDeletedFolders messages below soft-deleted folders
     */
    public record StoreSummary(String user, long storeHierarchyId, Map<String, FolderCount> folders, int mails, int sampleItems,
            int associatedItems, int attachments, long bytes, int softDeletedMessages, int softDeletedFolders, int itemsInDeletedFolders) {
        public StoreSummary {
            folders = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(folders));
        }

        public int items() {
            return mails + sampleItems;
        }
    }

    /** The result of a run. */
    public record Summary(List<StoreSummary> stores, List<Failure> failures, List<Note> notes) {
        public Summary {
            stores = List.copyOf(stores);
            failures = List.copyOf(failures);
            notes = List.copyOf(notes);
        }

        public int items() {
            return stores.stream().mapToInt(StoreSummary::items).sum();
        }

        public int mails() {
            return stores.stream().mapToInt(StoreSummary::mails).sum();
        }

        public int attachments() {
            return stores.stream().mapToInt(StoreSummary::attachments).sum();
        }

        public long bytes() {
            return stores.stream().mapToLong(StoreSummary::bytes).sum();
        }
    }

    /**
     * Observes what a run stores, for tests that compare a database with its input: every message written (mail
     * and sample items, as {@link KopanoWriter#writeMessage} returned it, with the input it was written from) and
     * every object soft-deleted afterwards.
     */
    public interface Listener {
        /**
         * @param source  the name of the source message for mail, null for sample items
         * @param input   what was handed to the writer
         * @param written what the writer stored (before any later soft delete)
         */
        void stored(String source, NewMessage input, Message written);

        /** A message or folder soft-deleted at {@code when} (§6.1: only this top object is flagged). */
        default void softDeleted(long hierarchyId, Instant when) {
        }
    }

    private static final Listener NO_LISTENER = (source, input, written) -> {
    };

    private final KopanoWriter writer;
    private final Config config;
    private final Consumer<String> log;
    private final Listener listener;

    public Seeder(KopanoWriter writer, Config config) {
        this(writer, config, s -> {
        });
    }

    /** @param log receives one line per step, for progress output */
    public Seeder(KopanoWriter writer, Config config, Consumer<String> log) {
        this(writer, config, log, NO_LISTENER);
    }

    /**
     * @param log      receives one line per step, for progress output
     * @param listener is told about every message stored and every object soft-deleted
     */
    public Seeder(KopanoWriter writer, Config config, Consumer<String> log, Listener listener) {
        this.writer = Objects.requireNonNull(writer, "writer");
        this.config = Objects.requireNonNull(config, "config");
        this.log = Objects.requireNonNull(log, "log");
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    /** Runs the whole seeding; throws only when the database (or a whole source) cannot be used. */
    public Summary seed(List<MessageSource> sources) throws Exception {
        Random random = new Random(config.seed());
        List<Failure> failures = new ArrayList<>();
        List<Note> notes = new ArrayList<>();

        log.accept("step 1 of 5: creating users and stores");
        List<Target> targets = new ArrayList<>();
        for (int i = 1; i <= config.users(); i++) {
            String login = config.userPrefix() + i;
            targets.add(createTarget(login, FULL_NAMES[(i - 1) % FULL_NAMES.length] + (i > FULL_NAMES.length ? " " + i : "")));
        }
        Target importTarget = null;
        if (config.storeUser() != null) {
            for (Target t : targets) {
                if (t.user.loginName().equals(config.storeUser())) {
                    importTarget = t;
                }
            }
            if (importTarget == null) {
                importTarget = createTarget(config.storeUser(), config.storeUser());
                targets.add(importTarget);
            }
        }
        String importFolder = null;
        if (config.folder() != null) {
            importFolder = normaliseFolder(config.folder());
            for (Target t : config.storeUser() != null ? List.of(importTarget) : targets) {
                t.folder(importFolder);
            }
        }

        if (config.sampleItems()) {
            log.accept("step 2 of 5: writing calendar items, contacts, tasks, FAI messages, delegates and settings");
            for (int i = 0; i < targets.size(); i++) {
                writeSamples(targets.get(i), targets, i);
            }
        } else {
            log.accept("step 2 of 5: sample items skipped");
        }

        log.accept("step 3 of 5: converting and writing mail");
        final Target fixedTarget = importTarget;
        final String fixedFolder = importFolder;
        int[] counter = {0};
        for (MessageSource source : sources) {
            log.accept("  source: " + source.describe());
            source.forEach(new MessageSource.Sink() {
                @Override
                public void accept(NamedMessage m) throws Exception {
                    Target t = fixedTarget != null ? fixedTarget : targets.get(counter[0] % targets.size());
                    counter[0]++;
                    writeMail(t, fixedFolder, m, random, counter[0], failures, notes);
                }

                @Override
                public void unreadable(String name, String reason) {
                    failures.add(new Failure(name, reason));
                }
            });
        }

        if (config.softDeletes()) {
            log.accept("step 4 of 5: soft-deleting mail and the '" + OLD_STUFF + "' folder");
            for (Target t : targets) {
                softDeletes(t);
            }
        } else {
            log.accept("step 4 of 5: soft deletes skipped");
        }

        log.accept("step 5 of 5: summary");
        List<StoreSummary> summaries = new ArrayList<>();
        for (Target t : targets) {
            summaries.add(t.summary());
        }
        return new Summary(summaries, failures, notes);
    }

    // ---------------------------------------------------------------------------------------------------
    // Stores and folders

    /** A store being filled, with its folders by path and what it received. */
    private final class Target {
        final UserRef user;
        final StoreLayout layout;
        final Map<String, Long> folders = new LinkedHashMap<>();
        final Map<String, int[]> counts = new LinkedHashMap<>();
        final List<Long> inboxMessages = new ArrayList<>();
        int mails;
        int samples;
        int associated;
        int attachments;
        long bytes;
        int softDeletedMessages;
        int softDeletedFolders;
        int itemsInDeletedFolders;
        int received;

        Target(UserRef user, StoreLayout layout) {
            this.user = user;
            this.layout = layout;
        }

        Person person() {
            return new Person(user.fullName(), user.email());
        }

        /** The folder at {@code path} ("Inbox", "Projects/Kopano Migration"), created below IPM_SUBTREE if needed. */
        long folder(String path) throws SQLException {
            Long id = folders.get(path);
            if (id != null) {
                return id;
            }
            int slash = path.lastIndexOf('/');
            long parent = slash < 0 ? layout.folder(SpecialFolder.IPM_SUBTREE) : folder(path.substring(0, slash));
            long created = writer.createFolder(layout, parent, path.substring(slash + 1), "IPF.Note");
            folders.put(path, created);
            return created;
        }

        void count(String path, Message m, boolean sample) {
            int[] c = counts.computeIfAbsent(path, k -> new int[2]);
            if (m.associated()) {
                c[1]++;
                associated++;
            } else {
                c[0]++;
            }
            if (sample) {
                samples++;
            } else {
                mails++;
            }
            attachments += m.attachments().size();
            bytes += Integer.toUnsignedLong(PropertyList.integer(m.props(), PropTags.MESSAGE_SIZE).orElse(0));
        }

        StoreSummary summary() {
            Map<String, FolderCount> f = new LinkedHashMap<>();
            counts.forEach((k, v) -> f.put(k, new FolderCount(v[0], v[1])));
            return new StoreSummary(user.loginName(), layout.store().hierarchyId(), f, mails, samples, associated, attachments, bytes,
                    softDeletedMessages, softDeletedFolders, itemsInDeletedFolders);
        }
    }

    private Target createTarget(String login, String fullName) throws SQLException {
        UserRef user = writer.createUser(login, fullName, login + "@kbr.test");
        StoreLayout layout = writer.createStore(user);
        Target t = new Target(user, layout);
        for (SpecialFolder f : new SpecialFolder[] {SpecialFolder.INBOX, SpecialFolder.SENT_ITEMS, SpecialFolder.DELETED_ITEMS,
                SpecialFolder.CALENDAR, SpecialFolder.CONTACTS, SpecialFolder.TASKS, SpecialFolder.NOTES, SpecialFolder.JOURNAL,
                SpecialFolder.DRAFTS}) {
            t.folders.put(f.defaultName(), layout.folder(f));
        }
        long inbox = layout.folder(SpecialFolder.INBOX);
        t.folders.put(NEWSLETTERS, writer.createFolder(layout, inbox, "Newsletters", "IPF.Note"));
        t.folder(PROJECTS_NESTED);
        t.folder(OLD_STUFF_NESTED);
        log.accept("  store of " + login + " (hierarchy id " + layout.store().hierarchyId() + ")");
        return t;
    }

    private static String normaliseFolder(String path) {
        StringBuilder out = new StringBuilder();
        for (String part : path.split("/")) {
            if (!part.isBlank()) {
                if (out.length() > 0) {
                    out.append('/');
                }
                out.append(part.strip());
            }
        }
        if (out.length() == 0) {
            throw new IllegalArgumentException("folder '" + path + "' has no name");
        }
        return out.toString();
    }

    // ---------------------------------------------------------------------------------------------------
    // Mail

    private void writeMail(Target t, String fixedFolder, NamedMessage m, Random random, int sequence, List<Failure> failures,
            List<Note> notes) throws SQLException {
        t.received++;
        String path = fixedFolder != null ? fixedFolder : chooseFolder(t.received, random);
        boolean read = path.equals(SpecialFolder.SENT_ITEMS.defaultName()) || random.nextInt(100) < 55;
        Instant fallback = config.baseTime().minus(Duration.ofHours(sequence));
        MimeToMapi converter = new MimeToMapi(MimeToMapi.Options.defaults().withMarkAsRead(read).withDefaultDeliveryTime(fallback));
        NewMessage converted;
        try {
            MimeToMapi.Conversion c = converter.convertDetailed(m.bytes());
            converted = c.message();
            for (String n : c.notes()) {
                notes.add(new Note(m.name(), n));
            }
        } catch (MimeConversionException e) {
            failures.add(new Failure(m.name(), e.getMessage()));
            return;
        } catch (RuntimeException e) {
            failures.add(new Failure(m.name(), "conversion failed unexpectedly: " + e));
            return;
        }
        try {
            long folder = t.folder(path);
            Message written = writer.writeMessage(t.layout, folder, converted);
            listener.stored(m.name(), converted, written);
            t.count(path, written, false);
            if (path.equals(SpecialFolder.INBOX.defaultName())) {
                t.inboxMessages.add(written.hierarchyId());
            }
        } catch (SQLException e) {
            if (isConnectionLoss(e)) {
                throw e;
            }
            failures.add(new Failure(m.name(), "the database rejected it: " + e.getMessage()));
        } catch (RuntimeException e) {
            failures.add(new Failure(m.name(), "writing failed: " + e));
        }
    }

    /** The first two messages of a store go below "Old Stuff" (soft-deleted later); the rest by weight. */
    private static String chooseFolder(int received, Random random) {
        if (received == 1) {
            return OLD_STUFF;
        }
        if (received == 2) {
            return OLD_STUFF_NESTED;
        }
        int r = random.nextInt(100);
        if (r < 55) {
            return SpecialFolder.INBOX.defaultName();
        }
        if (r < 70) {
            return SpecialFolder.SENT_ITEMS.defaultName();
        }
        if (r < 78) {
            return PROJECTS;
        }
        if (r < 86) {
            return PROJECTS_NESTED;
        }
        if (r < 95) {
            return NEWSLETTERS;
        }
        return SpecialFolder.DELETED_ITEMS.defaultName();
    }

    static boolean isConnectionLoss(SQLException e) {
        String state = e.getSQLState();
        return e instanceof SQLNonTransientConnectionException || e instanceof SQLTransientConnectionException
                || e instanceof SQLRecoverableException || (state != null && state.startsWith("08"));
    }

    // ---------------------------------------------------------------------------------------------------
    // Sample items

    private void writeSamples(Target t, List<Target> all, int index) throws SQLException {
        Instant base = config.baseTime();
        Person me = t.person();
        List<Person> others = new ArrayList<>();
        for (Target o : all) {
            if (o != t) {
                others.add(o.person());
            }
        }
        Person colleague = others.isEmpty() ? new Person("Pat Example", "pat@example.com") : others.get(0);

        // Calendar (§3.6b PSETID_Appointment / PSETID_Common / PSETID_Meeting, PS_PUBLIC_STRINGS "Keywords").
        long calendar = t.layout.folder(SpecialFolder.CALENDAR);
        String cal = SpecialFolder.CALENDAR.defaultName();
        sample(t, cal, calendar, SampleItems.appointment(me, "Weekly status", "Room 101", base.plus(Duration.ofDays(1)),
                base.plus(Duration.ofDays(1)).plus(Duration.ofMinutes(30)), false, 2, 15, List.of("Work"), List.of()));
        sample(t, cal, calendar, SampleItems.appointment(me, "Migration planning", "Video call", base.plus(Duration.ofDays(2)),
                base.plus(Duration.ofDays(2)).plus(Duration.ofHours(2)), false, 2, 10, List.of("Work", "Kopano"),
                List.of(colleague, new Person("External Guest", "guest@example.org"))));
        sample(t, cal, calendar, SampleItems.appointment(me, "Company holiday", "", base.plus(Duration.ofDays(10)).truncatedTo(java.time.temporal.ChronoUnit.DAYS),
                base.plus(Duration.ofDays(11)).truncatedTo(java.time.temporal.ChronoUnit.DAYS), true, 3, null, List.of(), List.of()));
        sample(t, cal, calendar, SampleItems.appointment(me, "Dentist", "Dr. Zahn, Hauptstraße 5", base.minus(Duration.ofDays(3)),
                base.minus(Duration.ofDays(3)).plus(Duration.ofMinutes(45)), false, 1, 60, List.of("Personal"), List.of()));
        sample(t, cal, calendar, SampleItems.configurationFai("WorkHours",
                "<?xml version=\"1.0\"?><Root><WorkHoursVersion1><TimeZone><Bias>0</Bias></TimeZone><TimeSlot><Start>09:00:00</Start>"
                        + "<End>17:00:00</End></TimeSlot><WorkDays>Monday Tuesday Wednesday Thursday Friday</WorkDays></WorkHoursVersion1></Root>",
                base.minus(Duration.ofDays(30))));

        // Contacts (PSETID_Address).
        long contacts = t.layout.folder(SpecialFolder.CONTACTS);
        String con = SpecialFolder.CONTACTS.defaultName();
        for (int i = 0; i < Math.min(3, others.size()); i++) {
            Person o = others.get(i);
            sample(t, con, contacts, SampleItems.contact(o, "kbr GmbH", "Engineer", "+49 30 555 010" + i, "Berlin",
                    Instant.parse("1985-04-0" + (i + 1) + "T00:00:00Z"), List.of("Colleagues")));
        }
        sample(t, con, contacts, SampleItems.contact(new Person("Zoë Ångström", "zoe@example.se"), "Exempel AB", "Chief Tester",
                "+46 8 555 123", "Stockholm", null, List.of()));
        sample(t, con, contacts, SampleItems.contact(new Person("Max Mustermann", "max@example.de"), "Muster AG", "Sales",
                "+49 89 555 999", "München", Instant.parse("1970-01-01T00:00:00Z"), List.of("Customers", "VIP")));

        // Tasks, notes, journal (PSETID_Task, PSETID_Note, PSETID_Log).
        sample(t, SpecialFolder.TASKS.defaultName(), t.layout.folder(SpecialFolder.TASKS),
                SampleItems.task("Write migration report", base, base.plus(Duration.ofDays(5)), 0.5));
        sample(t, SpecialFolder.TASKS.defaultName(), t.layout.folder(SpecialFolder.TASKS),
                SampleItems.task("Order new laptop", base.minus(Duration.ofDays(20)), base.minus(Duration.ofDays(10)), 1.0));
        sample(t, SpecialFolder.NOTES.defaultName(), t.layout.folder(SpecialFolder.NOTES),
                SampleItems.stickyNote("Remember the milk\nand the eggs", base.minus(Duration.ofHours(5))));
        sample(t, SpecialFolder.JOURNAL.defaultName(), t.layout.folder(SpecialFolder.JOURNAL),
                SampleItems.journalEntry("Call with " + colleague.name(), "Phone call", base.minus(Duration.ofDays(1)), Duration.ofMinutes(25)));

        // FAI messages in the Inbox (§9.1: client-side rules, autocomplete).
        long inbox = t.layout.folder(SpecialFolder.INBOX);
        String inb = SpecialFolder.INBOX.defaultName();
        List<Person> nick = new ArrayList<>(others);
        nick.add(new Person("Pat Example", "pat@example.com"));
        sample(t, inb, inbox, SampleItems.autocompleteFai(nick, base.minus(Duration.ofDays(2))));
        sample(t, inb, inbox, SampleItems.ruleOrganizerFai("Move newsletters", base.minus(Duration.ofDays(40))));

        // Every storable property type (§3.2), in a user folder; a message in each "Old Stuff" folder so that the
        // soft-deleted folder certainly has content.
        sample(t, PROJECTS, t.folder(PROJECTS), SampleItems.allPropertyTypes(base.minus(Duration.ofDays(4))));
        sample(t, OLD_STUFF, t.folder(OLD_STUFF), SampleItems.stickyNote("Old idea\nno longer needed", base.minus(Duration.ofDays(400))));
        sample(t, OLD_STUFF_NESTED, t.folder(OLD_STUFF_NESTED), SampleItems.task("Ancient task", base.minus(Duration.ofDays(800)),
                base.minus(Duration.ofDays(790)), 0.0));

        // Delegates on the LocalFreebusy message (§9.3) plus the matching calendar ACL (§9.2).
        SampleItems.Delegates delegates;
        if (!others.isEmpty()) {
            Target d = all.get((index + 1) % all.size());
            delegates = new SampleItems.Delegates(List.of(d.user.fullName()),
                    List.of(SampleItems.addressBookEntryId(d.user.userId(), d.user.externId())), List.of(1));
            writer.addAcl(calendar, d.user.userId(), 2, 0x463); // Editor
            writer.addAcl(inbox, d.user.userId(), 2, 0x401); // Reviewer
        } else {
            delegates = new SampleItems.Delegates(List.of("Pat Example"), List.of(OneOffEntryIds.smtp("Pat Example", "pat@example.com")),
                    List.of(0));
        }
        writer.setDelegates(t.layout, delegates.names(), delegates.entryIds(), delegates.flags());

        // Out-of-office and WebApp settings on the store object (§9.4).
        writer.setStoreProperties(t.layout, List.of(
                Property.of(PropTags.EC_OUTOFOFFICE, PropType.BOOLEAN, index % 2 == 1),
                Property.of(PropTags.EC_OUTOFOFFICE_SUBJECT, PropType.UNICODE, "Out of office"),
                Property.of(PropTags.EC_OUTOFOFFICE_MSG, PropType.UNICODE, "I am away until " + base.plus(Duration.ofDays(14)) + "."),
                Property.of(PropTags.EC_OUTOFOFFICE_FROM, PropType.SYSTIME, FileTimes.fromInstant(base)),
                Property.of(PropTags.EC_OUTOFOFFICE_UNTIL, PropType.SYSTIME, FileTimes.fromInstant(base.plus(Duration.ofDays(14)))),
                Property.of(PropTags.EC_WEBACCESS_SETTINGS_JSON, PropType.UNICODE,
                        "{\"settings\":{\"zarafa\":{\"v1\":{\"main\":{\"language\":\"en_GB\",\"default_context\":\"mail\"}}}}}")));
        writer.setRules(t.layout, rulesXml(writer.entryIdOf(t.layout.store().hierarchyId()), writer.entryIdOf(t.folders.get(NEWSLETTERS))));
    }

    /**
     * One server-side rule "Move newsletters" (PR_RULES_DATA, §9.1) in the shape of kopano's gSOAP serialisation of the
     * rules rowset ({@code soap_put_rowSet(…, "tableData", "rowSet")}, structs {@code propVal}/{@code actions} of
     * {@code proto.h}): an OP_MOVE action whose {@code moveCopy} holds the MAPI-wrapped store entryid and the Newsletters
     * folder's entryid, so backups and restores meet the entryids a real rule holds.
     */
    static Bytes rulesXml(Bytes storeEntryId, Bytes folderEntryId) {
        java.util.Base64.Encoder b64 = java.util.Base64.getEncoder();
        String xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + "<tableData xmlns:SOAP-ENV=\"http://schemas.xmlsoap.org/soap/envelope/\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\""
                + " xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" xmlns:ns=\"urn:zarafa\" xsi:type=\"ns:rowSet\">"
                + "<item><item><ulPropTag>1718878228</ulPropTag><Value><li>1</li></Value></item>" // PR_RULE_ID
                + "<item><ulPropTag>1719009283</ulPropTag><Value><ul>10</ul></Value></item>" // PR_RULE_SEQUENCE
                + "<item><ulPropTag>1719074819</ulPropTag><Value><ul>1</ul></Value></item>" // PR_RULE_STATE: ST_ENABLED
                + "<item><ulPropTag>1719795743</ulPropTag><Value><lpszA>Move newsletters</lpszA></Value></item>" // PR_RULE_NAME
                + "<item><ulPropTag>1719206141</ulPropTag><Value><res><ulType>4</ulType><prop><ulPropTag>3604511</ulPropTag>"
                + "<Value><lpszA>newsletter</lpszA></Value></prop></res></Value></item>" // PR_RULE_CONDITION: subject contains
                + "<item><ulPropTag>1719664894</ulPropTag><Value><actions><item><acttype>1</acttype><flavor>0</flavor><flags>0</flags>"
                + "<moveCopy><store>" + b64.encodeToString(io.kbr.kopano.store.RulesData.wrapStoreEntryId(storeEntryId).unsafeArray())
                + "</store><folder>" + b64.encodeToString(folderEntryId.unsafeArray()) + "</folder></moveCopy></item></actions>"
                + "</Value></item></item></tableData>\n";
        return Bytes.wrap(xml.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private void sample(Target t, String path, long folder, NewMessage m) throws SQLException {
        Message written = writer.writeMessage(t.layout, folder, m);
        listener.stored(null, m, written);
        t.count(path, written, true);
    }

    // ---------------------------------------------------------------------------------------------------
    // Soft deletes (§6.1)

    private void softDeletes(Target t) throws SQLException {
        Instant when = config.baseTime().plus(Duration.ofHours(3));
        for (int i = 0; i < Math.min(2, t.inboxMessages.size()); i++) {
            writer.softDelete(t.layout, t.inboxMessages.get(i), when);
            listener.softDeleted(t.inboxMessages.get(i), when);
            t.softDeletedMessages++;
        }
        Long oldStuff = t.folders.get(OLD_STUFF);
        if (oldStuff != null) {
            writer.softDelete(t.layout, oldStuff, when.plus(Duration.ofMinutes(5)));
            listener.softDeleted(oldStuff, when.plus(Duration.ofMinutes(5)));
            t.softDeletedFolders++;
            for (Map.Entry<String, int[]> e : t.counts.entrySet()) {
                if (e.getKey().equals(OLD_STUFF) || e.getKey().startsWith(OLD_STUFF + "/")) {
                    t.itemsInDeletedFolders += e.getValue()[0] + e.getValue()[1];
                }
            }
        }
    }
}
