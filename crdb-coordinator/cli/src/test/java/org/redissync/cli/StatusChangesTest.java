package org.redissync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class StatusChangesTest {

    @Test
    void eachObservedChangeIsOneLine() {
        assertThat(CrdbCli.statusChanges("queued", "started")).containsExactly("  ---> Status changed: queued -> started");
        assertThat(CrdbCli.statusChanges("started", "finished")).containsExactly("  ---> Status changed: started -> finished");
        assertThat(CrdbCli.statusChanges("started", "failed")).containsExactly("  ---> Status changed: started -> failed");
    }

    @Test
    void noChangeNoLine() {
        assertThat(CrdbCli.statusChanges("queued", "queued")).isEmpty();
        assertThat(CrdbCli.statusChanges("started", "started")).isEmpty();
    }

    @Test
    void aTaskThatRanBetweenTwoPollsStillShowsItStarted() {
        assertThat(CrdbCli.statusChanges("queued", "finished")).containsExactly(
                "  ---> Status changed: queued -> started", "  ---> Status changed: started -> finished");
        assertThat(CrdbCli.statusChanges("queued", "failed")).containsExactly(
                "  ---> Status changed: queued -> started", "  ---> Status changed: started -> failed");
    }

    private static JsonNode task(String status, String guid) {
        var node = new ObjectMapper().createObjectNode().put("operation", "create_crdb").put("status", status);
        return guid == null ? node : node.put("crdb_guid", guid);
    }

    @Test
    void aCreateThatFinishedBetweenTwoPollsShowsItsGuidBeforeItFinished() {
        // The CI run of stop 29 printed the GUID after "started -> finished" when one poll saw both.
        assertThat(CrdbCli.progressLines("queued", task("finished", "g1"), false)).containsExactly(
                "  ---> Status changed: queued -> started",
                "  ---> CRDB GUID Assigned: crdb:g1",
                "  ---> Status changed: started -> finished");
        assertThat(CrdbCli.progressLines("started", task("failed", "g1"), false)).containsExactly(
                "  ---> CRDB GUID Assigned: crdb:g1",
                "  ---> Status changed: started -> failed");
    }

    @Test
    void theGuidIsShownOnceAndOnlyAfterTheTaskStarted() {
        assertThat(CrdbCli.progressLines("queued", task("queued", "g1"), false)).isEmpty();
        assertThat(CrdbCli.progressLines("queued", task("started", "g1"), false)).containsExactly(
                "  ---> Status changed: queued -> started", "  ---> CRDB GUID Assigned: crdb:g1");
        assertThat(CrdbCli.progressLines("started", task("finished", "g1"), true)).containsExactly(
                "  ---> Status changed: started -> finished");
        assertThat(CrdbCli.progressLines("started", task("started", null), false)).isEmpty();
    }
}
