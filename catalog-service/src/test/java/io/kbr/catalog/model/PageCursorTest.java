package io.kbr.catalog.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PageCursorTest {

    @Test
    void roundTrips() {
        PageCursor c = new PageCursor(1_704_067_200_000L, 42);
        assertThat(PageCursor.decode(c.encode())).isEqualTo(c);
        assertThat(c.encode()).doesNotContain(":", "=", "+", "/");
    }

    @Test
    void rejectsWhatItDidNotProduce() {
        for (String bad : new String[] {"", "x", "!!!", "djE6MTo", "djI6MToy", "djE6LTE6Mg", "djE6YTpi"}) {
            assertThatThrownBy(() -> PageCursor.decode(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
