package org.redissync.coordinator.ui;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.inject.Singleton;

import org.redissync.coordinator.events.CoordinatorEvents;
import org.redissync.events.SyncerStatusEvent;
import org.redissync.events.SyncerStatusEvent.ChannelStatus;

/**
 * Each CRDB channel's lag over the last ten minutes, as its syncer-service reported it (a report when anything but the
 * lag changed, or the lag moved by a second or more: a step function), for the UI's small charts. In memory: a
 * coordinator that starts sees the reports from then on, and the latest one from the topic.
 */
@Singleton
public class LagHistory {

    /** How far back the charts look. */
    static final Duration WINDOW = Duration.ofMinutes(10);
    /** At most this many samples per channel (a report a second for the whole window, with room). */
    static final int MAX_SAMPLES = 1200;

    public record Sample(Instant at, long lagMs) {
    }

    private final Clock clock;
    private final Map<String, Deque<Sample>> byChannel = new ConcurrentHashMap<>();

    @jakarta.inject.Inject
    LagHistory(CoordinatorEvents events, Clock clock) {
        this(clock);
        events.status().onChange((key, e, offset) -> {
            if (e instanceof ChannelStatus s && s.crdbGuid() != null) {
                record(key, s.updatedAt() == null ? clock.instant() : s.updatedAt(), s.lagMs());
            } else if (e == null) {
                byChannel.remove(key);
            }
        });
    }

    /** Without a topic (tests feed it with {@link #record}). */
    LagHistory(Clock clock) {
        this.clock = clock;
    }

    void record(String channelKey, Instant at, long lagMs) {
        Deque<Sample> samples = byChannel.computeIfAbsent(channelKey, k -> new ArrayDeque<>());
        synchronized (samples) {
            samples.addLast(new Sample(at, lagMs));
            prune(samples, clock.instant());
        }
    }

    /** The samples of the window, oldest first; the last one before it leads (where the step starts). */
    public List<Sample> of(String channelKey) {
        Deque<Sample> samples = byChannel.get(channelKey);
        if (samples == null) {
            return List.of();
        }
        synchronized (samples) {
            prune(samples, clock.instant());
            return new ArrayList<>(samples);
        }
    }

    /** The samples of CRDB channel {@code from → to} of {@code guid}. */
    public List<Sample> of(String guid, String from, String to) {
        return of(SyncerStatusEvent.channelKey(to, SyncerStatusEvent.crdbChannelId(guid, from, to)));
    }

    private static void prune(Deque<Sample> samples, Instant now) {
        Instant start = now.minus(WINDOW);
        while (samples.size() > MAX_SAMPLES) {
            samples.removeFirst();
        }
        // keep one sample before the window: the lag at its start
        while (samples.size() > 1) {
            java.util.Iterator<Sample> it = samples.iterator();
            it.next();
            if (it.next().at().isAfter(start)) {
                return;
            }
            samples.removeFirst();
        }
    }
}
