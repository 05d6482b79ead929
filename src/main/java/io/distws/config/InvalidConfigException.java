package io.distws.config;

import java.util.List;

/** Thrown at start-up when configuration values are invalid; the message names every bad key and what it accepts. */
public class InvalidConfigException extends RuntimeException {

    private final List<String> problems;

    public InvalidConfigException(List<String> problems) {
        super("Invalid distribute-ws configuration: " + String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    /** One entry per bad key, each naming the key, the value and the accepted values. */
    public List<String> problems() {
        return problems;
    }
}
