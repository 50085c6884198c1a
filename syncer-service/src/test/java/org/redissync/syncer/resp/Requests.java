package org.redissync.syncer.resp;

import java.nio.charset.StandardCharsets;

/** Requests as clients send them, for tests. */
public final class Requests {

    private Requests() {
    }

    /** A multibulk request of {@code args} (UTF-8). */
    public static String resp(String... args) {
        StringBuilder b = new StringBuilder("*" + args.length + "\r\n");
        for (String a : args) {
            b.append('$').append(a.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(a).append("\r\n");
        }
        return b.toString();
    }
}
