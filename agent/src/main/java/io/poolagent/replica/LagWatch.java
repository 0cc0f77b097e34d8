package io.poolagent.replica;

import java.util.List;
import java.util.function.LongSupplier;

/**
 * Samples the primary's WAL insert position and each standby's replay position (the pool layer schedules the
 * samples on agent threads). A standby is caught up to the newest primary sample whose
 * position it has replayed: a commit acknowledged before that sample was taken is in it
 * ({@code pg_current_wal_insert_lsn()} is past every record inserted, so also past a commit made with
 * {@code synchronous_commit=off}). A round whose primary does not answer moves nobody forward, so every standby
 * then ages towards the bound: unknown is stale.
 */
public final class LagWatch {

    /** One server's WAL position, as pg_lsn's 64 bits; throws when it cannot be had. */
    public interface Probe {
        long lsn() throws Exception;
    }

    /** Primary samples kept at least; more with a longer bound, so that a standby within it can be placed. */
    private static final int MIN_HISTORY = 64;

    private final Probe primary;
    private final List<ReplicaState> replicas;
    private final List<Probe> probes;
    private final LongSupplier clock;
    private final long[] sampledAt;
    private final long[] positions;
    private long samples;
    private volatile String primaryProblem = "not sampled yet";

    /** {@code probes.get(i)} asks {@code replicas.get(i)}; the clock is {@code System::nanoTime} outside tests. */
    public LagWatch(Probe primary, List<ReplicaState> replicas, List<Probe> probes, LongSupplier clock) {
        this(primary, replicas, probes, clock, MIN_HISTORY);
    }

    /** {@code history}: primary samples kept, enough to cover the lag bound at the sampling rate. */
    public LagWatch(Probe primary, List<ReplicaState> replicas, List<Probe> probes, LongSupplier clock,
                    int history) {
        if (replicas.size() != probes.size()) {
            throw new IllegalArgumentException("one probe per replica");
        }
        int kept = Math.max(MIN_HISTORY, history);
        this.sampledAt = new long[kept];
        this.positions = new long[kept];
        this.primary = primary;
        this.replicas = replicas;
        this.probes = probes;
        this.clock = clock;
    }

    /** One round: the primary, then each standby; never throws. */
    public void sample() {
        samplePrimary();
        for (int i = 0; i < replicas.size(); i++) {
            sampleReplica(i);
        }
    }

    /**
     * The primary's position, kept with the moment it was asked for. Never throws; one thread at a time per server,
     * but the primary and each standby may be sampled on threads of their own, so that a server that stops
     * answering holds up only its own samples: a standby's replayed position placed against any primary sample,
     * taken before or after it, proves what that sample proves.
     */
    public void samplePrimary() {
        long before = clock.getAsLong();
        try {
            record(before, primary.lsn());
            primaryProblem = "";
        } catch (Exception e) {
            primaryProblem = "the primary did not say its WAL position: " + e.getMessage();
        }
    }

    /** Standby {@code index}'s replayed position, placed against the primary's samples. Never throws. */
    public void sampleReplica(int index) {
        ReplicaState replica = replicas.get(index);
        long asked = clock.getAsLong();
        try {
            long replayed = probes.get(index).lsn();
            replica.answered(asked, caughtUpTo(replayed));
        } catch (Exception e) {
            replica.down(String.valueOf(e.getMessage()));
        }
    }

    /** Why the last round could not read the primary, or "". */
    public String primaryProblem() {
        return primaryProblem;
    }

    /**
     * Keeps a sample; one whose position did not move replaces the newest (its time is later: it proves more), so
     * that a quiet primary does not push older positions out. A position lower than the newest is another primary
     * (a failover): what the old one's positions proved is forgotten.
     */
    private synchronized void record(long at, long position) {
        if (samples > 0) {
            int newest = slot(samples - 1);
            int order = Long.compareUnsigned(position, positions[newest]);
            if (order == 0) {
                sampledAt[newest] = at;
                return;
            }
            if (order < 0) {
                samples = 0;
            }
        }
        int slot = slot(samples);
        sampledAt[slot] = at;
        positions[slot] = position;
        samples++;
    }

    private int slot(long sample) {
        return (int) (sample % positions.length);
    }

    /** When the newest primary sample at or below {@code replayed} was taken; MIN_VALUE if none is. */
    private synchronized long caughtUpTo(long replayed) {
        long kept = Math.min(samples, positions.length);
        for (long back = 1; back <= kept; back++) {
            int slot = slot(samples - back);
            if (Long.compareUnsigned(positions[slot], replayed) <= 0) {
                return sampledAt[slot];
            }
        }
        return Long.MIN_VALUE;
    }

    /**
     * An insert position as the replay position of the same point reads: PostgreSQL's insert position
     * ({@code XLogBytePosToRecPtr}) skips the header of a page no record has started on yet (24 bytes, 40 at a
     * segment's first page), while a standby's replay position is the end of the last record, before that header.
     * Without this a quiet primary after a WAL switch would stay ahead of every standby for good.
     */
    public static long recordBoundary(long insert, long blockSize, long segmentSize) {
        if (blockSize <= 0 || segmentSize <= 0) {
            return insert; // unknown: the higher position, which asks more of a standby
        }
        if (Long.remainderUnsigned(insert, segmentSize) == LONG_PAGE_HEADER) {
            return insert - LONG_PAGE_HEADER;
        }
        return Long.remainderUnsigned(insert, blockSize) == SHORT_PAGE_HEADER ? insert - SHORT_PAGE_HEADER : insert;
    }

    /** SizeOfXLogShortPHD and SizeOfXLogLongPHD (PostgreSQL's xlog_internal.h), on 64-bit builds. */
    private static final long SHORT_PAGE_HEADER = 24;
    private static final long LONG_PAGE_HEADER = 40;

    /** pg_lsn's text, {@code 16/B374D848}, as its 64 bits. */
    public static long parseLsn(String text) {
        int slash = text.indexOf('/');
        if (slash <= 0 || slash == text.length() - 1) {
            throw new IllegalArgumentException("not a WAL position: " + text);
        }
        return Long.parseUnsignedLong(text.substring(0, slash), 16) << 32
                | Long.parseUnsignedLong(text.substring(slash + 1), 16);
    }
}
