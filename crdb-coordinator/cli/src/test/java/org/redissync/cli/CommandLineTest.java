package org.redissync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;

import org.junit.jupiter.api.Test;

/**
 * crdb-cli's and rladmin's command lines (picocli): nothing they do not know is ignored or swallowed, and each command has
 * its own --help. Everything here is refused before any API is looked for (none runs in this test).
 */
class CommandLineTest {

    record Run(int exit, String out, String err) {
    }

    static Run run(String tool, String... argv) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.commandLine(tool, new PrintWriter(out, true), new PrintWriter(err, true)).execute(argv);
        return new Run(exit, out.toString(), err.toString());
    }

    static Run crdbCli(String... argv) {
        return run("crdb-cli", argv);
    }

    @Test
    void aMisspeltFlagIsRefusedByNameWithTheCommandsUsage() {
        Run r = crdbCli("crdb", "create", "--name", "x", "--memory-size", "1g", "--instance", "fqdn=a", "--encrypton", "true");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("crdb-cli crdb create: --encrypton is not a flag of this command")
                .contains("Usage: crdb-cli crdb create").contains("--memory-size");
        assertThat(crdbCli("crdb", "list", "--x", "1").exit()).isEqualTo(2);
    }

    @Test
    void anReFlagThisSuiteDoesNotSupportIsSaidSo() {
        Run r = crdbCli("crdb", "create", "--name", "x", "--memory-size", "1g", "--instance", "fqdn=a", "--shards-count", "2");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("--shards-count is not supported by this suite");
        assertThat(crdbCli("crdb", "create", "--name", "x", "--memory-size", "1g", "--instance", "fqdn=a", "--compression", "3").err())
                .contains("--compression is not supported by this suite");
        assertThat(crdbCli("crdb", "update", "--crdb-guid", "g", "--featureset-version", "true").err())
                .contains("--featureset-version is not supported by this suite");
    }

    @Test
    void aFlagWithoutItsValueDoesNotSwallowTheNextFlag() {
        Run r = crdbCli("crdb", "get", "--crdb-guid", "--no-wait");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("--crdb-guid");
        assertThat(crdbCli("crdb", "get", "--wait", "--crdb-guid", "g").err()).contains("--wait is not a flag of this command");
        assertThat(crdbCli("crdb", "create", "--name", "x", "--memory-size", "1g", "--instance", "fqdn=a", "--wait", "--no-wait").err())
                .contains("--wait and --no-wait exclude each other");
    }

    @Test
    void requiredFlagsAreNamed() {
        Run r = crdbCli("crdb", "create", "--name", "x");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("Missing required options").contains("--memory-size").contains("--instance");
        assertThat(crdbCli("crdb", "remove-instance", "--crdb-guid", "g", "--instance", "fqdn=x").err())
                .contains("Missing required option: '--instance-id");
        assertThat(crdbCli("crdb", "remove-instance", "--crdb-guid", "g", "--instance-id", "2", "--instance", "fqdn=x").err())
                .contains("--instance is not a flag of this command");
        assertThat(crdbCli("crdb", "remove-instance", "--crdb-guid", "g", "--instance-id", "two").err()).contains("'two'");
    }

    @Test
    void extraWordsAndUnknownCommandsAreRefused() {
        assertThat(crdbCli("task", "list", "extra").err()).contains("crdb-cli task list: unexpected argument 'extra'");
        Run unknown = crdbCli("crdb", "frobnicate");
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err()).contains("crdb-cli crdb: unknown command 'frobnicate'");
        Run alone = crdbCli();
        assertThat(alone.exit()).isEqualTo(2);
        assertThat(alone.err()).contains("Usage: crdb-cli").contains("crdb").contains("task");
    }

    @Test
    void aPasswordIsNeverAnArgument() {
        Run r = crdbCli("crdb", "list", "--password", "s3cret");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("--password: a password is never taken from the command line").contains("--password-file")
                .doesNotContain("s3cret");
        assertThat(run("rladmin", "cluster", "config", "min_data_TLS_version", "1.3", "--password=s3cret").err())
                .contains("never taken from the command line");
    }

    @Test
    void helpIsPerCommand() {
        Run help = crdbCli("crdb", "update", "--help");
        assertThat(help.exit()).isZero();
        assertThat(help.out()).contains("Usage: crdb-cli crdb update").contains("--crdb-guid").contains("--encryption")
                .doesNotContain("--instance=");
        assertThat(crdbCli("crdb", "add-instance", "--help").out()).contains("--compression").contains("--instance");
        assertThat(crdbCli("--help").out()).contains("crdb").contains("task");
        assertThat(run("rladmin", "cluster", "config", "--help").out()).contains("min_data_TLS_version");
    }

    @Test
    void rladminIsStrictToo() {
        assertThat(run("rladmin", "tune", "db", "db:1", "mtls_allow_outdated_certs").err()).contains("Missing required parameter");
        assertThat(run("rladmin", "cluster", "config", "min_data_TLS_version").exit()).isEqualTo(2);
        assertThat(run("rladmin", "cluster", "frobnicate").err()).contains("unknown command 'frobnicate'");
        assertThat(run("rladmin", "tune", "db", "db:1", "mtls_allow_outdated_certs", "enabled", "--verbose").err())
                .contains("--verbose is not a flag of this command");
    }
}
