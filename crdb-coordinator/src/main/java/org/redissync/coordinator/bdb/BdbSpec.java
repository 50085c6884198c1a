package org.redissync.coordinator.bdb;

import java.util.List;

import org.redissync.events.BdbConfigEvent.AuthorizedSubject;
import org.redissync.events.BdbConfigEvent.ReplicaSource;
import org.redissync.events.SubjectValidation;
import org.redissync.events.TlsMode;

/** A bdb's writable settings after parsing and defaults, before the coordinator places it. */
public record BdbSpec(
        String name,
        Integer port,
        long memorySize,
        String cluster,
        String backend,
        TlsMode tlsMode,
        boolean enforceClientAuthentication,
        List<String> clientCerts,
        SubjectValidation subjectValidation,
        List<AuthorizedSubject> authorizedSubjects,
        boolean allowOutdatedCerts,
        boolean allowWeakHashing,
        List<ReplicaSource> replicaSources,
        String replicaSync,
        int maxConnections,
        /** RE's {@code eviction_policy}; null: RE's default for the bdb's kind. */
        String evictionPolicy,
        /** RE's {@code data_persistence}; null: disabled. */
        String dataPersistence,
        /** {@code replica_sources[].client_key} by source uid, as given (to cert-service only; never in an event). */
        java.util.Map<Integer, Secret> sourceKeys) {

    /** A private key in PEM: its text is never printed. */
    public record Secret(String pem) {
        @Override
        public String toString() {
            return "[hidden]";
        }
    }
}
