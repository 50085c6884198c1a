package org.redissync.syncer.crdt;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The Redis function library that makes a CRDB instance's writes convergent ({@code crdt/redissync.lua}; design note
 * {@code CRDT.md} beside this class). Loaded with {@code FUNCTION LOAD REPLACE} into every CRDB instance's
 * redis-server; the names here are the only way Java code refers to it.
 */
public final class CrdtLibrary {

    /** A client's write: {@code FCALL redissync_cmd 0 <origin> <wall-ms> <db> <COMMAND> <args...>}. */
    public static final String CMD = "redissync_cmd";
    /** A peer's op record, applied by a channel: {@code FCALL redissync_merge 0 <record> [unchecked]}. */
    public static final String MERGE = "redissync_merge";
    /** An op record without a key, so that peers see this instance's clock move: {@code FCALL redissync_tick 0 <origin> <wall-ms>}. */
    public static final String TICK = "redissync_tick";
    /** A state from a peer's snapshot, staged by a channel: {@code FCALL redissync_merge_state 0 <state key> <staged> <values>}. */
    public static final String MERGE_STATE = "redissync_merge_state";
    /** Deletes what a full sync staged and did not use: {@code FCALL redissync_unstage 0 <prefix>}. */
    public static final String UNSTAGE = "redissync_unstage";
    /** A key's state as canonical text: {@code FCALL redissync_state 0 <db> <key>}. */
    public static final String STATE = "redissync_state";
    /** {@code FCALL redissync_adopt 0 <origin> <wall-ms> <cursor> <count>}: keys written before the library get a state. */
    public static final String ADOPT = "redissync_adopt";
    /** The shard channel each op record is published on; replicas (the peers' channels) receive it as {@code SPUBLISH}. */
    public static final String OP_CHANNEL = "__redissync:op";

    private static final String SOURCE = read();

    private CrdtLibrary() {
    }

    /** The library's source, as {@code FUNCTION LOAD} takes it. */
    public static String source() {
        return SOURCE;
    }

    private static String read() {
        try (InputStream in = CrdtLibrary.class.getResourceAsStream("/crdt/redissync.lua")) {
            if (in == null) {
                throw new IllegalStateException("crdt/redissync.lua is missing from the syncer-service's classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
