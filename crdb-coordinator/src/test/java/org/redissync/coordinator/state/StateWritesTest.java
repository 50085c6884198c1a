package org.redissync.coordinator.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.redissync.coordinator.error.ApiError;
import org.redissync.coordinator.error.ApiException;
import org.redissync.events.kafka.SingleWriter;

/** What the API's caller is told for each outcome of a write: "repeat it" only when nothing was written. */
class StateWritesTest {

    static final Map<TopicPartition, Long> WRITTEN = Map.of(new TopicPartition("crdb.config", 0), 7L);
    static final StateWrites.ReadBack READ = written -> CompletableFuture.completedFuture(null);

    @Test
    void writtenAndReadBackIsAnswered() {
        assertThatCode(() -> StateWrites.publishAndReadBack((e, w) -> WRITTEN, List.of(), List.of(READ, READ))).doesNotThrowAnyException();
    }

    @Test
    void nothingWrittenIsUnavailableAndSaysRepeatingIsSafe() {
        assertThatThrownBy(() -> StateWrites.publishAndReadBack((e, w) -> {
            throw new KafkaException("nothing was written (aborted after 3 attempts): TimeoutException: x");
        }, List.of(), List.of(READ))).isInstanceOfSatisfying(ApiException.class, a -> {
            assertThat(a.error()).isEqualTo(ApiError.UNAVAILABLE);
            assertThat(a).hasMessageContaining("repeating it is safe");
        });
        assertThatThrownBy(() -> StateWrites.publishAndReadBack((e, w) -> {
            throw new SingleWriter.NotWriter("this coordinator is a standby");
        }, List.of(), List.of(READ))).isInstanceOfSatisfying(ApiException.class, a -> assertThat(a.error()).isEqualTo(ApiError.UNAVAILABLE));
    }

    @Test
    void anUnconfirmedCommitIsNotConfirmedNeverUnavailable() {
        assertThatThrownBy(() -> StateWrites.publishAndReadBack((e, w) -> {
            throw new SingleWriter.Unconfirmed("Kafka did not confirm the change in time; it may yet take effect", null);
        }, List.of(), List.of(READ))).isInstanceOfSatisfying(ApiException.class, a -> {
            assertThat(a.error()).isEqualTo(ApiError.NOT_CONFIRMED);
            assertThat(a.error().status()).isEqualTo(503);
            assertThat(a.error().code()).isEqualTo("change_not_confirmed");
        });
    }

    @Test
    void aWrittenChangeNotReadBackIsNotConfirmedAndSaysItTakesEffect() {
        StateWrites.ReadBack failing = written -> CompletableFuture.failedFuture(new IllegalStateException("view closed"));
        assertThatThrownBy(() -> StateWrites.publishAndReadBack((e, w) -> WRITTEN, List.of(), List.of(READ, failing)))
                .isInstanceOfSatisfying(ApiException.class, a -> {
                    assertThat(a.error()).isEqualTo(ApiError.NOT_CONFIRMED);
                    assertThat(a).hasMessageContaining("the change was written").hasMessageContaining("view closed")
                            .hasMessageContaining("takes effect");
                });
    }
}
