package org.redissync.coordinator.error;

/** A refused request; the message says what is wrong and is safe to return. */
public class ApiException extends RuntimeException {

    private final ApiError error;

    public ApiException(ApiError error, String message) {
        super(message);
        this.error = error;
    }

    public ApiError error() {
        return error;
    }
}
