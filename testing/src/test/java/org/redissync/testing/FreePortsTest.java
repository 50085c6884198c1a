package org.redissync.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

class FreePortsTest {

    @Test
    void portsChosenBeforeAnyIsBoundAreAllDifferent() {
        // The local suite chooses ~15 ports before it starts anything; the kernel tends to offer a just-closed
        // probe port again, which once gave a syncer-service the port of a redis-server.
        Set<Integer> ports = new HashSet<>();
        for (int i = 0; i < 500; i++) {
            ports.add(FreePorts.next());
        }
        assertEquals(500, ports.size());
    }
}
