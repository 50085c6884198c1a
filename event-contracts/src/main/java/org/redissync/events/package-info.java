/**
 * The event contracts of the suite: one sealed interface per topic, versioned records beneath.
 * JSON on the wire (snake_case, ISO-8601 instants, a {@code type} discriminator); see
 * {@code docs/events.md}. Private keys never appear in any of these types.
 */
package org.redissync.events;
