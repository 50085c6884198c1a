package org.redissync.syncer.channel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

/** Which local channel a snapshot's position belongs to, and one load at a time per destination (no channels to hold). */
class MeshLoadsTest {

    final MeshLoads mesh = new MeshLoads("b", List::of, 1_000);

    @Test
    void aSnapshotOfCsPositionOfAToCIsThePositionOfAToB() {
        assertThat(mesh.sibling("g", "c", "g/a->c")).isEqualTo("g/a->b");
        assertThat(mesh.sibling("g", "c", "g/cluster-a->c")).isEqualTo("g/cluster-a->b");
    }

    @Test
    void positionsThatNoLocalChannelReadsFromAreNotTaken() {
        assertThat(mesh.sibling("g", "c", "g/b->c")).as("c's position in b's own stream").isNull();
        assertThat(mesh.sibling("g", "c", "h/a->c")).as("another CRDB's").isNull();
        assertThat(mesh.sibling("g", "c", "g/a->d")).as("a channel into another cluster").isNull();
        assertThat(mesh.sibling("g", "c", "g/->c")).isNull();
        assertThat(mesh.sibling("g", "c", "bdb:1/source:1")).as("a Replica Of channel's").isNull();
        assertThat(mesh.sibling("g", null, "g/a->c")).isNull();
    }

    @Test
    void oneLoadAtATimePerDestination() throws Exception {
        assertThat(mesh.begin("g/a->b", 1)).isNull();
        assertThat(mesh.begin("g/c->b", 1)).contains("channel g/a->b is loading a snapshot into this database");
        assertThat(mesh.begin("g/a->b", 1)).as("the holder's retry of its own load").isNull();
        assertThat(mesh.begin("h/a->b", 2)).as("another destination").isNull();
        mesh.end("g/c->b", 1);
        assertThat(mesh.holder(1)).as("only the holder ends its load").isEqualTo("g/a->b");
        mesh.end("g/a->b", 1);
        assertThat(mesh.begin("g/c->b", 1)).isNull();
    }
}
