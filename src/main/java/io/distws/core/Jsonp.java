package io.distws.core;

import jakarta.json.spi.JsonProvider;

/**
 * The JSON-P provider, looked up once. {@code Json.createValue}, {@code Json.createObjectBuilder} and the other static
 * methods of {@code jakarta.json.Json} look the provider up again on every call: a service-loader scan of the class
 * loader, which on Open Liberty also built exceptions, about 7 KB of garbage and tens of microseconds a call (findings
 * item 28). Use {@code JSON.createValue(...)} and the like on every path that runs per message or per request.
 */
public final class Jsonp {

    public static final JsonProvider JSON = JsonProvider.provider();

    private Jsonp() {
    }
}
