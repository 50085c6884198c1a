package org.redissync.events.kafka;

import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A Kafka client made when it is first needed, and again after an attempt that failed. Kafka's clients refuse to be
 * made while no bootstrap address resolves ({@code No resolvable bootstrap urls}), and a service starts before its
 * broker's name exists in every form (Kubernetes starts every pod at once): made in a constructor, they failed the
 * whole start. Thread-safe.
 */
final class OnDemand<T> {

    private final Supplier<T> make;
    private T client;
    private boolean closed;

    OnDemand(Supplier<T> make) {
        this.make = make;
    }

    /** The client, made now if it is not yet; throws what making it threw (a {@code KafkaException}). */
    synchronized T get() {
        if (closed) {
            throw new IllegalStateException("closed");
        }
        if (client == null) {
            client = make.get();
        }
        return client;
    }

    /** Closes the client if one was made; {@link #get()} refuses after. */
    synchronized void close(Consumer<T> closer) {
        closed = true;
        if (client != null) {
            closer.accept(client);
            client = null;
        }
    }
}
