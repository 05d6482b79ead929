package io.distws.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.redisson.api.RScript;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/**
 * One Lua script, loaded once from its {@code .lua} resource beside this class (its first lines say which keys and
 * arguments it takes). Sent by SHA so the text does not travel with every call; after a Redis restart or a failover
 * to a replica that never saw it, the NOSCRIPT answer falls back to sending the text once, which loads it again.
 */
final class LuaScript {

    private final String name;
    private final String text;
    private final String sha;

    private LuaScript(String name, String text) {
        this.name = name;
        this.text = text;
        this.sha = sha1Hex(text);
    }

    /** The script {@code io/distws/redis/<name>.lua}. */
    static LuaScript load(String name) {
        String resource = name + ".lua";
        try (InputStream in = LuaScript.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("Lua script " + resource + " is missing from the classpath");
            }
            return new LuaScript(name, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read Lua script " + resource, e);
        }
    }

    /** The script's text, for a batch (where the SHA fallback cannot run). */
    String text() {
        return text;
    }

    /**
     * Runs the script on the server that owns {@code keys}' slot (every key of one call must share one slot).
     *
     * @return completes with the script's integer result, exceptionally when Redis fails
     */
    CompletionStage<Long> evalLong(RedissonClient redis, List<Object> keys, Object... args) {
        RScript script = redis.getScript(StringCodec.INSTANCE);
        String slotKey = String.valueOf(keys.get(0));
        return script.<Long>evalShaAsync(slotKey, RScript.Mode.READ_WRITE, sha, RScript.ReturnType.LONG, keys, args)
                .handle((result, failure) -> failure == null
                        ? CompletableFuture.completedFuture(result)
                        : isNoScript(failure)
                                ? script.<Long>evalAsync(slotKey, RScript.Mode.READ_WRITE, text,
                                        RScript.ReturnType.LONG, keys, args)
                                : CompletableFuture.<Long>failedFuture(failure))
                .thenCompose(stage -> stage);
    }

    /** Runs a script that returns a list (integers as {@link Long}, strings as {@link String}); see {@link #evalLong}. */
    CompletionStage<List<Object>> evalList(RedissonClient redis, List<Object> keys, Object... args) {
        return evalList(redis.getScript(StringCodec.INSTANCE), keys, args);
    }

    /**
     * Runs a script that returns a list, through {@code script} (which carries the caller's codec and retry options),
     * on the server that owns the first key's slot.
     */
    CompletionStage<List<Object>> evalList(RScript script, List<Object> keys, Object... args) {
        String slotKey = String.valueOf(keys.get(0));
        return script.<List<Object>>evalShaAsync(slotKey, RScript.Mode.READ_WRITE, sha, RScript.ReturnType.LIST, keys,
                        args)
                .handle((result, failure) -> failure == null
                        ? CompletableFuture.completedFuture(result)
                        : isNoScript(failure)
                                ? script.<List<Object>>evalAsync(slotKey, RScript.Mode.READ_WRITE, text,
                                        RScript.ReturnType.LIST, keys, args)
                                : CompletableFuture.<List<Object>>failedFuture(failure))
                .thenCompose(stage -> stage);
    }

    /** One call of a script: its keys (all in one slot) and its arguments. */
    record Call(List<Object> keys, Object[] args) {
    }

    /**
     * Runs several calls of a script that returns a list, each as {@link #evalList} does (by SHA, again with the text
     * when Redis answers NOSCRIPT, on the server that owns its first key's slot), all sent at once, none waiting for
     * another's answer.
     *
     * <p>Not as one batch: when a batch fails, Redisson fails the futures of its other calls with the same error, even
     * those a Redis Cluster's other master ran meanwhile, so a call answered NOSCRIPT could not be told from one that
     * ran, and sending them all again appended messages twice (seen in {@code RedisHistoryStoreOnClusterTest}).
     *
     * @return completes with each call's result in call order, exceptionally when a call fails other than with
     *         NOSCRIPT
     */
    CompletionStage<List<List<Object>>> evalLists(RedissonClient redis, List<Call> calls) {
        RScript script = redis.getScript(StringCodec.INSTANCE);
        List<CompletableFuture<List<Object>>> results = new ArrayList<>(calls.size());
        for (Call call : calls) {
            results.add(evalList(script, call.keys(), call.args()).toCompletableFuture());
        }
        return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new))
                .thenApply(all -> results.stream().map(CompletableFuture::join).toList());
    }

    private static boolean isNoScript(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t.getMessage() != null && t.getMessage().contains("NOSCRIPT")) {
                return true;
            }
        }
        return false;
    }

    private static String sha1Hex(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return name + ".lua";
    }
}
