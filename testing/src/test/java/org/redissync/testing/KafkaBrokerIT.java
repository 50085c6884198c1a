package org.redissync.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaBrokerIT {

    @TempDir
    Path dir;

    @Test
    void startsFromItsJarRestartsOnTheSameDataAndStopsCleanly() throws Exception {
        long firstPid;
        String clusterIdentity;
        try (KafkaBroker broker = KafkaBroker.start(dir, 0)) {
            firstPid = broker.process().pid();
            assertThat(broker.bootstrapServers()).startsWith("127.0.0.1:");
            assertThat(accepts(broker.bootstrapServers())).isTrue();
            clusterIdentity = clusterId(broker.dataDir());
        }
        assertThat(ProcessHandle.of(firstPid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        // The data directory is formatted once and reused.
        try (KafkaBroker again = KafkaBroker.start(dir, 0)) {
            assertThat(accepts(again.bootstrapServers())).isTrue();
            assertThat(clusterId(again.dataDir())).isEqualTo(clusterIdentity);
        }
    }

    private static String clusterId(Path dataDir) throws java.io.IOException {
        return java.nio.file.Files.readAllLines(dataDir.resolve("data/meta.properties")).stream()
                .filter(l -> l.startsWith("cluster.id=")).findFirst().orElseThrow();
    }

    private static boolean accepts(String hostPort) {
        String[] hp = hostPort.split(":");
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(hp[0], Integer.parseInt(hp[1])), 1000);
            return true;
        } catch (Exception e) {
            return false;
        }
    }
}
