package org.redissync.coordinator.task;

import java.util.Map;
import java.util.Optional;

import org.redissync.events.BdbConfigEvent.BdbConfigured;
import org.redissync.events.CrdbConfigEvent.CrdbConfigured;
import org.redissync.events.CrdbConfigEvent.Instance;
import org.redissync.events.CrdbConfigEvent.Membership;
import org.redissync.events.SyncerStatusEvent;
import org.redissync.events.SyncerStatusEvent.ChannelStatus;
import org.redissync.events.SyncerStatusEvent.ShardStatus;
import org.redissync.events.SyncerStatusEvent.SyncerHeartbeat;
import org.redissync.events.SyncerStatusEvent.WritesPaused;

/**
 * Is the first step of a CRDB membership change applied, so the coordinator can make the second? A pure function of
 * the desired state and what the syncer-services report (design: {@code docs/channels.md}, "Membership").
 *
 * <ul>
 * <li><b>Joining</b>: every instance, the new one included, is applied at the CRDB's generation: the new instance has
 * loaded a peer's snapshot, and every channel into and out of it is in sync. Then it becomes active.</li>
 * <li><b>Leaving</b>: the leaving instance's clients' writes are refused since a position of its stream, and every
 * remaining instance's channel from it has applied up to that position: nothing a client wrote there is missing
 * anywhere. Then it is removed.</li>
 * </ul>
 * A cluster whose syncer-service has gone silent is never taken as done.
 */
public final class MembershipProgress {

    private MembershipProgress() {
    }

    /** Null when every cluster is done with the first step; else the first cluster's wait. */
    public static String firstStepWait(CrdbConfigured crdb, Map<Long, BdbConfigured> bdbs, Map<String, SyncerStatusEvent> status,
            java.time.Instant now) {
        for (Instance i : crdb.instances()) {
            String w = firstStepWait(crdb, i, bdbs, status);
            if (w == null) {
                w = SyncerHeartbeat.silence(status, i.cluster(), now).orElse(null);
            }
            if (w != null) {
                return i.cluster() + ": " + w;
            }
        }
        return null;
    }

    /** Null when instance {@code i} is done with the first step of {@code crdb}'s membership change; else what it waits for. */
    public static String firstStepWait(CrdbConfigured crdb, Instance i, Map<Long, BdbConfigured> bdbs, Map<String, SyncerStatusEvent> status) {
        Optional<Instance> leaving = crdb.instances().stream().filter(x -> x.membership() == Membership.LEAVING).findFirst();
        if (leaving.isEmpty()) {
            String w = TaskProgress.applyWait(crdb.generation(), crdb, i, crdb.instances(), bdbs, status);
            return w == null || i.membership() != Membership.JOINING ? w : "joining: " + w;
        }
        if (i.membership() == Membership.LEAVING) {
            WritesPaused paused = paused(crdb, i, status);
            return paused != null ? null : "leaving: waiting for its clients' writes to be paused";
        }
        for (Instance from : crdb.instances()) {
            if (from.membership() != Membership.LEAVING) {
                continue;
            }
            WritesPaused paused = paused(crdb, from, status);
            if (paused == null) {
                return "waiting for " + from.cluster() + " (leaving) to pause its clients' writes";
            }
            String id = SyncerStatusEvent.crdbChannelId(crdb.guid(), from.cluster(), i.cluster());
            if (!(status.get(org.redissync.events.SyncerStatusEvent.channelKey(i.cluster(), id)) instanceof ChannelStatus c) || c.observedGeneration() < crdb.generation()) {
                return "channel from " + from.cluster() + " (leaving) not reported at generation " + crdb.generation() + " yet";
            }
            if (c.appliedTo() == null || !c.appliedTo().reached(paused.at())) {
                return "draining the channel from " + from.cluster() + " (leaving): applied to "
                        + (c.appliedTo() == null ? "nothing yet" : c.appliedTo().replId() + " " + c.appliedTo().offset()) + " of "
                        + paused.at().replId() + " " + paused.at().offset() + (c.lastError() != null ? " (" + c.lastError() + ")" : "");
            }
        }
        return null;
    }

    private static WritesPaused paused(CrdbConfigured crdb, Instance i, Map<String, SyncerStatusEvent> status) {
        if (status.get(i.cluster() + "/shard/" + i.bdbUid()) instanceof ShardStatus s && s.writesPaused() != null
                && s.writesPaused().crdbGeneration() >= crdb.generation() && s.writesPaused().at() != null) {
            return s.writesPaused();
        }
        return null;
    }
}
