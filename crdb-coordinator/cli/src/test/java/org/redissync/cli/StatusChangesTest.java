package org.redissync.cli;

import static org.assertj.core.api.Assertions.assertThat;

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
}
