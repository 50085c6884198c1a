package org.redissync.syncer.channel;

/**
 * How one channel's full sync into a CRDB instance is ordered against the other channels into the same instance (its
 * siblings). The snapshot of peer X holds every other peer Y's writes as X applied them, up to X's position of Y→X,
 * which is in the snapshot too. Positions are offsets in Y's own stream, so that position is where this instance's Y→B
 * channel must go on from once the snapshot is in: resuming from its own position would apply Y's writes between the
 * two a second time (or skip them). See "A full sync in a CRDB mesh" in {@code CHANNELS.md}.
 */
interface SnapshotLoads {

    /** A channel that no other channel's positions depend on (Replica Of, tests of one channel). */
    SnapshotLoads NONE = new SnapshotLoads() {
        @Override
        public String begin() {
            return null;
        }

        @Override
        public String sibling(String snapshotChannelId) {
            return null;
        }

        @Override
        public void end() {
            // nothing held
        }
    };

    /**
     * Before the snapshot's first key is applied: every sibling channel is stopped at a committed position and stays
     * stopped until {@link #end()}. Blocks while they stop.
     *
     * @return null when they are stopped; else why the load cannot go on now (another sibling's load holds them, or
     *         one did not stop in time): the channel retries later
     */
    String begin() throws InterruptedException;

    /**
     * The local channel whose position is the snapshot's position of {@code snapshotChannelId} (a channel into the
     * snapshot's source), or null when none is.
     */
    String sibling(String snapshotChannelId);

    /**
     * The load is committed, with the siblings' new positions, or it will not go on (the channel stopped): the
     * siblings resume from the positions the backend holds. A load that failed half way keeps them stopped: the
     * backend holds part of a snapshot, and no sibling position fits it until the load is done again.
     */
    void end();
}
