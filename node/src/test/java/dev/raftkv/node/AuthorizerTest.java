package dev.raftkv.node;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The one table of who may call what: a client token reads and writes, only the admin token changes the cluster. */
class AuthorizerTest {
    private static final Authorizer AUTH = new Authorizer(new Tokens("client-t", "admin-t"));

    private static Authorizer.Denial as(String token, HttpMethod method, String path) {
        HttpHeaders h = new DefaultHttpHeaders();
        if (token != null) h.set("Authorization", "Bearer " + token);
        return AUTH.check(method, path, h);
    }

    @Test
    void everyTestOnlyEndpointNeedsTheAdminToken() {
        for (HttpMethod m : new HttpMethod[]{HttpMethod.GET, HttpMethod.POST}) {
            assertThat(as("client-t", m, "/v1/unsafe/clock").status()).isEqualTo(403);
            assertThat(as(null, m, "/v1/unsafe/clock").status()).isEqualTo(401);
            assertThat(as("guess", m, "/v1/unsafe/anything").status()).isEqualTo(401);
            assertThat(as("admin-t", m, "/v1/unsafe/clock")).isNull();
        }
    }

    @Test
    void membershipChangesAndTransfersNeedTheAdminTokenAndReadsTheClientToken() {
        assertThat(as("client-t", HttpMethod.POST, "/v1/members").status()).isEqualTo(403);
        assertThat(as("client-t", HttpMethod.DELETE, "/v1/members/n2").status()).isEqualTo(403);
        assertThat(as("client-t", HttpMethod.POST, "/v1/leader/transfer").status()).isEqualTo(403);
        assertThat(as("client-t", HttpMethod.GET, "/v1/members")).isNull();
        assertThat(as("client-t", HttpMethod.PUT, "/v1/kv/k")).isNull();
        assertThat(as(null, HttpMethod.GET, "/v1/kv/k").status()).isEqualTo(401);
        assertThat(as("admin-t", HttpMethod.POST, "/v1/members")).isNull();
    }

    @Test
    void withoutTokensEverythingIsOpenAsTheNodeWarnsAtStart() {
        assertThat(new Authorizer(Tokens.NONE).check(HttpMethod.POST, "/v1/members", new DefaultHttpHeaders())).isNull();
    }
}
