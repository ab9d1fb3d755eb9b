package io.kbr.catalog.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EventPositionTest {

    @Test
    void journalIdThenObservedAtThenEventIdDecide() {
        EventPosition current = new EventPosition(10, 5_000, "m");
        assertThat(new EventPosition(11, 1, "a").isNewerThan(current)).isTrue();
        assertThat(new EventPosition(9, 9_999, "z").isNewerThan(current)).isFalse();
        assertThat(new EventPosition(10, 5_001, "a").isNewerThan(current)).isTrue();
        assertThat(new EventPosition(10, 4_999, "z").isNewerThan(current)).isFalse();
        assertThat(new EventPosition(10, 5_000, "n").isNewerThan(current)).isTrue();
        assertThat(new EventPosition(10, 5_000, "l").isNewerThan(current)).isFalse();
        assertThat(current.isNewerThan(current)).isFalse();
    }
}
