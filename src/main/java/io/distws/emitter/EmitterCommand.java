package io.distws.emitter;

import io.distws.api.Message;
import io.distws.config.DistwsConfig;
import io.distws.config.InvalidConfigException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The emitter's command line, for operators and scripts:
 * {@code java -jar distribute-ws-emitter.jar emit --to alice "hello"} prints {@code routed 1} and exits with 0.
 * The configuration keys come from the options, then {@code -Ddistws.*} system properties, then {@code DISTWS_*}
 * environment variables (the names a node reads: {@code DISTWS_REDIS_ADDRESS}, {@code DISTWS_KEYS_PREFIX}), so a
 * shell with a node's environment emits into that node's cluster. Exit codes: 0 done (whatever was routed), 2 bad
 * arguments or configuration, 1 Redis unreachable or the send failed.
 */
public final class EmitterCommand {

    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int USAGE = 2;
    /** How long the command waits for Redis to take what it sends. */
    private static final long SEND_WAIT_SECONDS = 15;

    static final String USAGE_TEXT = """
            usage: emit TARGET [--binary] [CONNECTION...] [MESSAGE | -]
              TARGET, one of:
                --to UID                        every connection of the user, on every node
                --users UID,UID,...             every connection of these users
                --room ROOM [--except UID,...]  the room's members (but the excepted users)
                --all [--except UID,...]        every connection (but the excepted users)
                --disconnect UID [--code N] [--reason TEXT]   closes the user's connections (default 1008)
                --join UID --room ROOM          joins the user's connections to the room
                --leave UID --room ROOM         makes them leave the room
              MESSAGE is the text to send; '-' (or none) reads it from standard input.
                --binary                        sends the message's UTF-8 bytes as a binary frame
              CONNECTION (defaults: -Ddistws.* system properties, then DISTWS_* environment variables, as a node):
                --redis URL                     distws.redis.address (redis://host:port, rediss://...)
                --redis-cluster URL,URL,...     distws.redis.cluster.nodes
                --redis-config FILE             distws.redis.config (a Redisson YAML)
                --driver queue|pubsub           distws.driver: the one the nodes run
                --prefix PREFIX                 distws.keys.prefix
                --history-size N                distws.history.size: the one the nodes run
                --set KEY=VALUE                 any other configuration key of a node
                --verbose                       logs what the emitter does
              Prints "routed N" (the connections reached) and exits with 0; 2 on bad arguments, 1 when Redis cannot
              be reached or does not take the message.""";

    /**
     * Redisson's loggers (its configuration warns of deprecated settings under the name "config"), held so that their
     * level stays: the log manager keeps loggers only weakly.
     */
    private static final List<Logger> QUIET = List.of(Logger.getLogger("org.redisson"), Logger.getLogger("config"));

    private EmitterCommand() {
    }

    public static void main(String[] args) {
        List<String> list = Arrays.asList(args);
        if (!list.contains("--verbose")) {
            // Redisson and the node log at INFO, and Redisson warns of its own deprecated settings; a script wants only
            // the result, the node's warnings and an error message that says what failed (printed below).
            Logger.getLogger("").setLevel(Level.WARNING);
            QUIET.forEach(logger -> logger.setLevel(Level.SEVERE));
            for (var handler : Logger.getLogger("").getHandlers()) {
                handler.setLevel(Level.WARNING);
            }
        }
        System.exit(run(list, System.getenv(), System.in, System.out, System.err));
    }

    /** What a parsed command line asks for. */
    private enum Action { USER, USERS, ROOM, ALL, DISCONNECT, JOIN, LEAVE }

    /**
     * Runs one command line.
     *
     * @param env where {@code DISTWS_*} defaults come from (the process's environment)
     * @return the exit code
     */
    public static int run(List<String> args, Map<String, String> env, InputStream in, PrintStream out,
                          PrintStream err) {
        if (args.isEmpty() || List.of("help", "-h", "--help").contains(args.get(0))) {
            (args.isEmpty() ? err : out).println(USAGE_TEXT);
            return args.isEmpty() ? USAGE : OK;
        }
        if (!"emit".equals(args.get(0))) {
            err.println("emit: unknown command '" + args.get(0) + "'; expected 'emit'\n" + USAGE_TEXT);
            return USAGE;
        }
        Map<String, String> settings = new HashMap<>();
        Action action = null;
        String target = null;
        String room = null;
        List<String> except = new ArrayList<>();
        Integer code = null;
        String reason = null;
        boolean binary = false;
        List<String> positional = new ArrayList<>();
        try {
            for (int i = 1; i < args.size(); i++) {
                String arg = args.get(i);
                if (!arg.startsWith("--")) {
                    positional.add(arg);
                    continue;
                }
                switch (arg) {
                    case "--" -> {
                        positional.addAll(args.subList(i + 1, args.size()));
                        i = args.size();
                    }
                    case "--to" -> {
                        action = only(action, Action.USER, arg);
                        target = value(args, ++i, arg);
                    }
                    case "--users" -> {
                        action = only(action, Action.USERS, arg);
                        target = value(args, ++i, arg);
                    }
                    case "--all" -> action = only(action, Action.ALL, arg);
                    case "--room" -> {
                        room = value(args, ++i, arg);
                        if (action == null) {
                            action = Action.ROOM;
                        }
                    }
                    case "--except" -> except.addAll(list(value(args, ++i, arg), arg));
                    case "--disconnect" -> {
                        action = only(action == Action.ROOM ? null : action, Action.DISCONNECT, arg);
                        target = value(args, ++i, arg);
                    }
                    case "--join", "--leave" -> {
                        action = only(action == Action.ROOM ? null : action,
                                arg.equals("--join") ? Action.JOIN : Action.LEAVE, arg);
                        target = value(args, ++i, arg);
                    }
                    case "--code" -> {
                        String raw = value(args, ++i, arg);
                        try {
                            code = Integer.parseInt(raw);
                        } catch (NumberFormatException e) {
                            throw new IllegalArgumentException("--code expects a close code such as 4000, got '"
                                    + raw + "'");
                        }
                    }
                    case "--reason" -> reason = value(args, ++i, arg);
                    case "--binary" -> binary = true;
                    case "--verbose" -> { }
                    case "--help", "-h" -> {
                        out.println(USAGE_TEXT);
                        return OK;
                    }
                    case "--redis" -> settings.put(DistwsConfig.REDIS_ADDRESS, value(args, ++i, arg));
                    case "--redis-cluster" -> settings.put(DistwsConfig.REDIS_CLUSTER_NODES, value(args, ++i, arg));
                    case "--redis-config" -> settings.put(DistwsConfig.REDIS_CONFIG, value(args, ++i, arg));
                    case "--driver" -> settings.put(DistwsConfig.DRIVER, value(args, ++i, arg));
                    case "--prefix" -> settings.put(DistwsConfig.KEY_PREFIX, value(args, ++i, arg));
                    case "--history-size" -> settings.put(DistwsConfig.HISTORY_SIZE, value(args, ++i, arg));
                    case "--set" -> {
                        String pair = value(args, ++i, arg);
                        int eq = pair.indexOf('=');
                        if (eq <= 0 || !pair.startsWith("distws.")) {
                            throw new IllegalArgumentException("--set expects KEY=VALUE with a distws.* key, got '"
                                    + pair + "'");
                        }
                        settings.put(pair.substring(0, eq), pair.substring(eq + 1));
                    }
                    default -> throw new IllegalArgumentException("unknown option '" + arg + "'");
                }
            }
            if (action == null) {
                throw new IllegalArgumentException("say whom to send to: --to, --users, --room, --all, "
                        + "--disconnect, --join or --leave");
            }
            if ((action == Action.JOIN || action == Action.LEAVE) && room == null) {
                throw new IllegalArgumentException(action.name().toLowerCase(Locale.ROOT) + " needs --room ROOM");
            }
            if (!except.isEmpty() && action != Action.ROOM && action != Action.ALL) {
                throw new IllegalArgumentException("--except goes with --room or --all");
            }
            if (room != null && action != Action.ROOM && action != Action.JOIN && action != Action.LEAVE) {
                throw new IllegalArgumentException("--room goes alone, or with --join or --leave");
            }
            if ((code != null || reason != null) && action != Action.DISCONNECT) {
                throw new IllegalArgumentException("--code and --reason go with --disconnect");
            }
            boolean sends = action != Action.DISCONNECT && action != Action.JOIN && action != Action.LEAVE;
            if (!sends && (!positional.isEmpty() || binary)) {
                throw new IllegalArgumentException("--" + action.name().toLowerCase(Locale.ROOT)
                        + " sends no message: unexpected " + (binary ? "--binary" : "'" + positional.get(0) + "'"));
            }
            if (positional.size() > 1) {
                throw new IllegalArgumentException("one message at a time (quote it): unexpected '"
                        + positional.get(1) + "'");
            }
            if (target != null && target.isBlank()) {
                throw new IllegalArgumentException("an empty user id");
            }
            byte[] body = null;
            if (sends) {
                body = positional.isEmpty() || positional.get(0).equals("-") ? in.readAllBytes()
                        : positional.get(0).getBytes(StandardCharsets.UTF_8);
            }
            Function<String, Optional<String>> lookup = key -> Optional.ofNullable(settings.get(key))
                    .or(() -> Optional.ofNullable(System.getProperty(key)))
                    .or(() -> Optional.ofNullable(env.get(envName(key))));
            try (Emitter emitter = Emitter.connect(lookup)) {
                Message message = body == null ? null : binary ? Message.binary(body)
                        : emitter.message(new String(body, StandardCharsets.UTF_8));
                CompletionStage<Integer> done = switch (action) {
                    case USER -> emitter.to(target).send(message);
                    case USERS -> emitter.to(list(target, "--users")).send(message);
                    case ROOM -> emitter.toRoom(room).except(except).send(message);
                    case ALL -> emitter.toAll().except(except).send(message);
                    case DISCONNECT -> emitter.disconnect(target, code != null ? code : Emitter.DEFAULT_CLOSE_CODE,
                            reason != null ? reason : Emitter.DEFAULT_CLOSE_REASON);
                    case JOIN -> emitter.join(target, room);
                    case LEAVE -> emitter.leave(target, room);
                };
                int routed = done.toCompletableFuture().get(SEND_WAIT_SECONDS, TimeUnit.SECONDS);
                out.println("routed " + routed);
                return OK;
            }
        } catch (InvalidConfigException | IllegalArgumentException e) {
            err.println("emit: " + e.getMessage());
            return USAGE;
        } catch (IllegalStateException e) {
            err.println("emit: " + e.getMessage());
            return FAILED;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            err.println("emit: Redis did not take the message: " + cause);
            return FAILED;
        } catch (TimeoutException e) {
            err.println("emit: Redis did not take the message within " + SEND_WAIT_SECONDS + " s");
            return FAILED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("emit: interrupted");
            return FAILED;
        } catch (IOException e) {
            err.println("emit: cannot read the message from standard input: " + e.getMessage());
            return USAGE;
        }
    }

    /** The environment variable a node reads a key from: {@code distws.keys.prefix} is {@code DISTWS_KEYS_PREFIX}. */
    static String envName(String key) {
        return key.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(Locale.ROOT);
    }

    private static Action only(Action current, Action wanted, String option) {
        if (current != null && current != wanted) {
            throw new IllegalArgumentException(option + " cannot go with another target (--to, --users, --room, "
                    + "--all, --disconnect, --join, --leave)");
        }
        return wanted;
    }

    private static String value(List<String> args, int i, String option) {
        if (i >= args.size() || args.get(i).startsWith("--")) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args.get(i);
    }

    private static List<String> list(String raw, String option) {
        List<String> items = new ArrayList<>();
        for (String item : raw.split(",")) {
            if (!item.isBlank()) {
                items.add(item.trim());
            }
        }
        if (items.isEmpty()) {
            throw new IllegalArgumentException(option + " needs at least one user id");
        }
        return items;
    }
}
