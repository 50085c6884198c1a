package org.redissync.coordinator.api;

import java.util.Locale;

import org.redissync.coordinator.error.ApiError;
import org.redissync.coordinator.error.ApiException;

/** Boolean query parameters as Redis Enterprise takes them: {@code ?dry_run} alone means true. */
public final class QueryFlags {

    private QueryFlags() {
    }

    /**
     * {@code null} (absent) is false; present without a value ({@code ?dry_run}, RE's form), {@code true}, {@code 1} or
     * {@code yes} are true; {@code false}, {@code 0}, {@code no} false; anything else is refused, naming the parameter,
     * so that a typo never applies a change meant as a dry run.
     */
    public static boolean flag(String name, jakarta.ws.rs.core.UriInfo uri) {
        // from the raw query: a bare "?dry_run" does not reach @QueryParam
        String raw = uri.getRequestUri().getRawQuery();
        String value = null;
        if (raw != null) {
            for (String part : raw.split("&")) {
                int eq = part.indexOf('=');
                String key = java.net.URLDecoder.decode(eq < 0 ? part : part.substring(0, eq), java.nio.charset.StandardCharsets.UTF_8);
                if (key.equals(name)) {
                    value = eq < 0 ? "" : java.net.URLDecoder.decode(part.substring(eq + 1), java.nio.charset.StandardCharsets.UTF_8);
                }
            }
        }
        return flag(name, value);
    }

    static boolean flag(String name, String value) {
        if (value == null) {
            return false;
        }
        return switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "", "true", "1", "yes" -> true;
            case "false", "0", "no" -> false;
            default -> throw new ApiException(ApiError.INVALID_VALUE, name + ": true or false expected (or the parameter alone), got '"
                    + value + "'");
        };
    }
}
