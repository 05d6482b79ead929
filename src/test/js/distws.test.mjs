// distws.js against a running two-node cluster in development mode (?uid=). Run with
//   node --experimental-websocket --test src/test/js/        (Node 20; Node 22 has WebSocket without the flag)
// The node URLs come from DISTWS_NODE1 / DISTWS_NODE2 (default ws://127.0.0.1:24080/ws and :24081). Every test uses
// its own user ids and room names, so the suite can share a cluster with other tests. Every wait is bounded.
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DistwsClient, DistwsError } from '../../main/webapp/distws.js';

const NODE1 = process.env.DISTWS_NODE1 ?? 'ws://127.0.0.1:24080/ws';
const NODE2 = process.env.DISTWS_NODE2 ?? 'ws://127.0.0.1:24081/ws';
const WAIT_MS = 10_000;
const TEST = { timeout: 60_000 };

const suffix = () => Math.random().toString(36).slice(2, 10);
const unique = (name) => `${name}-${suffix()}`;

/** The REST API of the node that serves a /ws URL. */
const api = (wsUrl) => {
  const url = new URL(wsUrl);
  url.protocol = url.protocol === 'wss:' ? 'https:' : 'http:';
  url.pathname = '/api';
  url.search = '';
  return url.href;
};

async function disconnect(uid, code) {
  const response = await fetch(`${api(NODE2)}/users/${encodeURIComponent(uid)}/disconnect?code=${code}&reason=test`,
    { method: 'POST', signal: AbortSignal.timeout(WAIT_MS) });
  assert.equal(response.status, 202, `disconnect ${uid}: ${await response.text()}`);
}

const clients = [];
afterEach(() => { for (const client of clients.splice(0)) client.close(); });

function client(url, uid, options = {}) {
  const c = new DistwsClient(url, { uid, backoff: { initial: 50, max: 500 }, ackTimeout: WAIT_MS, ...options });
  clients.push(c);
  return c;
}

async function connected(url, uid, options) {
  const c = client(url, uid, options);
  await c.connect();
  return c;
}

/** The next `type` event that satisfies `predicate`; listen before causing it. */
function next(c, type, predicate = () => true, ms = WAIT_MS) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { off(); reject(new Error(`no ${type} event within ${ms} ms`)); }, ms);
    const off = c.on(type, (detail) => {
      if (!predicate(detail)) return;
      clearTimeout(timer);
      off();
      resolve(detail);
    });
  });
}

/** Records every `type` event in an array; its `until(n)` waits for the n-th. */
function record(c, type) {
  const seen = [];
  let wake = () => {};
  c.on(type, (detail) => { seen.push(detail); wake(); });
  const until = (n, ms = WAIT_MS) => new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${seen.length} of ${n} ${type} events within ${ms} ms: ${
      JSON.stringify(seen)}`)), ms);
    wake = () => { if (seen.length >= n) { clearTimeout(timer); resolve(seen); } };
    wake();
  });
  Object.defineProperty(seen, 'until', { value: until }); // not enumerable: deepEqual compares the events only
  return seen;
}

/**
 * Sends to a user whose client is disconnected: answered `offline` once the server has removed the connection (the
 * message is kept in the user's stream all the same), or acknowledged while the closing connection still counts.
 */
async function sendMissed(sender, to, data) {
  try {
    await sender.send(to, data);
  } catch (e) {
    assert.equal(e.code, 'offline', e.message);
  }
}

/** A WebSocket whose connections fail while `blocked` (they go to a closed port), and whose sends can be muted. */
function controllableWebSocket() {
  const control = { blocked: false, muted: false };
  control.WebSocket = class extends WebSocket {
    constructor(url) { super(control.blocked ? 'ws://127.0.0.1:1/ws' : url); }
    send(data) { if (!control.muted) super.send(data); }
  };
  return control;
}

describe('connecting', () => {
  test('connect resolves with the welcome, and the state goes connecting -> connected', TEST, async () => {
    const uid = unique('ann');
    const c = client(NODE1, uid);
    const states = record(c, 'state');
    const session = await c.connect();
    assert.equal(session.uid, uid);
    assert.equal(typeof session.node, 'string');
    assert.match(session.fd, /.+-\d+$/);
    assert.deepEqual(states.map((s) => s.state), ['connecting', 'connected']);
    assert.equal(c.state, 'connected');
    assert.equal(await c.connect(), session, 'connect() while connected changes nothing');
    c.close();
    assert.equal(c.state, 'closed');
  });

  test('a server close with 1008 is final: no reconnect, waiting requests rejected with closed', TEST, async () => {
    const uid = unique('kicked');
    const control = controllableWebSocket();
    const c = await connected(NODE1, uid, { WebSocket: control.WebSocket });
    const states = record(c, 'state');
    control.muted = true; // the request below stays unanswered
    const pending = assert.rejects(c.send(unique('nobody'), 'x'), (e) => e instanceof DistwsError && e.code === 'closed');
    const closed = next(c, 'state', (s) => s.state === 'closed');
    await disconnect(uid, 1008);
    assert.equal((await closed).code, 1008);
    await pending;
    assert.ok(!states.some((s) => s.state === 'reconnecting'), JSON.stringify(states));
  });
});

describe('messages', () => {
  test('send to a user on the other node: ack routed 1, the receiver gets the message with its position', TEST, async () => {
    const [a, b] = [unique('alice'), unique('bob')];
    const alice = await connected(NODE1, a);
    const bob = await connected(NODE2, b);
    const got = next(bob, 'message');
    assert.deepEqual(await alice.send(b, { text: 'hello' }), { routed: 1 });
    const message = await got;
    assert.equal(message.from, a);
    assert.equal(message.room, null);
    assert.deepEqual(message.data, { text: 'hello' });
    assert.equal(message.binary, false);
    assert.equal(message.recovered, false);
    assert.ok(Number.isSafeInteger(message.offset) && message.offset > 0, `offset ${message.offset}`);
    assert.equal(typeof message.epoch, 'string');
  });

  test('sendMulti and broadcast resolve with the routed count; a binary send arrives as bytes', TEST, async () => {
    const [a, b] = [unique('alice'), unique('bob')];
    const alice = await connected(NODE1, a);
    const bob = await connected(NODE2, b);
    const messages = record(bob, 'message');
    assert.deepEqual(await alice.sendMulti([b, unique('offline')], 'to many'), { routed: 1 });
    await alice.send(b, 'bytes é', { binary: true });
    await alice.send(b, new TextEncoder().encode('from a Uint8Array'), { binary: true });
    await messages.until(3);
    assert.equal(messages[0].data, 'to many');
    assert.equal(messages[1].binary, true);
    assert.ok(messages[1].data instanceof ArrayBuffer);
    assert.equal(new TextDecoder().decode(messages[1].data), 'bytes é');
    assert.equal(new TextDecoder().decode(messages[2].data), 'from a Uint8Array');
    // The routed count of a broadcast counts remote connections as of the nodes' last heartbeats: not checked.
    const { routed } = await alice.broadcast('to all', { except: [a] });
    assert.ok(Number.isSafeInteger(routed), `routed ${routed}`);
    await messages.until(4);
    assert.deepEqual(messages[3].data, 'to all');
  });

  test('server errors reject with their code; bad arguments reject with a TypeError', TEST, async () => {
    const alice = await connected(NODE1, unique('alice'));
    await assert.rejects(alice.send(unique('nobody'), 'x'), (e) => e instanceof DistwsError && e.code === 'offline');
    await assert.rejects(alice.publish(unique('room'), 'x'), (e) => e.code === 'forbidden');
    await assert.rejects(alice.presence(unique('room')), (e) => e.code === 'forbidden');
    await assert.rejects(alice.join('no{braces}'), (e) => e.code === 'bad_request');
    assert.deepEqual(alice.rooms, [], 'a refused join is not kept');
    await assert.rejects(alice.send('', 'x'), TypeError);
    await assert.rejects(alice.send('bob'), TypeError);
    await assert.rejects(alice.send('bob', new Uint8Array([0xff]), { binary: true }), TypeError);
    assert.equal(alice.state, 'connected', 'errors leave the connection open');
  });

  test('a request without an answer rejects with timeout after ackTimeout', TEST, async () => {
    const control = controllableWebSocket();
    const alice = await connected(NODE1, unique('alice'), { WebSocket: control.WebSocket, ackTimeout: 300 });
    control.muted = true;
    const started = Date.now();
    await assert.rejects(alice.send(unique('bob'), 'x'), (e) => e instanceof DistwsError && e.code === 'timeout');
    assert.ok(Date.now() - started >= 290, `rejected after ${Date.now() - started} ms`);
  });
});

describe('rooms', () => {
  test('join, joined and left events, publish, presence, leave', TEST, async () => {
    const [a, b, room] = [unique('alice'), unique('bob'), unique('room')];
    const alice = await connected(NODE1, a);
    const bob = await connected(NODE2, b);
    const joined = await alice.join(room);
    assert.equal(joined.room, room);
    assert.ok(Number.isSafeInteger(joined.offset), JSON.stringify(joined));
    const bobJoined = next(alice, 'joined', (e) => e.uid === b);
    const ownJoin = next(bob, 'joined', (e) => e.self);
    await bob.join(room);
    assert.deepEqual(await bobJoined, { room, uid: b, self: false });
    assert.deepEqual(await ownJoin, { room, uid: b, self: true });
    assert.deepEqual(bob.rooms, [room]);

    const got = next(alice, 'message', (m) => m.room === room);
    assert.deepEqual(await bob.publish(room, { n: 1 }), { routed: 1 }, 'every member connection but the sender');
    const message = await got;
    assert.equal(message.from, b);
    assert.deepEqual(message.data, { n: 1 });
    assert.equal(message.offset, joined.offset + 1);

    const presence = await alice.presence(room);
    assert.deepEqual(presence.users.toSorted(), [a, b].toSorted());
    assert.equal(presence.connections, 2);
    assert.equal(presence.complete, true);

    const bobLeft = next(alice, 'left', (e) => e.uid === b);
    assert.deepEqual(await bob.leave(room), { room });
    assert.deepEqual(await bobLeft, { room, uid: b, self: false });
    assert.deepEqual(bob.rooms, []);
    await assert.rejects(bob.publish(room, 'x'), (e) => e.code === 'forbidden');
  });

  test('a publish right after join() (not awaited) is accepted: the client holds it until joined', TEST, async () => {
    const [a, b, room] = [unique('alice'), unique('bob'), unique('room')];
    const alice = await connected(NODE1, a);
    await alice.join(room);
    const bob = await connected(NODE2, b);
    const got = next(alice, 'message', (m) => m.room === room);
    const join = bob.join(room);
    assert.deepEqual(await bob.publish(room, 'at once'), { routed: 1 });
    await join;
    assert.equal((await got).data, 'at once');
  });
});

describe('reconnecting', () => {
  test('after the server drops the connection: back-off, recovery of missed messages in order, rooms re-joined', TEST, async () => {
    const [c, d, room] = [unique('carol'), unique('dave'), unique('room')];
    const control = controllableWebSocket();
    const carol = await connected(NODE1, c, { WebSocket: control.WebSocket, backoff: { initial: 20, max: 200, jitter: 0 } });
    await carol.join(room);
    const dave = await connected(NODE2, d);
    await dave.join(room);
    const messages = record(carol, 'message');
    const recoveries = record(carol, 'recovered');
    const states = record(carol, 'state');
    const lost = record(carol, 'notRecovered');

    await dave.send(c, 'live 1');
    await dave.publish(room, 'live room 1');
    await messages.until(2);

    // The server drops carol; her reconnects fail (back-off) until she is let through.
    control.blocked = true;
    const dropped = next(carol, 'state', (s) => s.state === 'reconnecting');
    const thirdAttempt = next(carol, 'state', (s) => s.state === 'reconnecting' && s.attempt === 3);
    await disconnect(c, 1012);
    await dropped; // from now on carol's old connection is ignored: whatever it still gets must be recovered
    for (const text of ['missed 1', 'missed 2', 'missed 3']) await sendMissed(dave, c, text);
    await dave.publish(room, 'missed room 1');
    await dave.publish(room, 'missed room 2');
    await thirdAttempt;
    const waits = states.filter((s) => s.state === 'reconnecting').map((s) => s.delay);
    assert.deepEqual(waits.slice(0, 3), [20, 40, 80], 'exponential back-off without jitter');
    assert.equal(states.find((s) => s.state === 'reconnecting').code, 1012);

    const reconnected = next(carol, 'state', (s) => s.state === 'connected');
    control.blocked = false;
    await reconnected;
    await recoveries.until(2);
    // The user stream's missed messages follow the welcome; the room's follow the answer to the re-join.
    assert.deepEqual(recoveries, [{ room: null, count: 3, expected: 3 }, { room, count: 2, expected: 2 }]);
    await messages.until(7);
    assert.deepEqual(lost, []);

    // The room was re-joined: live messages of both streams arrive again.
    await dave.publish(room, 'live room 2');
    await dave.send(c, 'live 2');
    await messages.until(9);
    const mine = messages.filter((m) => m.room === null).map((m) => m.data);
    const ofRoom = messages.filter((m) => m.room === room).map((m) => m.data);
    assert.deepEqual(mine, ['live 1', 'missed 1', 'missed 2', 'missed 3', 'live 2'], 'in order, once');
    assert.deepEqual(ofRoom, ['live room 1', 'missed room 1', 'missed room 2', 'live room 2'], 'in order, once');
    assert.deepEqual(messages.map((m) => m.recovered), [false, false, true, true, true, true, true, false, false]);
    for (const stream of [null, room]) {
      const offsets = messages.filter((m) => m.room === stream).map((m) => m.offset);
      offsets.forEach((o, i) => i === 0 || assert.equal(o, offsets[i - 1] + 1, `consecutive offsets: ${offsets}`));
    }
    assert.deepEqual((await carol.presence(room)).users.toSorted(), [c, d].toSorted());
  });

  test('a request sent before the connection dropped rejects with disconnected; one made meanwhile goes after', TEST, async () => {
    const [c, d] = [unique('carol'), unique('dave')];
    const control = controllableWebSocket();
    const carol = await connected(NODE1, c, { WebSocket: control.WebSocket });
    const dave = await connected(NODE2, d);
    const got = next(dave, 'message');
    control.muted = true;
    const unanswered = assert.rejects(carol.send(d, 'never sent'), (e) => e.code === 'disconnected');
    const dropped = next(carol, 'state', (s) => s.state === 'reconnecting');
    await disconnect(c, 1012);
    await dropped;
    control.muted = false;
    await unanswered;
    const queued = carol.send(d, 'sent on reconnect'); // made while reconnecting
    assert.deepEqual(await queued, { routed: 1 });
    assert.equal((await got).data, 'sent on reconnect');
  });

  test('close() then connect() resumes from the positions', TEST, async () => {
    const [c, d] = [unique('carol'), unique('dave')];
    const carol = await connected(NODE1, c);
    const dave = await connected(NODE2, d);
    const messages = record(carol, 'message');
    await dave.send(c, 'before');
    await messages.until(1);
    carol.close();
    await sendMissed(dave, c, 'while closed');
    const recovered = next(carol, 'recovered', (r) => r.room === null);
    await carol.connect();
    assert.deepEqual(await recovered, { room: null, count: 1, expected: 1 });
    assert.deepEqual(messages.map((m) => [m.data, m.recovered]), [['before', false], ['while closed', true]]);
  });
});
