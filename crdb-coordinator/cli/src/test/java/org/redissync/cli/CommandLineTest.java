package org.redissync.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;

import org.junit.jupiter.api.Test;

/** crdb-cli's command line: nothing it does not know is ignored or swallowed. */
class CommandLineTest {

    static Args parse(String... argv) {
        return Args.parse(argv, Set.copyOf(CrdbCli.SWITCHES));
    }

    @Test
    void aMisspeltFlagIsRefusedByNameWithTheCommandsUsage() {
        assertThatThrownBy(() -> CrdbCli.command(parse("crdb", "create", "--name", "x", "--encrypton", "true")))
                .isInstanceOf(CliException.class).hasMessageContaining("--encrypton is not a flag of this command")
                .hasMessageContaining("usage: crdb-cli crdb create");
        assertThat(((CliException) org.assertj.core.api.Assertions.catchThrowable(() -> CrdbCli.command(parse("crdb", "list", "--x", "1"))))
                .exitCode()).isEqualTo(2);
    }

    @Test
    void anReFlagThisSuiteDoesNotSupportIsSaidSo() {
        assertThatThrownBy(() -> CrdbCli.command(parse("crdb", "create", "--name", "x", "--sharding", "true")))
                .hasMessageContaining("--sharding is not supported by this suite");
    }

    @Test
    void aFlagWithoutItsValueDoesNotSwallowTheNextFlag() {
        Args a = parse("crdb", "create", "--wait", "--name", "x");
        assertThat(a.get("name")).isEqualTo("x");
        assertThat(CrdbCli.command(a)).isEqualTo("crdb create");
        assertThatThrownBy(() -> CrdbCli.command(parse("crdb", "get", "--wait", "--crdb-guid", "g")))
                .hasMessageContaining("--wait is not a flag of this command");
        assertThatThrownBy(() -> parse("crdb", "get", "--crdb-guid", "--no-wait").require("crdb-guid"))
                .hasMessageContaining("--crdb-guid is required");
    }

    @Test
    void membershipCommandsTakeReFlags() {
        assertThat(CrdbCli.command(parse("crdb", "add-instance", "--crdb-guid", "g", "--instance", "fqdn=cluster-c,username=u,password=p",
                "--compression", "3", "--wait"))).isEqualTo("crdb add-instance");
        assertThat(CrdbCli.command(parse("crdb", "remove-instance", "--crdb-guid", "g", "--instance-id", "2", "--force", "--no-wait")))
                .isEqualTo("crdb remove-instance");
        assertThatThrownBy(() -> CrdbCli.command(parse("crdb", "remove-instance", "--crdb-guid", "g", "--instance", "fqdn=x")))
                .hasMessageContaining("--instance is not a flag of this command").hasMessageContaining("--instance-id <id>");
        assertThatThrownBy(() -> CrdbCli.command(parse("crdb", "create", "--name", "x", "--compression", "3")))
                .hasMessageContaining("--compression is not supported by this suite");
    }

    @Test
    void extraWordsAndUnknownCommandsAreRefused() {
        assertThatThrownBy(() -> CrdbCli.command(parse("task", "list", "extra"))).hasMessageContaining("unexpected argument 'extra'");
        assertThat(CrdbCli.command(parse("crdb", "frobnicate"))).isNull();
        assertThat(CrdbCli.command(parse("crdb", "update", "--crdb-guid", "g", "--encryption", "true", "--api-url", "https://h:9443")))
                .isEqualTo("crdb update");
    }

    @Test
    void helpIsPerCommand() {
        assertThat(CrdbCli.usage("crdb update")).startsWith("usage: crdb-cli crdb update --crdb-guid").doesNotContain("crdb create");
        assertThat(CrdbCli.usage(null)).contains("crdb-cli crdb create").contains("crdb-cli task cancel");
    }
}
