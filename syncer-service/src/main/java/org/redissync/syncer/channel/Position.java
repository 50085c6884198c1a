package org.redissync.syncer.channel;

/**
 * Where a channel stands in its source's replication stream, committed in the local backend
 * together with the data it covers (key {@code __redissync:pos:<channel>} in database {@link #RESERVED_DB}), plus the channel's
 * resync counters so they survive restarts.
 *
 * @param offset end offset of the last applied (or deliberately skipped) source command; passed to
 *               PSYNC unchanged on resume
 * @param db     the source's selected database at that point (the stream does not repeat it)
 */
public record Position(String replId, long offset, int db, long fullResyncs, long partialResyncs) {

    public static final String KEY_PREFIX = "__redissync:pos:";

    /**
     * The logical database positions live in: the last of Redis's 16 by default, where clients never look (endpoints
     * refuse {@code SELECT}, {@code MOVE} and {@code COPY ... DB} to it), so {@code KEYS}, {@code SCAN}, {@code DBSIZE}
     * and {@code FLUSHDB} of a client's database never see them.
     */
    public static final int RESERVED_DB = 15;

    /** Nothing committed yet: PSYNC ? -1 (first contact, full sync). */
    public static Position none() {
        return new Position("?", -1, 0, 0, 0);
    }

    public boolean isNone() {
        return offset < 0;
    }

    public static String key(String channelId) {
        return KEY_PREFIX + channelId;
    }

    public String encode() {
        return "v1 " + replId + " " + offset + " " + db + " " + fullResyncs + " " + partialResyncs;
    }

    public static Position decode(String s) {
        if (s == null) {
            return none();
        }
        String[] p = s.split(" ");
        if (p.length != 6 || !p[0].equals("v1")) {
            throw new IllegalArgumentException("unreadable channel position: " + s);
        }
        return new Position(p[1], Long.parseLong(p[2]), Integer.parseInt(p[3]), Long.parseLong(p[4]), Long.parseLong(p[5]));
    }

    public Position at(String replId, long offset, int db) {
        return new Position(replId, offset, db, fullResyncs, partialResyncs);
    }

    public Position withFullResync() {
        return new Position(replId, offset, db, fullResyncs + 1, partialResyncs);
    }

    public Position withPartialResync() {
        return new Position(replId, offset, db, fullResyncs, partialResyncs + 1);
    }
}
