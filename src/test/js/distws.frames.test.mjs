// distws.js against a scripted server (no cluster needed): the test plays the server's frames, including those a
// given server version may not send yet ("position" before a binary message of a stream) and failures that a
// healthy cluster does not produce (duplicates, lost messages).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DistwsClient } from '../../main/webapp/distws.js';

const WAIT_MS = 5_000;

/** A WebSocket played by the test: `sent` holds the client's frames, `receive` delivers a server frame. */
class ScriptedSocket extends EventTarget {
  static opened = [];
  static waiting = null;

  constructor(url) {
    super();
    this.url = new URL(url);
    this.sent = [];
    this.readyState = 0;
    ScriptedSocket.opened.push(this);
    queueMicrotask(() => {
      this.readyState = 1;
      this.dispatchEvent(new Event('open'));
      ScriptedSocket.waiting?.(this);
    });
  }

  /** The next socket the client opens (once open). */
  static next() {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no new socket')), WAIT_MS);
      ScriptedSocket.waiting = (socket) => { clearTimeout(timer); ScriptedSocket.waiting = null; resolve(socket); };
    });
  }

  send(text) { this.sent.push(JSON.parse(text)); }

  close(code = 1000, reason = '') {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.dispatchEvent(Object.assign(new Event('close'), { code, reason }));
  }

  receive(frame) {
    const data = frame instanceof ArrayBuffer ? frame : JSON.stringify(frame);
    this.dispatchEvent(Object.assign(new Event('message'), { data }));
  }
}

const bytes = (text) => new TextEncoder().encode(text).buffer;

function scriptedClient() {
  const client = new DistwsClient('ws://server.test/ws', { uid: 'u', WebSocket: ScriptedSocket,
    backoff: { initial: 1, jitter: 0 }, ackTimeout: WAIT_MS });
  const events = [];
  for (const type of ['message', 'recovered', 'notRecovered', 'lost', 'joined']) {
    client.on(type, (detail) => events.push({ type, ...detail }));
  }
  return { client, events };
}

test('a binary message takes its stream position from the "position" frame before it; duplicates are dropped', async () => {
  const { client, events } = scriptedClient();
  const opened = ScriptedSocket.next();
  const connected = client.connect();
  const socket = await opened;
  socket.receive({ type: 'welcome', uid: 'u', fd: 'n-1', node: 'n', offset: 5, epoch: 'e' });
  await connected;

  const joined = client.join('r');
  const join = socket.sent.at(-1);
  assert.deepEqual(join, { type: 'join', room: 'r', id: join.id });
  socket.receive({ type: 'joined', room: 'r', uid: 'u', id: join.id, offset: 40, epoch: 'x' });
  assert.deepEqual(await joined, { room: 'r', offset: 40, epoch: 'x' });

  socket.receive({ type: 'position', offset: 6, epoch: 'e' });
  socket.receive(bytes('to me'));
  socket.receive({ type: 'position', room: 'r', offset: 41, epoch: 'x' });
  socket.receive(bytes('to the room'));
  socket.receive(bytes('a broadcast: no position'));
  socket.receive({ type: 'message', from: 'v', data: 'again', offset: 6, epoch: 'e' }); // a duplicate
  socket.receive({ type: 'message', from: 'v', room: 'r', data: 'next', offset: 42, epoch: 'x' });

  const messages = events.filter((e) => e.type === 'message')
    .map(({ room, offset, epoch, binary, data }) => [room, offset, epoch, binary, binary ? new TextDecoder().decode(data) : data]);
  assert.deepEqual(messages, [
    [null, 6, 'e', true, 'to me'],
    ['r', 41, 'x', true, 'to the room'],
    [null, null, null, true, 'a broadcast: no position'],
    ['r', 42, 'x', false, 'next'],
  ]);

  // The reconnect asks for what came after the last positions, binary messages included.
  const reopened = ScriptedSocket.next();
  socket.close(1012, 'restart');
  const again = await reopened;
  assert.equal(again.url.searchParams.get('since'), '6');
  assert.equal(again.url.searchParams.get('epoch'), 'e');
  again.receive({ type: 'welcome', uid: 'u', fd: 'n-2', node: 'n', offset: 8, epoch: 'e', recovered: true });
  const rejoin = again.sent.find((f) => f.type === 'join');
  assert.deepEqual(rejoin, { type: 'join', room: 'r', id: rejoin.id, since: 42, epoch: 'x' });
  again.receive({ type: 'position', offset: 7, epoch: 'e' });
  again.receive(bytes('missed, binary'));
  again.receive({ type: 'message', from: 'v', data: 'missed, text', offset: 8, epoch: 'e' });
  again.receive({ type: 'joined', room: 'r', uid: 'u', id: rejoin.id, offset: 42, epoch: 'x', recovered: true });
  assert.deepEqual(events.filter((e) => e.type === 'recovered'), [
    { type: 'recovered', room: null, count: 2, expected: 2 },
    { type: 'recovered', room: 'r', count: 0, expected: 0 },
  ]);
  assert.deepEqual(events.filter((e) => e.type === 'message').slice(4).map((m) => [m.offset, m.recovered]),
    [[7, true], [8, true]]);
  client.close();
});

test('text that is not JSON (sent over REST) is a message, positioned by the frame before it', async () => {
  const { client, events } = scriptedClient();
  const opened = ScriptedSocket.next();
  const connected = client.connect();
  const socket = await opened;
  socket.receive({ type: 'welcome', uid: 'u', fd: 'n-1', node: 'n', offset: 2, epoch: 'e' });
  await connected;
  const raw = (text) => socket.dispatchEvent(Object.assign(new Event('message'), { data: text }));

  socket.receive({ type: 'position', offset: 3, epoch: 'e' });
  raw('over http');
  raw('no history: as it is');

  assert.deepEqual(events.filter((e) => e.type === 'message').map(({ offset, binary, data }) => [offset, binary, data]),
    [[3, false, 'over http'], [null, false, 'no history: as it is']]);
  const reopened = ScriptedSocket.next();
  socket.close(1012, 'restart');
  assert.equal((await reopened).url.searchParams.get('since'), '3');
  client.close();
});

test('lost and notRecovered move the position on; the next reconnect goes on from there', async () => {
  const { client, events } = scriptedClient();
  const opened = ScriptedSocket.next();
  client.connect();
  const socket = await opened;
  socket.receive({ type: 'welcome', uid: 'u', fd: 'n-1', node: 'n', offset: 3, epoch: 'e' });
  socket.receive({ type: 'error', code: 'lost', message: 'gone', offset: 20, epoch: 'e' });
  assert.deepEqual(events.at(-1), { type: 'lost', room: null, offset: 20, epoch: 'e', message: 'gone' });

  let reopened = ScriptedSocket.next();
  socket.close(1001, 'going away');
  let again = await reopened;
  assert.equal(again.url.searchParams.get('since'), '20');
  again.receive({ type: 'welcome', uid: 'u', fd: 'n-2', node: 'n', offset: 2, epoch: 'f', recovered: false });
  assert.deepEqual(events.at(-1), { type: 'notRecovered', room: null });

  reopened = ScriptedSocket.next();
  again.close(1006, '');
  again = await reopened;
  assert.deepEqual([again.url.searchParams.get('since'), again.url.searchParams.get('epoch')], ['2', 'f']);
  client.close();
});

test('position events follow the welcome, joins, messages and lost; recovered tells how many were announced', async () => {
  const { client, events } = scriptedClient();
  const positions = [];
  client.on('position', (p) => positions.push(p));
  const opened = ScriptedSocket.next();
  client.connect();
  const socket = await opened;
  socket.receive({ type: 'welcome', uid: 'u', fd: 'n-1', node: 'n', offset: 3, epoch: 'e' });
  const joined = client.join('r');
  const join = socket.sent.at(-1);
  socket.receive({ type: 'joined', room: 'r', uid: 'u', id: join.id, offset: 10, epoch: 'x' });
  await joined;
  socket.receive({ type: 'message', from: 'v', data: 'a', offset: 4, epoch: 'e' });
  socket.receive({ type: 'message', from: 'v', data: 'a', offset: 4, epoch: 'e' }); // a duplicate: no event
  socket.receive({ type: 'message', from: 'v', room: 'other', data: 'b', offset: 7, epoch: 'y' }); // not a room of ours
  socket.receive({ type: 'message', from: 'v', data: 'broadcast' }); // no position
  socket.receive({ type: 'error', code: 'lost', room: 'r', message: 'gone', offset: 12, epoch: 'x' });
  assert.deepEqual(positions, [
    { room: null, offset: 3, epoch: 'e' },
    { room: 'r', offset: 10, epoch: 'x' },
    { room: null, offset: 4, epoch: 'e' },
    { room: 'r', offset: 12, epoch: 'x' },
  ]);

  // A recovery of 3 announced messages of which the second never comes: counted 2, expected 3.
  const reopened = ScriptedSocket.next();
  socket.close(1006, '');
  const again = await reopened;
  again.receive({ type: 'welcome', uid: 'u', fd: 'n-2', node: 'n', offset: 7, epoch: 'e', recovered: true });
  again.receive({ type: 'message', from: 'v', data: 'm5', offset: 5, epoch: 'e' });
  again.receive({ type: 'message', from: 'v', data: 'm7', offset: 7, epoch: 'e' });
  assert.deepEqual(events.filter((e) => e.type === 'recovered'), [{ type: 'recovered', room: null, count: 2, expected: 3 }]);
  assert.deepEqual(positions.slice(4).filter((p) => p.room === null).map((p) => p.offset), [5, 7]);
  client.close();
});
