package io.distws.bench;

/** Sleeping for pacing and settling, where an interrupt just ends the wait early. */
final class Sleep {

    private Sleep() {
    }

    static void millis(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
