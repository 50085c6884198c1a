package org.redissync.syncer.shard;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ShardAclTest {

    @Test
    void everyCommandButTheRefusedOnes() {
        assertThat(ShardAcl.clientRules()).startsWith("~*", "&*", "+@all").contains("-shutdown", "-replicaof", "-config|rewrite",
                "-acl|setuser", "-client|kill").doesNotContain("-get", "-config|get");
    }

    @Test
    void theUnknownCommandRedisNamesIsFound() {
        assertThat(ShardAcl.unknownRule("ERR Error in ACL SETUSER modifier '-waitaof': Unknown command or category name in ACL"))
                .isEqualTo("-waitaof");
        assertThat(ShardAcl.unknownRule("ERR Error in ACL SETUSER modifier '-config|nosuch': Unknown command or category name in ACL"))
                .isEqualTo("-config|nosuch");
        assertThat(ShardAcl.unknownRule("ERR Error in ACL SETUSER modifier '~[': Syntax error")).isNull();
        assertThat(ShardAcl.unknownRule("NOPERM this user has no permissions to run the 'acl|setuser' command")).isNull();
    }
}
