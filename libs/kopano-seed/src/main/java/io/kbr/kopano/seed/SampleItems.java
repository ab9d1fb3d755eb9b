package io.kbr.kopano.seed;

import io.kbr.kopano.mime.OneOffEntryIds;
import io.kbr.kopano.model.Bytes;
import io.kbr.kopano.model.FileTimes;
import io.kbr.kopano.model.NamedProperty;
import io.kbr.kopano.model.PropTags;
import io.kbr.kopano.model.PropType;
import io.kbr.kopano.model.Property;
import io.kbr.kopano.model.PropertySets;
import io.kbr.kopano.write.NewMessage;
import io.kbr.kopano.write.NewMessage.NewAttachment;
import io.kbr.kopano.write.NewMessage.NewRecipient;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * Builders for non-mail items as Outlook/WebApp store them in Kopano: appointments, contacts, tasks, sticky notes,
 * journal entries, associated (FAI) configuration messages, the LocalFreebusy message with the delegate list, and
 * a message that carries every property type Kopano can store (KOPANO-STORAGE.md §3.2).
 *
 * <p>Named properties are given by name (GUID + LID or string), as clients hand them over; the writer maps
 * them, so LIDs in the §3.6b ranges (PSETID_Appointment 0x820D, PSETID_Address 0x8083, PSETID_Common 0x8503, …)
 * get fixed ids and everything else (PS_PUBLIC_STRINGS "Keywords", PSETID_Sharing 0x8A01, …) a {@code names}
 * row. All builders are pure functions of their arguments.
 */
public final class SampleItems {
    // Standard property ids not (yet) in model.PropTags.
    static final int ICON_INDEX = 0x1080;
    static final int GIVEN_NAME = 0x3A06;
    static final int BUSINESS_TELEPHONE_NUMBER = 0x3A08;
    static final int SURNAME = 0x3A11;
    static final int COMPANY_NAME = 0x3A16;
    static final int TITLE = 0x3A17;
    static final int MOBILE_TELEPHONE_NUMBER = 0x3A1C;
    static final int BIRTHDAY = 0x3A42;
    static final int SCHDINFO_BOSS_WANTS_COPY = 0x6842;
    static final int SCHDINFO_DONT_MAIL_DELEGATES = 0x6843;
    static final int SCHDINFO_BOSS_WANTS_INFO = 0x684B;
    static final int RW_RULES_STREAM = 0x6802;
    static final int ROAMING_DATATYPES = 0x7C06;
    static final int ROAMING_XMLSTREAM = 0x7C08;
    static final int ROAMING_BINARYSTREAM = 0x7C09;

    /** PSETID_Sharing: not in any §3.6b range, so its LIDs go through the {@code names} table. */
    public static final UUID PSETID_SHARING = UUID.fromString("00062040-0000-0000-c000-000000000046");

    // PSETID_Appointment (fixed ids 0x8000 + LID - 0x8200)
    public static final NamedProperty APPT_SEQUENCE = appt(0x8201);
    public static final NamedProperty BUSY_STATUS = appt(0x8205);
    public static final NamedProperty LOCATION = appt(0x8208);
    public static final NamedProperty APPT_START_WHOLE = appt(0x820D);
    public static final NamedProperty APPT_END_WHOLE = appt(0x820E);
    public static final NamedProperty APPT_DURATION = appt(0x8213);
    public static final NamedProperty APPT_COLOR = appt(0x8214);
    public static final NamedProperty APPT_SUB_TYPE = appt(0x8215);
    public static final NamedProperty APPT_STATE_FLAGS = appt(0x8217);
    public static final NamedProperty RESPONSE_STATUS = appt(0x8218);
    public static final NamedProperty RECURRING = appt(0x8223);
    public static final NamedProperty INTENDED_BUSY_STATUS = appt(0x8224);
    public static final NamedProperty TIME_ZONE_DESCRIPTION = appt(0x8234);
    public static final NamedProperty CLIP_START = appt(0x8235);
    public static final NamedProperty CLIP_END = appt(0x8236);
    // PSETID_Common (fixed ids 0x81A0 + LID - 0x8500)
    public static final NamedProperty REMINDER_DELTA = common(0x8501);
    public static final NamedProperty REMINDER_TIME = common(0x8502);
    public static final NamedProperty REMINDER_SET = common(0x8503);
    public static final NamedProperty PRIVATE = common(0x8506);
    public static final NamedProperty COMMON_START = common(0x8516);
    public static final NamedProperty COMMON_END = common(0x8517);
    public static final NamedProperty REMINDER_SIGNAL_TIME = common(0x8560);
    // PSETID_Meeting (fixed ids 0x8340 + LID)
    public static final NamedProperty GLOBAL_OBJECT_ID = NamedProperty.ofId(PropertySets.PSETID_MEETING, 0x0003);
    public static final NamedProperty CLEAN_GLOBAL_OBJECT_ID = NamedProperty.ofId(PropertySets.PSETID_MEETING, 0x0023);
    // PSETID_Address (fixed ids 0x80B0 + LID - 0x8000)
    public static final NamedProperty FILE_UNDER = address(0x8005);
    public static final NamedProperty FILE_UNDER_ID = address(0x8006);
    public static final NamedProperty AB_PROVIDER_EMAIL_LIST = address(0x8028);
    public static final NamedProperty AB_PROVIDER_ARRAY_TYPE = address(0x8029);
    public static final NamedProperty WORK_ADDRESS_STREET = address(0x8045);
    public static final NamedProperty WORK_ADDRESS_CITY = address(0x8046);
    public static final NamedProperty WORK_ADDRESS_POSTAL_CODE = address(0x8048);
    public static final NamedProperty WORK_ADDRESS_COUNTRY = address(0x8049);
    public static final NamedProperty EMAIL1_DISPLAY_NAME = address(0x8080);
    public static final NamedProperty EMAIL1_ADDRESS_TYPE = address(0x8082);
    public static final NamedProperty EMAIL1_EMAIL_ADDRESS = address(0x8083);
    public static final NamedProperty EMAIL1_ORIGINAL_DISPLAY_NAME = address(0x8084);
    public static final NamedProperty EMAIL1_ORIGINAL_ENTRYID = address(0x8085);
    // PSETID_Task (fixed ids 0x8070 + LID - 0x8100)
    public static final NamedProperty TASK_STATUS = NamedProperty.ofId(PropertySets.PSETID_TASK, 0x8101);
    public static final NamedProperty PERCENT_COMPLETE = NamedProperty.ofId(PropertySets.PSETID_TASK, 0x8102);
    public static final NamedProperty TASK_START_DATE = NamedProperty.ofId(PropertySets.PSETID_TASK, 0x8104);
    public static final NamedProperty TASK_DUE_DATE = NamedProperty.ofId(PropertySets.PSETID_TASK, 0x8105);
    public static final NamedProperty TASK_COMPLETE = NamedProperty.ofId(PropertySets.PSETID_TASK, 0x811C);
    // PSETID_Note (fixed ids 0x82E0 + LID - 0x8B00)
    public static final NamedProperty NOTE_COLOR = NamedProperty.ofId(PropertySets.PSETID_NOTE, 0x8B00);
    public static final NamedProperty NOTE_WIDTH = NamedProperty.ofId(PropertySets.PSETID_NOTE, 0x8B02);
    public static final NamedProperty NOTE_HEIGHT = NamedProperty.ofId(PropertySets.PSETID_NOTE, 0x8B03);
    // PSETID_Log (fixed ids 0x82A0 + LID - 0x8700)
    public static final NamedProperty LOG_TYPE = NamedProperty.ofId(PropertySets.PSETID_LOG, 0x8700);
    public static final NamedProperty LOG_START = NamedProperty.ofId(PropertySets.PSETID_LOG, 0x8706);
    public static final NamedProperty LOG_DURATION = NamedProperty.ofId(PropertySets.PSETID_LOG, 0x8707);
    public static final NamedProperty LOG_END = NamedProperty.ofId(PropertySets.PSETID_LOG, 0x8708);
    // Through the names table
    public static final NamedProperty KEYWORDS = NamedProperty.ofName(PropertySets.PS_PUBLIC_STRINGS, "Keywords");
    public static final NamedProperty SHARING_PROVIDER_GUID = NamedProperty.ofId(PSETID_SHARING, 0x8A01);

    /** The fixed "array id" that starts every PidLidGlobalObjectId (MS-OXOCAL 2.2.1.27). */
    private static final byte[] GLOBAL_OBJECT_ID_PREFIX = Bytes.fromHex("040000008200E00074C5B7101A82E008").toArray();

    private SampleItems() {
    }

    private static NamedProperty appt(long lid) {
        return NamedProperty.ofId(PropertySets.PSETID_APPOINTMENT, lid);
    }

    private static NamedProperty common(long lid) {
        return NamedProperty.ofId(PropertySets.PSETID_COMMON, lid);
    }

    private static NamedProperty address(long lid) {
        return NamedProperty.ofId(PropertySets.PSETID_ADDRESS, lid);
    }

    // ---------------------------------------------------------------------------------------------------
    // Items

    /** A person: display name and SMTP address. */
    public record Person(String name, String email) {
        public Person {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(email, "email");
        }
    }

    /**
     * An appointment (IPM.Appointment) as Outlook stores it: start/end/location/busy status in PSETID_Appointment,
     * reminder in PSETID_Common, categories in PS_PUBLIC_STRINGS "Keywords" (PT_MV_UNICODE), the meeting's global
     * object id in PSETID_Meeting, and attendees as recipients.
     */
    public static NewMessage appointment(Person organizer, String subject, String location, Instant start, Instant end,
            boolean allDay, int busyStatus, Integer reminderMinutes, List<String> categories, List<Person> attendees) {
        Props p = base("IPM.Appointment", subject, "Agenda: " + subject + "\r\nWhere: " + location, start.minus(Duration.ofDays(7)));
        p.add(ICON_INDEX, PropType.LONG, attendees.isEmpty() ? 0x400 : 0x403);
        originator(p, organizer);
        long minutes = Duration.between(start, end).toMinutes();
        p.named(APPT_SEQUENCE, PropType.LONG, 0);
        p.named(BUSY_STATUS, PropType.LONG, busyStatus);
        p.named(INTENDED_BUSY_STATUS, PropType.LONG, busyStatus);
        p.named(LOCATION, PropType.UNICODE, location);
        p.named(APPT_START_WHOLE, PropType.SYSTIME, FileTimes.fromInstant(start));
        p.named(APPT_END_WHOLE, PropType.SYSTIME, FileTimes.fromInstant(end));
        p.named(APPT_DURATION, PropType.LONG, (int) minutes);
        p.named(APPT_COLOR, PropType.LONG, 0);
        p.named(APPT_SUB_TYPE, PropType.BOOLEAN, allDay);
        p.named(APPT_STATE_FLAGS, PropType.LONG, attendees.isEmpty() ? 0 : 1);
        p.named(RESPONSE_STATUS, PropType.LONG, attendees.isEmpty() ? 0 : 1);
        p.named(RECURRING, PropType.BOOLEAN, false);
        p.named(TIME_ZONE_DESCRIPTION, PropType.UNICODE, "(UTC) Coordinated Universal Time");
        p.named(CLIP_START, PropType.SYSTIME, FileTimes.fromInstant(start));
        p.named(CLIP_END, PropType.SYSTIME, FileTimes.fromInstant(end));
        p.named(COMMON_START, PropType.SYSTIME, FileTimes.fromInstant(start));
        p.named(COMMON_END, PropType.SYSTIME, FileTimes.fromInstant(end));
        p.named(PRIVATE, PropType.BOOLEAN, false);
        p.named(REMINDER_SET, PropType.BOOLEAN, reminderMinutes != null);
        if (reminderMinutes != null) {
            p.named(REMINDER_DELTA, PropType.LONG, reminderMinutes);
            p.named(REMINDER_TIME, PropType.SYSTIME, FileTimes.fromInstant(start));
            p.named(REMINDER_SIGNAL_TIME, PropType.SYSTIME, FileTimes.fromInstant(start.minus(Duration.ofMinutes(reminderMinutes))));
        }
        if (!categories.isEmpty()) {
            p.named(KEYWORDS, PropType.UNICODE | PropType.MV, List.copyOf(categories));
        }
        Bytes goid = globalObjectId(organizer.email() + "/" + subject + "/" + start);
        p.named(GLOBAL_OBJECT_ID, PropType.BINARY, goid);
        p.named(CLEAN_GLOBAL_OBJECT_ID, PropType.BINARY, goid);
        List<NewRecipient> recipients = new ArrayList<>();
        for (Person a : attendees) {
            recipients.add(recipient(a, 1, recipients.size()));
        }
        return new NewMessage(p.list, recipients, List.of(), null, false);
    }

    /** A contact (IPM.Contact) with its e-mail address and "file under" in PSETID_Address. */
    public static NewMessage contact(Person person, String company, String jobTitle, String phone, String city, Instant birthday,
            List<String> categories) {
        String[] parts = person.name().split(" ", 2);
        String given = parts[0];
        String surname = parts.length > 1 ? parts[1] : "";
        String fileUnder = surname.isEmpty() ? given : surname + ", " + given;
        Props p = base("IPM.Contact", person.name(), "Met at the " + company + " workshop.", Instant.parse("2023-06-01T09:00:00Z"));
        p.add(ICON_INDEX, PropType.LONG, 0x200);
        p.add(PropTags.DISPLAY_NAME, PropType.UNICODE, person.name());
        p.add(GIVEN_NAME, PropType.UNICODE, given);
        p.add(SURNAME, PropType.UNICODE, surname);
        p.add(COMPANY_NAME, PropType.UNICODE, company);
        p.add(TITLE, PropType.UNICODE, jobTitle);
        p.add(BUSINESS_TELEPHONE_NUMBER, PropType.UNICODE, phone);
        p.add(MOBILE_TELEPHONE_NUMBER, PropType.UNICODE, phone.replace("555", "556"));
        if (birthday != null) {
            p.add(BIRTHDAY, PropType.SYSTIME, FileTimes.fromInstant(birthday));
        }
        p.named(FILE_UNDER, PropType.UNICODE, fileUnder);
        p.named(FILE_UNDER_ID, PropType.LONG, 0x8017);
        p.named(EMAIL1_DISPLAY_NAME, PropType.UNICODE, person.name() + " (" + person.email() + ")");
        p.named(EMAIL1_ADDRESS_TYPE, PropType.UNICODE, "SMTP");
        p.named(EMAIL1_EMAIL_ADDRESS, PropType.UNICODE, person.email());
        p.named(EMAIL1_ORIGINAL_DISPLAY_NAME, PropType.UNICODE, person.email());
        p.named(EMAIL1_ORIGINAL_ENTRYID, PropType.BINARY, OneOffEntryIds.smtp(person.name(), person.email()));
        p.named(AB_PROVIDER_EMAIL_LIST, PropType.LONG | PropType.MV, List.of(0));
        p.named(AB_PROVIDER_ARRAY_TYPE, PropType.LONG, 1);
        p.named(WORK_ADDRESS_STREET, PropType.UNICODE, "Hauptstraße 1");
        p.named(WORK_ADDRESS_CITY, PropType.UNICODE, city);
        p.named(WORK_ADDRESS_POSTAL_CODE, PropType.UNICODE, "10115");
        p.named(WORK_ADDRESS_COUNTRY, PropType.UNICODE, "Germany");
        if (!categories.isEmpty()) {
            p.named(KEYWORDS, PropType.UNICODE | PropType.MV, List.copyOf(categories));
        }
        return new NewMessage(p.list, List.of(), List.of(), null, false);
    }

    /** A task (IPM.Task) with status, percentage (PT_DOUBLE) and dates in PSETID_Task. */
    public static NewMessage task(String subject, Instant start, Instant due, double percentComplete) {
        Props p = base("IPM.Task", subject, "Task: " + subject, start);
        p.add(ICON_INDEX, PropType.LONG, 0x500);
        boolean done = percentComplete >= 1.0;
        p.named(TASK_STATUS, PropType.LONG, done ? 2 : percentComplete > 0 ? 1 : 0);
        p.named(PERCENT_COMPLETE, PropType.DOUBLE, percentComplete);
        p.named(TASK_START_DATE, PropType.SYSTIME, FileTimes.fromInstant(start));
        p.named(TASK_DUE_DATE, PropType.SYSTIME, FileTimes.fromInstant(due));
        p.named(TASK_COMPLETE, PropType.BOOLEAN, done);
        p.named(COMMON_START, PropType.SYSTIME, FileTimes.fromInstant(start));
        p.named(COMMON_END, PropType.SYSTIME, FileTimes.fromInstant(due));
        return new NewMessage(p.list, List.of(), List.of(), null, false);
    }

    /** A sticky note (IPM.StickyNote) with colour and size in PSETID_Note. */
    public static NewMessage stickyNote(String text, Instant created) {
        String firstLine = text.lines().findFirst().orElse("");
        Props p = base("IPM.StickyNote", firstLine, text, created);
        p.add(ICON_INDEX, PropType.LONG, 0x301);
        p.named(NOTE_COLOR, PropType.LONG, 3);
        p.named(NOTE_WIDTH, PropType.LONG, 200);
        p.named(NOTE_HEIGHT, PropType.LONG, 166);
        return new NewMessage(p.list, List.of(), List.of(), null, false);
    }

    /** A journal entry (IPM.Activity) with type, start, end and duration in PSETID_Log. */
    public static NewMessage journalEntry(String subject, String type, Instant start, Duration duration) {
        Props p = base("IPM.Activity", subject, "Notes on " + subject, start);
        p.add(ICON_INDEX, PropType.LONG, 0x601);
        p.named(LOG_TYPE, PropType.UNICODE, type);
        p.named(LOG_START, PropType.SYSTIME, FileTimes.fromInstant(start));
        p.named(LOG_END, PropType.SYSTIME, FileTimes.fromInstant(start.plus(duration)));
        p.named(LOG_DURATION, PropType.LONG, (int) duration.toMinutes());
        return new NewMessage(p.list, List.of(), List.of(), null, false);
    }

    /**
     * An associated (FAI) configuration message, "IPM.Configuration.{name}", with an XML roaming stream, as
     * Outlook/EWS keep work hours, calendar settings and the like (e.g. in the Calendar or Inbox).
     */
    public static NewMessage configurationFai(String name, String xml, Instant created) {
        Props p = new Props();
        p.add(PropTags.MESSAGE_CLASS, PropType.UNICODE, "IPM.Configuration." + name);
        p.add(PropTags.SUBJECT, PropType.UNICODE, "IPM.Configuration." + name);
        p.add(PropTags.MESSAGE_FLAGS, PropType.LONG, 1);
        p.add(PropTags.CREATION_TIME, PropType.SYSTIME, FileTimes.fromInstant(created));
        p.add(PropTags.LAST_MODIFICATION_TIME, PropType.SYSTIME, FileTimes.fromInstant(created));
        p.add(ROAMING_DATATYPES, PropType.LONG, 0x4);
        p.add(ROAMING_XMLSTREAM, PropType.BINARY, Bytes.wrap(xml.getBytes(StandardCharsets.UTF_8)));
        return new NewMessage(p.list, List.of(), List.of(), null, true);
    }

    /** The associated autocomplete cache message of the Inbox, with a binary roaming stream. */
    public static NewMessage autocompleteFai(List<Person> nicknames, Instant created) {
        Props p = new Props();
        p.add(PropTags.MESSAGE_CLASS, PropType.UNICODE, "IPM.Configuration.Autocomplete");
        p.add(PropTags.SUBJECT, PropType.UNICODE, "IPM.Configuration.Autocomplete");
        p.add(PropTags.MESSAGE_FLAGS, PropType.LONG, 1);
        p.add(PropTags.CREATION_TIME, PropType.SYSTIME, FileTimes.fromInstant(created));
        p.add(ROAMING_DATATYPES, PropType.LONG, 0x2);
        ByteArrayOutputStream blob = new ByteArrayOutputStream();
        blob.writeBytes(new byte[] {(byte) 0xBA, (byte) 0xCD, 0x2E, 0x0D}); // nickname cache signature
        for (Person n : nicknames) {
            blob.writeBytes(OneOffEntryIds.smtp(n.name(), n.email()).unsafeArray());
        }
        p.add(ROAMING_BINARYSTREAM, PropType.BINARY, Bytes.wrap(blob.toByteArray()));
        return new NewMessage(p.list, List.of(), List.of(), null, true);
    }

    /** An associated client-side rules message (IPM.RuleOrganizer) with its rule stream (§9.1). */
    public static NewMessage ruleOrganizerFai(String ruleName, Instant created) {
        Props p = new Props();
        p.add(PropTags.MESSAGE_CLASS, PropType.UNICODE, "IPM.RuleOrganizer");
        p.add(PropTags.SUBJECT, PropType.UNICODE, "Outlook Rules Organizer");
        p.add(PropTags.MESSAGE_FLAGS, PropType.LONG, 1);
        p.add(PropTags.CREATION_TIME, PropType.SYSTIME, FileTimes.fromInstant(created));
        ByteArrayOutputStream blob = new ByteArrayOutputStream();
        blob.writeBytes(new byte[] {0x14, 0, 0, 0, 1, 0, 0, 0});
        blob.writeBytes(ruleName.getBytes(StandardCharsets.UTF_16LE));
        p.add(RW_RULES_STREAM, PropType.BINARY, Bytes.wrap(blob.toByteArray()));
        return new NewMessage(p.list, List.of(), List.of(), null, true);
    }

    /** Delegates of a mailbox as the LocalFreebusy message lists them (§9.3). */
    public record Delegates(List<String> names, List<Bytes> entryIds, List<Integer> flags) {
        public Delegates {
            names = List.copyOf(names);
            entryIds = List.copyOf(entryIds);
            flags = List.copyOf(flags);
            if (names.size() != entryIds.size() || names.size() != flags.size()) {
                throw new IllegalArgumentException("names, entryids and flags of delegates must have the same length");
            }
        }

        /** PR_SCHDINFO_DELEGATE_NAMES, PR_SCHDINFO_DELEGATE_ENTRYIDS and PR_DELEGATE_FLAGS. */
        public List<Property> toProperties() {
            return List.of(
                    Property.of(PropTags.SCHDINFO_DELEGATE_NAMES, PropType.UNICODE | PropType.MV, names),
                    Property.of(PropTags.SCHDINFO_DELEGATE_ENTRYIDS, PropType.BINARY | PropType.MV, entryIds),
                    Property.of(PropTags.DELEGATE_FLAGS, PropType.LONG | PropType.MV, flags));
        }
    }

    /**
     * The LocalFreebusy message (class IPM.Microsoft.ScheduleData.FreeBusy) with a delegate list, as in
     * "Freebusy Data" (not associated) or, associated, in the Calendar (§8.3 PR_FREEBUSY_ENTRYIDS [0] and [1]).
     */
    public static NewMessage localFreebusy(Delegates delegates, boolean associated) {
        Props p = new Props();
        p.add(PropTags.MESSAGE_CLASS, PropType.UNICODE, "IPM.Microsoft.ScheduleData.FreeBusy");
        p.add(PropTags.SUBJECT, PropType.UNICODE, "LocalFreebusy");
        p.add(PropTags.MESSAGE_FLAGS, PropType.LONG, 1);
        p.list.addAll(delegates.toProperties());
        p.add(SCHDINFO_BOSS_WANTS_COPY, PropType.BOOLEAN, true);
        p.add(SCHDINFO_BOSS_WANTS_INFO, PropType.BOOLEAN, true);
        p.add(SCHDINFO_DONT_MAIL_DELEGATES, PropType.BOOLEAN, false);
        return new NewMessage(p.list, List.of(), List.of(), null, associated);
    }

    /**
     * A Kopano address-book entryid of a user (ABEID, version 1): flags, MUIDECSAB, version, MAPI_MAILUSER,
     * {@code users.id}, then the base64 externid NUL-terminated and padded to 4 bytes. Used for delegate lists.
     */
    public static Bytes addressBookEntryId(long userId, Bytes externId) {
        return io.kbr.kopano.store.AbEntryIds.v1(io.kbr.kopano.store.AbEntryIds.MAPI_MAILUSER, userId, externId);
    }

    /**
     * A note that carries one property of every type Kopano stores (§3.2) — PT_SHORT, PT_LONG, PT_FLOAT,
     * PT_DOUBLE, PT_CURRENCY, PT_APPTIME, PT_BOOLEAN, PT_I8, PT_STRING8/UNICODE, PT_SYSTIME, PT_CLSID, PT_BINARY —
     * and their multi-valued forms, including edge values (negative numbers, times before 1970, 4-byte UTF-8,
     * strings and binaries longer than the tproperties caps of 255/511), as class-defined properties of
     * "IPM.Note.KbrTypes" (ids 0x6A01…) plus a few named ones.
     */
    public static NewMessage allPropertyTypes(Instant created) {
        Props p = base("IPM.Note.KbrTypes", "Every property type", "This message carries one property of each storable type.", created);
        long t1970 = FileTimes.fromInstant(Instant.parse("1970-01-01T00:00:00Z"));
        long t1900 = FileTimes.fromInstant(Instant.parse("1900-02-28T12:34:56.789Z"));
        Bytes clsid = Bytes.wrap(PropertySets.toDceBytes(UUID.fromString("00020d0b-0000-0000-c000-000000000046")));
        p.add(0x6A01, PropType.SHORT, -12345);
        p.add(0x6A02, PropType.LONG, -2);
        p.add(0x6A03, PropType.FLOAT, 1.5);
        p.add(0x6A04, PropType.DOUBLE, -1234.5678e-9);
        p.add(0x6A05, PropType.CURRENCY, -123_456_789_0123L); // currency: 10^-4 units, signed
        p.add(0x6A06, PropType.APPTIME, 45000.75);
        p.add(0x6A07, PropType.BOOLEAN, true);
        p.add(0x6A08, PropType.LONGLONG, Long.MIN_VALUE + 1);
        p.add(0x6A09, PropType.UNICODE, "Smiley 😀, Umlaut ä, CJK 漢字, " + "long ".repeat(80));
        p.add(0x6A0A, PropType.SYSTIME, t1900);
        p.add(0x6A0B, PropType.CLSID, clsid);
        p.add(0x6A0C, PropType.BINARY, Bytes.wrap(pattern(1000)));
        p.add(0x6A0D, PropType.BINARY, Bytes.wrap(new byte[0]));
        p.add(0x6A0E, PropType.UNICODE, "");
        p.add(0x6A0F, PropType.BOOLEAN, false);
        p.add(0x6A21, PropType.SHORT | PropType.MV, List.of(1, -1, 32767));
        p.add(0x6A22, PropType.LONG | PropType.MV, List.of(0, -1, Integer.MAX_VALUE, Integer.MIN_VALUE));
        p.add(0x6A23, PropType.FLOAT | PropType.MV, List.of(0.25, -0.5));
        p.add(0x6A24, PropType.DOUBLE | PropType.MV, List.of(Math.PI, -Math.E, 0.0));
        p.add(0x6A25, PropType.CURRENCY | PropType.MV, List.of(10_000L, -10_000L));
        p.add(0x6A26, PropType.APPTIME | PropType.MV, List.of(1.0, 2.5));
        p.add(0x6A28, PropType.LONGLONG | PropType.MV, List.of(Long.MAX_VALUE, -42L));
        p.add(0x6A29, PropType.UNICODE | PropType.MV, List.of("eins", "zwei 😀", "x".repeat(300)));
        p.add(0x6A2A, PropType.SYSTIME | PropType.MV, List.of(t1970, t1900, FileTimes.fromInstant(created)));
        p.add(0x6A2B, PropType.CLSID | PropType.MV, List.of(clsid, Bytes.wrap(PropertySets.toDceBytes(PropertySets.PSETID_COMMON))));
        p.add(0x6A2C, PropType.BINARY | PropType.MV, List.of(Bytes.fromHex("00ff00ff"), Bytes.wrap(pattern(600)), Bytes.fromHex("01")));
        p.named(NamedProperty.ofName(PropertySets.PS_PUBLIC_STRINGS, "kbr-double"), PropType.DOUBLE, 0.1);
        p.named(NamedProperty.ofName(PropertySets.PS_PUBLIC_STRINGS, "kbr-i8"), PropType.LONGLONG, 1L << 40);
        p.named(NamedProperty.ofName(PropertySets.PS_PUBLIC_STRINGS, "kbr-mv-long"), PropType.LONG | PropType.MV, List.of(7, 8, 9));
        p.named(SHARING_PROVIDER_GUID, PropType.CLSID, clsid);
        p.named(KEYWORDS, PropType.UNICODE | PropType.MV, List.of("Types", "Test"));
        NewAttachment blob = new NewAttachment(List.of(
                Property.of(PropTags.ATTACH_METHOD, PropType.LONG, PropTags.ATTACH_BY_VALUE),
                Property.of(PropTags.ATTACH_NUM, PropType.LONG, 0),
                Property.of(PropTags.ATTACH_LONG_FILENAME, PropType.UNICODE, "pattern.bin"),
                Property.of(PropTags.ATTACH_FILENAME, PropType.UNICODE, "pattern.bin"),
                Property.of(PropTags.ATTACH_EXTENSION, PropType.UNICODE, ".bin"),
                Property.of(PropTags.ATTACH_MIME_TAG, PropType.UNICODE, "application/octet-stream"),
                Property.of(PropTags.ATTACH_SIZE, PropType.LONG, 70_000),
                Property.of(PropTags.RENDERING_POSITION, PropType.LONG, -1)), pattern(70_000), null);
        return new NewMessage(p.list, List.of(), List.of(blob), null, false);
    }

    // ---------------------------------------------------------------------------------------------------
    // Helpers

    /** A recipient row with a one-off entryid, as for meeting attendees. */
    public static NewRecipient recipient(Person person, int recipientType, int rowId) {
        return new NewRecipient(6, List.of(
                Property.of(PropTags.RECIPIENT_TYPE, PropType.LONG, recipientType),
                Property.of(PropTags.DISPLAY_NAME, PropType.UNICODE, person.name()),
                Property.of(PropTags.EMAIL_ADDRESS, PropType.UNICODE, person.email()),
                Property.of(PropTags.ADDRTYPE, PropType.UNICODE, "SMTP"),
                Property.of(PropTags.SMTP_ADDRESS, PropType.UNICODE, person.email()),
                Property.of(PropTags.SEARCH_KEY, PropType.BINARY, OneOffEntryIds.searchKey(person.email())),
                Property.of(PropTags.DISPLAY_TYPE, PropType.LONG, 0),
                Property.of(PropTags.ROWID, PropType.LONG, rowId),
                Property.of(PropTags.EC_CONTACT_ENTRYID, PropType.BINARY, OneOffEntryIds.smtp(person.name(), person.email()))));
    }

    /** A PidLidGlobalObjectId: array id, zero date, a creation time, reserved bytes, then the uid bytes. */
    static Bytes globalObjectId(String uid) {
        byte[] data = uid.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(16 + 4 + 8 + 8 + 4 + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(GLOBAL_OBJECT_ID_PREFIX);
        b.putInt(0);
        b.putLong(0);
        b.putLong(0);
        b.putInt(data.length);
        b.put(data);
        return Bytes.wrap(b.array());
    }

    static byte[] pattern(int n) {
        byte[] out = new byte[n];
        for (int i = 0; i < n; i++) {
            out[i] = (byte) (i * 31 + (i >>> 8));
        }
        return out;
    }

    private static Props base(String messageClass, String subject, String body, Instant created) {
        Props p = new Props();
        long t = FileTimes.fromInstant(created);
        p.add(PropTags.MESSAGE_CLASS, PropType.UNICODE, messageClass);
        p.add(PropTags.SUBJECT, PropType.UNICODE, subject);
        p.add(PropTags.SUBJECT_PREFIX, PropType.UNICODE, "");
        p.add(PropTags.NORMALIZED_SUBJECT, PropType.UNICODE, subject);
        p.add(PropTags.BODY, PropType.UNICODE, body);
        p.add(PropTags.INTERNET_CPID, PropType.LONG, 65001);
        p.add(PropTags.MESSAGE_FLAGS, PropType.LONG, 1);
        p.add(PropTags.IMPORTANCE, PropType.LONG, 1);
        p.add(PropTags.SENSITIVITY, PropType.LONG, 0);
        p.add(PropTags.CREATION_TIME, PropType.SYSTIME, t);
        p.add(PropTags.LAST_MODIFICATION_TIME, PropType.SYSTIME, t);
        return p;
    }

    private static void originator(Props p, Person who) {
        Bytes eid = OneOffEntryIds.smtp(who.name(), who.email());
        p.add(PropTags.SENT_REPRESENTING_NAME, PropType.UNICODE, who.name());
        p.add(PropTags.SENT_REPRESENTING_EMAIL_ADDRESS, PropType.UNICODE, who.email());
        p.add(PropTags.SENT_REPRESENTING_ADDRTYPE, PropType.UNICODE, "SMTP");
        p.add(PropTags.SENT_REPRESENTING_ENTRYID, PropType.BINARY, eid);
        p.add(PropTags.SENDER_NAME, PropType.UNICODE, who.name());
        p.add(PropTags.SENDER_EMAIL_ADDRESS, PropType.UNICODE, who.email());
        p.add(PropTags.SENDER_ADDRTYPE, PropType.UNICODE, "SMTP");
        p.add(PropTags.SENDER_ENTRYID, PropType.BINARY, eid);
    }

    /** A growing property list. */
    private static final class Props {
        final List<Property> list = new ArrayList<>();

        void add(int id, int type, Object value) {
            list.add(Property.of(id, type, value));
        }

        void named(NamedProperty name, int type, Object value) {
            list.add(Property.named(name, type, value));
        }
    }
}
