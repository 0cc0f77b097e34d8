package io.poolagent.retry;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.cert.CertificateException;
import java.sql.SQLException;
import javax.net.ssl.SSLHandshakeException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class SqlStatesTest {

    @ParameterizedTest
    @ValueSource(strings = {"08001", "08006", "08004", "53300", "53000", "53100", "53200", "57P01", "57P02", "57P03"})
    void serverNotReadyYetIsTransient(String state) {
        assertTrue(SqlStates.isTransient(new SQLException("x", state)), state);
    }

    @ParameterizedTest
    @ValueSource(strings = {"28P01", "28000", "3D000", "42501", "42P01", "57014", "XX000", "0A000"})
    void credentialsMissingDatabasesAndQueryErrorsArePermanent(String state) {
        assertFalse(SqlStates.isTransient(new SQLException("x", state)), state);
    }

    @Test
    void withoutAStateOnlyTheJdbcTypeDecides() {
        assertFalse(SqlStates.isTransient(new SQLException("no state")));
        assertTrue(SqlStates.isTransient(new SQLTransientConnectionException("flaky")));
    }

    @Test
    void anUntrustedCertificateIsPermanentThoughPgjdbcCallsIt08006() {
        SQLException untrusted = new SQLException("SSL error: PKIX path building failed", "08006",
                new SSLHandshakeException("PKIX path building failed"));
        untrusted.getCause().initCause(new CertificateException("unable to find valid certification path"));
        SQLException cutHandshake = new SQLException("SSL error: Remote host terminated the handshake", "08006",
                new SSLHandshakeException("Remote host terminated the handshake"));

        assertFalse(SqlStates.isTransient(untrusted));
        assertTrue(SqlStates.isTransient(cutHandshake));
    }

    @Test
    void aNonTransientExceptionIsPermanentWhateverItsState() {
        assertFalse(SqlStates.isTransient(new SQLNonTransientConnectionException("bad url", "08001")));
    }
}
