package org.redissync.syncer.channel;

import java.util.concurrent.CompletableFuture;

import org.redissync.syncer.resp.RespCommand;

/** What a channel's reader hands its applier, in stream order. */
sealed interface StreamItem {

    /** A command of the source's stream as the source sent it, with the stream position right after it. */
    record Command(RespCommand command, String replId, long endOffset, long receivedNanos) implements StreamItem {
    }

    /**
     * A full sync starts: the source's RDB follows as {@link RdbKey}s.
     *
     * @param load false when the snapshot is not to be applied (a joining CRDB instance's: it holds only what came from
     *             peers); the position still moves to its end
     */
    record RdbBegin(boolean load) implements StreamItem {
    }

    record RdbKey(int db, byte[] key, byte[] dump, long expireAtMs, long receivedNanos) implements StreamItem {
    }

    record RdbFunction(byte[] dump) implements StreamItem {
    }

    /** The RDB is complete; the stream continues at (replId, offset). */
    record RdbEnd(String replId, long offset) implements StreamItem {
    }

    /** The source answered {@code +CONTINUE}: a partial resync. */
    record Continued() implements StreamItem {
    }

    /** The connection ended: apply what is complete, drop a half-received transaction, report the committed position. */
    record Barrier(CompletableFuture<Position> done) implements StreamItem {
    }
}
