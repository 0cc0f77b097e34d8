package io.poolagent.intercept;

import io.poolagent.bootstrap.bridge.Bridge;
import io.poolagent.log.AgentLog;
import io.poolagent.runtime.AgentThreads;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Defines the bridge that woven code calls, once, on a thread of its own, started by the first class to weave:
 * that class is woven meanwhile, and handed to the JVM only once the bridge is there (its hooks must find it
 * when they first run). The thread holds no lock and loads only the agent's and {@code java.base}'s classes,
 * so the class-loading lock that the waiting thread holds is never one it needs.
 */
final class BridgeSetUp implements Runnable {

    /** Far above the tens of milliseconds it takes: a JVM that stalls this long gets its class unwoven. */
    private static final long WAIT_SECONDS = 30;

    private final Runnable bridgeUp;
    private final Runnable afterwards;
    private final CountDownLatch done = new CountDownLatch(1);
    private volatile Module bridge;
    /** Set when the set-up could not start, or did not end in time: then no class waits for it again. */
    private volatile boolean givenUp;

    /**
     * @param bridgeUp   defines the bridge
     * @param afterwards run on the same thread once the bridge is up, not waited for (reading the other advice)
     */
    BridgeSetUp(Runnable bridgeUp, Runnable afterwards) {
        this.bridgeUp = bridgeUp;
        this.afterwards = afterwards;
    }

    void start() {
        try {
            AgentThreads.daemon(this, "pool-agent-bridge").start();
        } catch (Throwable t) { // no thread to be had (a pid limit): nothing is woven, and nobody waits
            givenUp = true;
            done.countDown();
            AgentLog.error("agent not started, connections stay unpooled: no thread for its set-up: " + t);
        }
    }

    @Override
    public void run() {
        try {
            long began = System.nanoTime();
            bridgeUp.run();
            bridge = Bridge.class.getModule();
            AgentLog.debug("start-up: bridge defined in " + (System.nanoTime() - began) / 1000 + " us");
        } catch (Throwable t) {
            AgentLog.error("agent not started, connections stay unpooled: " + t);
        } finally {
            done.countDown();
        }
        if (bridge != null) {
            afterwards.run();
        }
    }

    /**
     * The bridge's module once it is defined; null if that failed or took too long (then nothing is woven). An
     * interrupt does not cut the wait short: it is the application's, and is set again afterwards.
     */
    Module await() {
        boolean interrupted = false;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (!givenUp && done.getCount() > 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                givenUp = true;
                AgentLog.error("the agent's bridge took over " + WAIT_SECONDS + " s to set up: classes load unwoven,"
                        + " connections stay unpooled");
                break;
            }
            try {
                done.await(left, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return givenUp ? null : bridge;
    }

    /** Whether it failed, or was given up on: then there is no point in weaving. */
    boolean failed() {
        return givenUp || done.getCount() == 0 && bridge == null;
    }
}
