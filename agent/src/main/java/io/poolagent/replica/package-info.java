/**
 * What read routing knows without a pool: how far behind each standby is ({@link io.poolagent.replica.LagWatch},
 * {@link io.poolagent.replica.ReplicaState}), what a thread has written ({@link io.poolagent.replica.WriteFence}),
 * and which standby, if any, a read may go to ({@link io.poolagent.replica.ReplicaChoice}). The pools and the
 * connection that switches between them are the pool layer's.
 */
package io.poolagent.replica;
