package org.redissync.coordinator.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

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
        assertThatCode(() -> new StateWrites((e, w) -> WRITTEN, List.of(READ, READ)).publishAndReadBack(List.of()))
                .doesNotThrowAnyException();
    }

    @Test
    void nothingWrittenIsUnavailableAndSaysRepeatingIsSafe() {
        assertThatThrownBy(() -> new StateWrites((e, w) -> {
            throw new KafkaException("nothing was written (aborted after 3 attempts): TimeoutException: x");
        }, List.of(READ)).publishAndReadBack(List.of())).isInstanceOfSatisfying(ApiException.class, a -> {
            assertThat(a.error()).isEqualTo(ApiError.UNAVAILABLE);
            assertThat(a).hasMessageContaining("repeating it is safe");
        });
        assertThatThrownBy(() -> new StateWrites((e, w) -> {
            throw new SingleWriter.NotWriter("this coordinator is a standby");
        }, List.of(READ)).publishAndReadBack(List.of()))
                .isInstanceOfSatisfying(ApiException.class, a -> assertThat(a.error()).isEqualTo(ApiError.UNAVAILABLE));
    }

    @Test
    void anUnconfirmedCommitIsNotConfirmedNeverUnavailable() {
        assertThatThrownBy(() -> new StateWrites((e, w) -> {
            throw new SingleWriter.Unconfirmed("Kafka did not confirm the change in time; it may yet take effect", null);
        }, List.of(READ)).publishAndReadBack(List.of())).isInstanceOfSatisfying(ApiException.class, a -> {
            assertThat(a.error()).isEqualTo(ApiError.NOT_CONFIRMED);
            assertThat(a.error().status()).isEqualTo(503);
            assertThat(a.error().code()).isEqualTo("change_not_confirmed");
        });
    }

    @Test
    void aChangeNotReadBackIsNotConfirmedAndTheNextWriteWaitsForItOrWritesNothing() {
        AtomicBoolean viewStuck = new AtomicBoolean(true);
        List<Map<TopicPartition, Long>> asked = new ArrayList<>();
        StateWrites.ReadBack view = written -> {
            asked.add(written);
            return viewStuck.get() ? CompletableFuture.failedFuture(new IllegalStateException("view closed"))
                    : CompletableFuture.completedFuture(null);
        };
        List<Object> published = new ArrayList<>();
        StateWrites writes = new StateWrites((e, w) -> {
            published.add(e);
            return WRITTEN;
        }, List.of(READ, view));

        assertThatThrownBy(() -> writes.publishAndReadBack(List.of())).isInstanceOfSatisfying(ApiException.class, a -> {
            assertThat(a.error()).isEqualTo(ApiError.NOT_CONFIRMED);
            assertThat(a).hasMessageContaining("the change was written").hasMessageContaining("view closed").hasMessageContaining("takes effect");
        });
        // the next change would be validated against a state without the last one: refused, nothing written
        assertThatThrownBy(() -> writes.publishAndReadBack(List.of())).isInstanceOfSatisfying(ApiException.class, a -> {
            assertThat(a.error()).isEqualTo(ApiError.UNAVAILABLE);
            assertThat(a).hasMessageContaining("has not read its last change back").hasMessageContaining("nothing was changed");
        });
        assertThat(published).hasSize(1);

        viewStuck.set(false);
        writes.publishAndReadBack(List.of());
        assertThat(published).hasSize(2);
        assertThat(asked).hasSize(4).containsOnly(WRITTEN); // the first write, the refused one, the wait before the third, the third
    }
}
