package io.distws.core;

import io.distws.api.MessageTooLargeException;
import io.distws.api.OverloadedException;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distws.api.Message;
import io.distws.api.StreamPosition;
import io.distws.spi.Transport;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

class OutboxTest {

    private static final int MAX_CHARS = 64 << 20;
    private final PacketCodec codec = new PacketCodec(MAX_CHARS);
    private final NodeStats stats = new NodeStats();

    /** Takes every packet at once, or holds each until {@link #release} when {@code hold} is set. */
    static final class RecordingTransport implements Transport {
        final List<String> packets = new ArrayList<>();
        final List<CompletableFuture<Boolean>> held = new ArrayList<>();
        volatile boolean hold;
        volatile boolean destinationThere = true;

        @Override
        public void start(String nodeId, Inbound inbound) {
        }

        @Override
        public synchronized CompletionStage<Boolean> send(String nodeId, String packet) {
            packets.add(packet);
            if (!hold) {
                return CompletableFuture.completedFuture(destinationThere);
            }
            CompletableFuture<Boolean> f = new CompletableFuture<>();
            held.add(f);
            return f;
        }

        void release() {
            List<CompletableFuture<Boolean>> now;
            synchronized (this) {
                now = new ArrayList<>(held);
                held.clear();
            }
            now.forEach(f -> f.complete(true));
        }

        @Override
        public void close() {
        }
    }

    /** Fills the outbox of a held transport: one envelope in flight, {@link Outbox#MAX_PENDING} waiting behind it. */
    private static List<CompletableFuture<Boolean>> fill(Outbox outbox) {
        List<CompletableFuture<Boolean>> accepted = new ArrayList<>();
        for (int i = 0; i <= Outbox.MAX_PENDING; i++) {
            accepted.add(outbox.submit(Envelope.to(new long[] {1}, Message.text("m" + i))));
        }
        return accepted;
    }

    private List<Packet> decoded(RecordingTransport transport) throws MalformedPacketException {
        List<Packet> packets = new ArrayList<>();
        synchronized (transport) {
            for (String p : transport.packets) {
                packets.add(codec.decode(p));
            }
        }
        return packets;
    }

    @Test
    void numbersItsPacketsFromOneInItsStream() throws Exception {
        RecordingTransport transport = new RecordingTransport();
        Outbox outbox = new Outbox("a:1", "b:1", 7, transport, codec, stats, gone -> { });

        for (int i = 0; i < 3; i++) {
            outbox.submit(Envelope.to(new long[] {1}, Message.text("m" + i))).join();
        }

        List<Packet> packets = decoded(transport);
        assertEquals(List.of(1L, 2L, 3L), packets.stream().map(Packet::seq).toList());
        assertEquals(List.of(7L, 7L, 7L), packets.stream().map(Packet::stream).toList());
    }

    @Test
    void numbersABatchOfEnvelopesSentTogetherAsOnePacket() throws Exception {
        RecordingTransport transport = new RecordingTransport();
        transport.hold = true;
        Outbox outbox = new Outbox("a:1", "b:1", 1, transport, codec, stats, gone -> { });
        List<CompletableFuture<Boolean>> accepted = new ArrayList<>();

        accepted.add(outbox.submit(Envelope.to(new long[] {1}, Message.text("first"))));
        accepted.add(outbox.submit(Envelope.to(new long[] {1}, Message.text("second"))));
        accepted.add(outbox.submit(Envelope.to(new long[] {1}, Message.text("third"))));
        transport.hold = false;
        transport.release();
        accepted.forEach(CompletableFuture::join);

        List<Packet> packets = decoded(transport);
        assertEquals(List.of(1L, 2L), packets.stream().map(Packet::seq).toList());
        assertEquals(2, packets.get(1).envelopes().size());
    }

    @Test
    void splitsABacklogIntoPacketsTheReceiverAccepts() throws Exception {
        PacketCodec small = new PacketCodec(4096);
        RecordingTransport transport = new RecordingTransport();
        transport.hold = true;
        Outbox outbox = new Outbox("a:1", "b:1", 1, transport, small, stats, gone -> { });
        List<CompletableFuture<Boolean>> accepted = new ArrayList<>();
        List<Message> sent = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            // Each well under the limit, all together far over it; quotes and non-ASCII grow when encoded.
            Message m = Message.text(i + " \"é\" " + "x".repeat(300));
            sent.add(m);
            accepted.add(outbox.submit(Envelope.to(new long[] {1}, m)));
        }
        transport.hold = false;
        transport.release();
        accepted.forEach(CompletableFuture::join);

        List<Message> received = new ArrayList<>();
        synchronized (transport) {
            assertTrue(transport.packets.size() > 2, transport.packets.size() + " packets");
            for (String packet : transport.packets) {
                assertTrue(packet.getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= 4096);
                small.decode(packet).envelopes().forEach(e -> received.add(((Envelope.Delivery) e).message()));
            }
        }
        assertEquals(sent, received);
    }

    @Test
    void failsAMessageTooLargeForAnyPacketWithoutSendingIt() {
        PacketCodec small = new PacketCodec(4096);
        RecordingTransport transport = new RecordingTransport();
        Outbox outbox = new Outbox("a:1", "b:1", 1, transport, small, stats, gone -> { });

        CompletableFuture<Boolean> accepted = outbox.submit(Envelope.toAll(Message.text("x".repeat(5000))));

        Exception e = assertThrows(Exception.class, accepted::join);
        assertInstanceOf(MessageTooLargeException.class, e.getCause());
        assertEquals(List.of(), transport.packets);
        assertTrue(outbox.submit(Envelope.toAll(Message.text("small"))).join());
    }

    @Test
    void refusesAsOverloadedWhatComesOnceItsBacklogIsFullAndTakesMessagesAgainWhenRedisCatchesUp() {
        RecordingTransport transport = new RecordingTransport();
        transport.hold = true;
        Outbox outbox = new Outbox("a:1", "b:1", 1, transport, codec, stats, gone -> { });
        List<CompletableFuture<Boolean>> accepted = fill(outbox);

        CompletableFuture<Boolean> refused = outbox.submit(Envelope.to(new long[] {1}, Message.text("one more")));

        Exception e = assertThrows(Exception.class, refused::join);
        assertInstanceOf(OverloadedException.class, e.getCause());
        transport.hold = false;
        transport.release();
        accepted.forEach(a -> assertTrue(a.join()));
        assertTrue(outbox.submit(Envelope.to(new long[] {1}, Message.text("after"))).join());
    }

    @Test
    void takesAMessageRecordedInAStreamPastAFullBacklogForItsRefusalCameBeforeItsAppend() throws Exception {
        RecordingTransport transport = new RecordingTransport();
        transport.hold = true;
        Outbox outbox = new Outbox("a:1", "b:1", 1, transport, codec, stats, gone -> { });
        List<CompletableFuture<Boolean>> accepted = fill(outbox);
        Mark mark = new Mark("user:bob", new StreamPosition(7, "e1"));

        CompletableFuture<Boolean> recorded = outbox.submit(
                new Envelope.Delivery(new long[] {1}, null, Except.NONE, Message.text("recorded"), mark));
        CompletableFuture<Boolean> unrecorded = outbox.submit(Envelope.to(new long[] {1}, Message.text("unrecorded")));

        assertInstanceOf(OverloadedException.class, assertThrows(Exception.class, unrecorded::join).getCause());
        assertInstanceOf(OverloadedException.class, outbox.full(), "still full for the next message's check");
        transport.hold = false;
        transport.release();
        accepted.forEach(a -> assertTrue(a.join()));
        assertTrue(recorded.join());
        List<Envelope> last = decoded(transport).get(decoded(transport).size() - 1).envelopes();
        Envelope.Delivery delivered = (Envelope.Delivery) last.get(last.size() - 1);
        assertEquals("recorded", delivered.message().text());
        assertEquals(mark, delivered.mark());
    }

    @Test
    void capsPacketsAtAMegabyteWhateverTheReceiverAccepts() throws Exception {
        RecordingTransport transport = new RecordingTransport();
        transport.hold = true;
        Outbox outbox = new Outbox("a:1", "b:1", 1, transport, codec, stats, gone -> { });
        List<CompletableFuture<Boolean>> accepted = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            accepted.add(outbox.submit(Envelope.toAll(Message.text("y".repeat(200_000)))));
        }
        transport.hold = false;
        transport.release();
        accepted.forEach(CompletableFuture::join);

        synchronized (transport) {
            for (String packet : transport.packets) {
                assertTrue(packet.length() <= Outbox.MAX_PACKET_BYTES, packet.length() + " chars");
            }
        }
        assertTrue(outbox.submit(Envelope.toAll(Message.text("z".repeat(Outbox.MAX_PACKET_BYTES))))
                .isCompletedExceptionally());
    }

    @Test
    void retiresOnceTheDestinationIsNotThereAndNothingIsLeft() {
        RecordingTransport transport = new RecordingTransport();
        transport.destinationThere = false;
        List<Outbox> retired = new ArrayList<>();
        Outbox outbox = new Outbox("a:1", "ghost:1", 1, transport, codec, stats, retired::add);

        assertEquals(false, outbox.submit(Envelope.toAll(Message.text("anyone?"))).join());
        assertEquals(List.of(outbox), retired);

        transport.destinationThere = true;
        assertEquals(false, outbox.submit(Envelope.toAll(Message.text("later"))).join());
        assertEquals(1, transport.packets.size());
    }

    @Test
    void staysWhileTheDestinationTakesPackets() {
        RecordingTransport transport = new RecordingTransport();
        List<Outbox> retired = new ArrayList<>();
        Outbox outbox = new Outbox("a:1", "b:1", 1, transport, codec, stats, retired::add);

        assertTrue(outbox.submit(Envelope.toAll(Message.text("hi"))).join());
        assertEquals(List.of(), retired);
    }
}
