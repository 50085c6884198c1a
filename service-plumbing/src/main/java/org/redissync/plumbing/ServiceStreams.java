package org.redissync.plumbing;

import org.redissync.events.kafka.EventStreams;

/** A service's event streams (its one bean that holds them), for what every service checks the same way. */
public interface ServiceStreams {

    EventStreams streams();
}
