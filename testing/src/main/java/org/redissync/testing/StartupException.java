package org.redissync.testing;

/** A component that would not start; the message is one readable line saying what and how to fix it. */
public class StartupException extends RuntimeException {

    public StartupException(String message) {
        super(message);
    }

    public StartupException(String message, Throwable cause) {
        super(message, cause);
    }
}
