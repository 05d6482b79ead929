package io.distws.redis;

import static io.distws.core.Jsonp.JSON;

import io.distws.api.DistributedFd;
import io.distws.api.HistoryEntry;
import io.distws.api.Message;
import io.distws.api.Opcode;
import io.distws.api.StreamPosition;
import io.distws.spi.HistoryStore;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;
import java.io.StringReader;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.redisson.api.RedissonClient;

/**
 * Streams in Redis, as Centrifugo keeps them: a meta hash (epoch, last offset) and a Redis stream of the recent
 * messages whose entry ids are their offsets, both in the stream's slot, written by one script so that the offset
 * order is the stream's order. Trimmed to {@code distws.history.size} entries and dropped
 * {@code distws.history.ttl} after the last append; a stream found without its meta starts a new epoch.
 */
public final class RedisHistoryStore implements HistoryStore {

    private static final LuaScript APPEND = LuaScript.load("history-append");
    private static final LuaScript READ = LuaScript.load("history-read");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final RedissonClient redis;
    private final RedisKeys keys;
    private final String size;
    private final String ttlSeconds;

    public RedisHistoryStore(RedissonClient redis, RedisKeys keys, int size, Duration ttl) {
        this.redis = redis;
        this.keys = keys;
        this.size = Integer.toString(size);
        this.ttlSeconds = Long.toString(Math.max(1, ttl.toSeconds()));
    }

    /** A fresh epoch: 8 random base-64url characters. */
    static String newEpoch() {
        byte[] bytes = new byte[6];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private List<Object> streamKeys(String stream) {
        return List.of(keys.historyMeta(stream), keys.historyLog(stream));
    }

    @Override
    public CompletionStage<List<StreamPosition>> append(List<Append> appends) {
        if (appends.isEmpty()) {
            return CompletableFuture.completedFuture(List.of());
        }
        // One script call per stream with its messages in order, so that a stream's appends run together or not at
        // all; the calls go by SHA, all at once (the script's text, about 3 KB, would travel with every message).
        Map<String, List<Integer>> byStream = new LinkedHashMap<>();
        for (int i = 0; i < appends.size(); i++) {
            byStream.computeIfAbsent(appends.get(i).stream(), s -> new ArrayList<>()).add(i);
        }
        List<LuaScript.Call> calls = new ArrayList<>(byStream.size());
        byStream.forEach((stream, indices) -> {
            List<Object> args = new ArrayList<>(3 + 5 * indices.size());
            args.add(size);
            args.add(ttlSeconds);
            args.add(newEpoch());
            for (int i : indices) {
                Append a = appends.get(i);
                Message m = a.message();
                args.add(m.opcode().wireName());
                args.add(m.opcode() == Opcode.TEXT ? m.text() : Base64.getEncoder().encodeToString(m.bytes()));
                args.add(encode(a.excluded()));
                args.add(a.routed() == null ? "" : a.routed().origin());
                args.add(a.routed() == null ? "0" : Long.toString(a.routed().slot()));
            }
            calls.add(new LuaScript.Call(streamKeys(stream), args.toArray()));
        });
        return APPEND.evalLists(redis, calls).thenApply(results -> {
            StreamPosition[] positions = new StreamPosition[appends.size()];
            int call = 0;
            for (List<Integer> indices : byStream.values()) {
                List<Object> result = results.get(call++);
                String epoch = String.valueOf(result.get(0));
                for (int k = 0; k < indices.size(); k++) {
                    positions[indices.get(k)] = new StreamPosition((Long) result.get(k + 1), epoch);
                }
            }
            return List.of(positions);
        });
    }

    @Override
    public CompletionStage<Read> read(String stream, long after, int max) {
        return READ.evalList(redis, streamKeys(stream), "after", Long.toString(after), Integer.toString(max),
                ttlSeconds, newEpoch()).thenApply(RedisHistoryStore::read);
    }

    @Override
    public CompletionStage<Read> recent(String stream, int limit) {
        return READ.evalList(redis, streamKeys(stream), "last", Integer.toString(limit), size, ttlSeconds,
                newEpoch()).thenApply(RedisHistoryStore::read);
    }

    private static Read read(List<Object> result) {
        String epoch = String.valueOf(result.get(1));
        List<HistoryEntry> entries = new ArrayList<>((result.size() - 2) / 6);
        Map<Long, Excluded> excluded = new HashMap<>();
        Map<Long, Routed> routed = new HashMap<>();
        for (int i = 2; i + 5 < result.size(); i += 6) {
            long offset = Long.parseLong(String.valueOf(result.get(i)));
            Opcode opcode = Opcode.parse(String.valueOf(result.get(i + 1)));
            String data = String.valueOf(result.get(i + 2));
            Message message = opcode == Opcode.TEXT ? Message.text(data) : Message.binary(Base64.getDecoder().decode(data));
            entries.add(new HistoryEntry(new StreamPosition(offset, epoch), message));
            String notFor = String.valueOf(result.get(i + 3));
            if (!notFor.isEmpty()) {
                excluded.put(offset, decode(notFor));
            }
            String origin = String.valueOf(result.get(i + 4));
            if (!origin.isEmpty()) {
                routed.put(offset, new Routed(origin, Long.parseLong(String.valueOf(result.get(i + 5)))));
            }
        }
        return new Read(new StreamPosition((Long) result.get(0), epoch), entries, excluded, routed);
    }

    /** {@code {"users":[...],"fds":["<node>-<fd>",...]}}, or "" for a message for everyone. */
    static String encode(Excluded excluded) {
        if (excluded.isEmpty()) {
            return "";
        }
        JsonArrayBuilder users = JSON.createArrayBuilder();
        excluded.users().forEach(users::add);
        JsonArrayBuilder fds = JSON.createArrayBuilder();
        excluded.fds().forEach(fd -> fds.add(fd.toString()));
        return JSON.createObjectBuilder().add("users", users).add("fds", fds).build().toString();
    }

    static Excluded decode(String json) {
        try (JsonReader reader = JSON.createReader(new StringReader(json))) {
            JsonObject o = reader.readObject();
            Set<String> users = new HashSet<>();
            o.getJsonArray("users").getValuesAs(JsonString.class).forEach(u -> users.add(u.getString()));
            Set<DistributedFd> fds = new HashSet<>();
            o.getJsonArray("fds").getValuesAs(JsonString.class).forEach(fd -> fds.add(DistributedFd.parse(fd.getString())));
            return new Excluded(users, fds);
        }
    }
}
