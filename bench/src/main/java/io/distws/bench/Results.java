package io.distws.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Everything one suite run measured, per driver, for the report. */
final class Results {

    /** One step of a throughput run. */
    record Step(double rate, boolean passed, Unicast.Result result) {
    }

    /** One stepped throughput run: its steps and the highest passing rate (0: none passed). */
    record Throughput(List<Step> steps, double best) {
    }

    /** What one driver's cluster session measured. */
    static final class Session {
        final String driver;
        final List<RedisFloor.Result> floor = new ArrayList<>();
        final Map<Integer, List<Unicast.Result>> unicast = new LinkedHashMap<>();
        final List<Throughput> throughput = new ArrayList<>();
        final List<Unicast.Result> flood = new ArrayList<>();
        final Map<String, List<FanOut.Result>> fanOut = new LinkedHashMap<>();
        final List<Connections.Result> connections = new ArrayList<>();
        final List<String> notes = new ArrayList<>();

        Session(String driver) {
            this.driver = driver;
        }
    }

    final List<Session> sessions = new ArrayList<>();
    final List<String> loadSamples = new ArrayList<>();
    final List<String> profiling = new ArrayList<>();
    long startedMillis = System.currentTimeMillis();
    long endedMillis;
}
