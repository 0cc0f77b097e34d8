/**
 * Everything the agent knows about pgjdbc beyond JDBC, in one room. The agent never links against the
 * application's pgjdbc (it lives in the application's class loader); it reads it by name, once per class.
 * <ul>
 * <li>{@link io.poolagent.pgjdbc.DriverState}: {@code BaseConnection.getTransactionState()},
 * {@code getQueryExecutor().getNotifications()} and {@code PGConnection}'s setting getters (public pgjdbc API),
 * and the private field {@code QueryExecutorImpl.lockedFor} (a COPY holds the protocol) by
 * {@code setAccessible}. Missing: "not known", and the return path takes the strict side: a transaction is
 * assumed open and rolled back; a COPY can only start on the driver's own connection, and a session reached
 * that way is closed at return whatever the lock says.</li>
 * <li>{@link io.poolagent.pgjdbc.ConnectionFacade}: the application's handle implements the application's
 * {@code org.postgresql.PGConnection}, so that casts written for a plain pgjdbc connection keep working.</li>
 * <li>Woven methods ({@link io.poolagent.pgjdbc.PgjdbcNames}, rows of intercept's {@code Targets}):
 * {@code Driver.connect(String, Properties)} and {@code BaseDataSource.getConnection(String, String)}.</li>
 * </ul>
 * Proven on: {@code WeaveMatrixTest} weaves pgjdbc 42.2.29, 42.3.10, 42.4.5, 42.5.6, 42.6.2, 42.7.3 and
 * 42.7.14; the integration suite runs on 42.7.14 and {@code ConnectionStormTest} on 42.2.29, the oldest. A
 * method not found in another version stays unwoven with one WARN naming class, method and version, and its
 * connections stay unpooled.
 */
package io.poolagent.pgjdbc;
