package io.kbr.catalog.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LikePatternTest {

    @Test
    void wildcardsAndTheEscapeCharacterAreLiteral() {
        assertThat(ItemRepository.contains("100%")).isEqualTo("%100!%%");
        assertThat(ItemRepository.contains("a_b")).isEqualTo("%a!_b%");
        assertThat(ItemRepository.contains("wow!")).isEqualTo("%wow!!%");
        assertThat(ItemRepository.contains("plain")).isEqualTo("%plain%");
    }
}
