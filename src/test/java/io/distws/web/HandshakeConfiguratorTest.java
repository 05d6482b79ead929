package io.distws.web;

import static org.junit.jupiter.api.Assertions.assertEquals;

import jakarta.servlet.http.HttpSession;
import jakarta.websocket.server.HandshakeRequest;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Which HTTP session the handshake drops: the one the container made for it alone, never one the client brought. The
 * request and the session stand in for the container's; MetricsIT sees the sessions of a real Open Liberty.
 */
class HandshakeConfiguratorTest {

    /** What was called on the session, in order. */
    private final List<String> calls = new ArrayList<>();

    @Test
    void invalidatesASessionMadeForTheHandshake() {
        HandshakeConfigurator.dropSessionMadeForTheHandshake(request(session(true, false)));
        assertEquals(List.of("isNew", "invalidate"), calls);
    }

    @Test
    void keepsASessionTheClientAlreadyHad() {
        HandshakeConfigurator.dropSessionMadeForTheHandshake(request(session(false, false)));
        assertEquals(List.of("isNew"), calls);
    }

    @Test
    void takesASessionInvalidatedMeanwhileAsDropped() {
        HandshakeConfigurator.dropSessionMadeForTheHandshake(request(session(true, true)));
        assertEquals(List.of(), calls);
    }

    @Test
    void doesNothingWithoutASession() {
        HandshakeConfigurator.dropSessionMadeForTheHandshake(request(null));
        assertEquals(List.of(), calls);
    }

    private HttpSession session(boolean isNew, boolean invalidated) {
        return (HttpSession) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {HttpSession.class},
                (proxy, method, args) -> {
                    if (invalidated) {
                        throw new IllegalStateException(method.getName() + ": session already invalidated");
                    }
                    calls.add(method.getName());
                    return method.getName().equals("isNew") ? isNew : null;
                });
    }

    private HandshakeRequest request(HttpSession session) {
        return (HandshakeRequest) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {HandshakeRequest.class}, (proxy, method, args) -> {
                    if (method.getName().equals("getHttpSession")) {
                        return session;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }
}
