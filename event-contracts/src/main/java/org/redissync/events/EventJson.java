package org.redissync.events;

import java.io.IOException;
import java.io.UncheckedIOException;


import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/**
 * The wire format of events: JSON, snake_case names, ISO-8601 instants, a {@code type}
 * discriminator, null fields omitted, unknown fields ignored (a newer producer may add some).
 */
public final class EventJson {

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE)
            .serializationInclusion(JsonInclude.Include.NON_NULL)
            .build();

    private EventJson() {
    }

    public static byte[] write(SuiteEvent event) {
        try {
            return MAPPER.writeValueAsBytes(event);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serialise " + event.getClass().getSimpleName(), e);
        }
    }

    public static String writeString(SuiteEvent event) {
        return new String(write(event), java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Reads an event of the topic type {@code type}, e.g. {@code CrdbConfigEvent.class}. */
    public static <T extends SuiteEvent> T read(byte[] json, Class<T> type) {
        try {
            return MAPPER.readValue(json, type);
        } catch (IOException e) {
            throw new MalformedEventException(type, e);
        }
    }

    /** A record on a topic that is not a valid event of that topic. */
    public static final class MalformedEventException extends RuntimeException {
        MalformedEventException(Class<?> type, IOException cause) {
            super("not a valid " + type.getSimpleName() + ": " + cause.getMessage(), cause);
        }
    }
}
