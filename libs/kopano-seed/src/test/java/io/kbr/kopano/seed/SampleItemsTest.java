package io.kbr.kopano.seed;

import static org.assertj.core.api.Assertions.assertThat;

import io.kbr.kopano.model.PropTags;
import io.kbr.kopano.model.PropType;
import io.kbr.kopano.model.Property;
import io.kbr.kopano.model.PropertyList;
import io.kbr.kopano.seed.SampleItems.Person;
import io.kbr.kopano.store.FixedNamedIds;
import io.kbr.kopano.write.NewMessage;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class SampleItemsTest {
    private static final Instant T = Instant.parse("2024-01-15T09:00:00Z");
    private static final Person ME = new Person("Anna Schmidt", "user1@kbr.test");

    @Test
    void allPropertyTypesCoversEveryStorableType() {
        NewMessage m = SampleItems.allPropertyTypes(T);
        Set<Integer> types = m.props().stream().map(Property::type).collect(Collectors.toSet());
        for (int t : new int[] {PropType.SHORT, PropType.LONG, PropType.FLOAT, PropType.DOUBLE, PropType.CURRENCY, PropType.APPTIME,
                PropType.BOOLEAN, PropType.LONGLONG, PropType.STRING8, PropType.SYSTIME, PropType.CLSID, PropType.BINARY}) {
            assertThat(types).as("type %d", t).contains(t);
            if (t != PropType.BOOLEAN) {
                assertThat(types).as("MV type %d", t | PropType.MV).contains(t | PropType.MV);
            }
        }
        // PT_MV_UNICODE is stored as 0x101E = 4126 (§3.1).
        assertThat(types).contains(4126).doesNotContain(31, 0x101F);
        assertThat(m.attachments()).singleElement().satisfies(a -> assertThat(a.data()).hasSize(70_000));
    }

    @Test
    void appointmentUsesFixedIdsAndNames() {
        NewMessage m = SampleItems.appointment(ME, "Planning", "Room 1", T, T.plusSeconds(3600), false, 2, 15,
                List.of("Work", "Kopano"), List.of(new Person("Bram de Vries", "user2@kbr.test")));
        assertThat(PropertyList.string(m.props(), PropTags.MESSAGE_CLASS)).contains("IPM.Appointment");
        assertThat(PropertyList.find(m.props(), SampleItems.APPT_START_WHOLE)).map(Property::type).contains(PropType.SYSTIME);
        assertThat(FixedNamedIds.idFor(SampleItems.APPT_START_WHOLE)).contains(0x800D);
        assertThat(FixedNamedIds.idFor(SampleItems.LOCATION)).contains(0x8008);
        assertThat(FixedNamedIds.idFor(SampleItems.BUSY_STATUS)).contains(0x8005);
        assertThat(FixedNamedIds.idFor(SampleItems.REMINDER_SET)).contains(0x81A3);
        assertThat(FixedNamedIds.idFor(SampleItems.GLOBAL_OBJECT_ID)).contains(0x8343);
        assertThat(FixedNamedIds.idFor(SampleItems.KEYWORDS)).isEmpty();
        assertThat(FixedNamedIds.idFor(SampleItems.SHARING_PROVIDER_GUID)).isEmpty();
        assertThat(PropertyList.find(m.props(), SampleItems.KEYWORDS))
                .hasValueSatisfying(p -> {
                    assertThat(p.type()).isEqualTo(4126);
                    assertThat(p.value()).isEqualTo(List.of("Work", "Kopano"));
                });
        assertThat(PropertyList.find(m.props(), SampleItems.REMINDER_SET)).map(Property::value).contains(true);
        assertThat(m.recipients()).hasSize(1);
        assertThat(m.associated()).isFalse();
    }

    @Test
    void contactAndFaiItems() {
        NewMessage c = SampleItems.contact(new Person("Max Mustermann", "max@example.de"), "Muster AG", "Sales", "+49 89 555 999",
                "München", null, List.of());
        assertThat(PropertyList.find(c.props(), SampleItems.EMAIL1_EMAIL_ADDRESS)).map(Property::value).contains("max@example.de");
        assertThat(PropertyList.find(c.props(), SampleItems.FILE_UNDER)).map(Property::value).contains("Mustermann, Max");
        assertThat(FixedNamedIds.idFor(SampleItems.EMAIL1_EMAIL_ADDRESS)).contains(0x8133);
        assertThat(FixedNamedIds.idFor(SampleItems.FILE_UNDER)).contains(0x80B5);

        NewMessage fai = SampleItems.configurationFai("WorkHours", "<Root/>", T);
        assertThat(fai.associated()).isTrue();
        assertThat(PropertyList.string(fai.props(), PropTags.MESSAGE_CLASS)).contains("IPM.Configuration.WorkHours");
    }

    @Test
    void localFreebusyCarriesTheDelegateList() {
        SampleItems.Delegates d = new SampleItems.Delegates(List.of("Bram de Vries"),
                List.of(SampleItems.addressBookEntryId(7, io.kbr.kopano.model.Bytes.fromHex("00112233"))), List.of(1));
        NewMessage fb = SampleItems.localFreebusy(d, false);
        assertThat(PropertyList.string(fb.props(), PropTags.MESSAGE_CLASS)).contains("IPM.Microsoft.ScheduleData.FreeBusy");
        assertThat(PropertyList.find(fb.props(), PropTags.SCHDINFO_DELEGATE_NAMES)).map(Property::value).contains(List.of("Bram de Vries"));
        assertThat(PropertyList.find(fb.props(), PropTags.DELEGATE_FLAGS)).map(Property::type).contains(PropType.LONG | PropType.MV);
        assertThat(d.entryIds().get(0).length() % 4).isZero();
        assertThat(d.entryIds().get(0).hex()).startsWith("00000000" + "ac21a95040d3ee48b319fba753304425" + "01000000" + "06000000" + "07000000");
    }
}
