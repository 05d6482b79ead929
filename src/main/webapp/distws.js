/**
 * distws.js: a client for the `/ws` protocol of distribute-ws. One ES module, no dependencies, no build step: it
 * runs in browsers (`import { DistwsClient } from '/distws.js'`) and in Node 22 (its global `WebSocket`).
 *
 * It connects with a token or (development mode) a user id, reconnects with exponential back-off and jitter, keeps
 * the position of the user's stream and of each room's, and on reconnect asks for what it missed (`?since=&epoch=`)
 * and re-joins its rooms from their positions, dropping anything it already had. Requests return promises settled by
 * the server's answer to their `id` (`ack`, `joined`, `left`, `presence`, or an `error`), or by a timeout.
 *
 * @example
 * const client = new DistwsClient('wss://chat.example/ws', { token: () => fetchToken() });
 * client.on('message', ({ from, room, data }) => console.log(from, room, data));
 * await client.connect();
 * await client.join('lobby');
 * const { routed } = await client.publish('lobby', { text: 'hi' });
 *
 * @module distws
 */

/** Close codes after which reconnecting would only repeat a refusal or undo a kick: 1008 and 4000-4999. */
const isFinalClose = (code) => code === 1008 || (code >= 4000 && code <= 4999);

/** The `{ offset, epoch }` a frame carries, or null. */
const positionOf = (frame) =>
  Number.isSafeInteger(frame.offset) && frame.offset >= 0 && typeof frame.epoch === 'string' && frame.epoch !== ''
    ? { offset: frame.offset, epoch: frame.epoch }
    : null;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A refusal: the server's error `code` (`bad_request`, `forbidden`, `offline`, `rate_limited`, `too_large`,
 * `overloaded` (not sent: the node is behind on Redis; try again later), `internal`, ...) or one of the client's own:
 * `timeout` (no answer within `ackTimeout`), `disconnected` (the connection dropped after the request was sent, so
 * whether it arrived is unknown), `closed` (`close()` was called), `cancelled` (a join given up by `leave()` before it
 * was sent).
 */
export class DistwsError extends Error {
  /**
   * @param {string} code
   * @param {string} message
   * @param {object} [frame] the server's error frame, when it sent one
   */
  constructor(code, message, frame = undefined) {
    super(message);
    this.name = 'DistwsError';
    this.code = code;
    this.frame = frame;
  }
}

/**
 * @typedef {object} Backoff
 * @property {number} [initial=500] ms before the first reconnect attempt
 * @property {number} [max=10000] the longest wait, in ms
 * @property {number} [factor=2] each failed attempt multiplies the wait by this
 * @property {number} [jitter=0.5] the wait is shortened by up to this fraction, at random
 */

/**
 * @typedef {object} DistwsOptions
 * @property {string} [uid] development mode: the user id (`?uid=`)
 * @property {string | (() => string | Promise<string>)} [token] a JWT (`?access_token=`), or a function asked for
 *   one before every connection attempt
 * @property {typeof WebSocket} [WebSocket] the WebSocket constructor (default `globalThis.WebSocket`)
 * @property {Backoff} [backoff]
 * @property {number} [ackTimeout=10000] ms a request waits for its answer, counted from the call
 * @property {number} [connectTimeout=10000] ms an attempt may take until the welcome
 */

/**
 * @typedef {object} Message
 * @property {string | null} from the sender's user id (null for a binary frame: it carries only the payload)
 * @property {string | null} room the room it was published to, null for a message to the user or a broadcast
 * @property {*} data the JSON value sent, or an ArrayBuffer for a binary message
 * @property {number | null} offset its position in its stream (null: a broadcast, or history off)
 * @property {string | null} epoch
 * @property {boolean} binary
 * @property {boolean} recovered true when it was missed and replayed after a reconnect or rejoin
 */

/**
 * A client of one user: one WebSocket at a time, re-opened until `close()`.
 *
 * Events (`on(type, fn)` passes `fn` the detail; or `addEventListener`, the detail in `event.detail`):
 * - `state` `{ state, code?, reason?, attempt?, delay? }`: `connecting`, `connected`, `reconnecting`, `closed`
 * - `message` {@link Message}
 * - `joined` / `left` `{ room, uid, self }`: a user's first connection joined a room this client is in, or its last
 *   one left (`self`: this client's own join or leave, also a re-join after a reconnect)
 * - `presence` `{ room, users, connections, complete }`: the answer to `presence()`
 * - `recovered` `{ room, count, expected }`: the `count` missed messages of the stream (room null: the user's) were
 *   delivered as `message` events, after a reconnect or a re-join; `expected` is how many the server announced (more
 *   than `count` when some of them never came)
 * - `notRecovered` `{ room }`: missed messages of that stream could not be replayed (too many, expired, another
 *   epoch); it goes on from now
 * - `lost` `{ room, offset, epoch, message }`: messages of that stream are gone; it goes on from that position
 * - `position` `{ room, offset, epoch }`: the position of the user's stream (room null) or of a room's moved: from a
 *   welcome, a joined answer, a message or `lost`
 * - `error` {@link DistwsError} (with `room` when a re-join was refused): a server error that answers no request
 */
export class DistwsClient extends EventTarget {
  #urls;
  #options;
  #backoff;
  #WebSocket;
  #state = 'closed';
  #ws = null;
  #attempt = 0;
  #timer = null;              // the reconnect or connect timeout
  #opening = 0;               // counts attempts: one that awaits a token is given up when it changed meanwhile
  #session = null;            // { uid, fd, node } from the welcome
  #waiting = null;            // { promise, resolve, reject } of connect(), until connected or closed
  #nextId = 1;
  #requests = new Map();      // id -> { frame, kind, room, sent, resolve, reject, timer }
  #position = null;           // the user stream's last position: { offset, epoch }
  #asked = null;              // the position the open connection asked to recover from
  #rooms = new Map();         // name -> { joined, position, details }: rooms this client is in, or re-joins
  #replays = new Map();       // stream key (room, or '' for the user's) -> { since, until, epoch, count }
  #nextPosition = null;       // { room, at } from the "position" frame before a message that cannot carry it

  /**
   * @param {string | string[]} url the `/ws` URL (`ws://host:port/ws`), or several (nodes of one cluster) tried in
   *   turn on reconnect
   * @param {DistwsOptions} [options]
   */
  constructor(url, options = {}) {
    super();
    this.#urls = [url].flat().map((u) => String(u));
    if (this.#urls.length === 0) throw new TypeError('a URL is needed');
    this.#options = { ackTimeout: 10_000, connectTimeout: 10_000, ...options };
    this.#backoff = { initial: 500, max: 10_000, factor: 2, jitter: 0.5, ...options.backoff };
    this.#WebSocket = options.WebSocket ?? globalThis.WebSocket;
    if (typeof this.#WebSocket !== 'function') throw new TypeError('no WebSocket: pass options.WebSocket');
  }

  /** `connecting`, `connected`, `reconnecting` or `closed`. */
  get state() { return this.#state; }

  /** `{ uid, fd, node }` of the current connection (from its welcome), or null. */
  get session() { return this.#session; }

  /** The rooms this client is in, or re-joins on reconnect. */
  get rooms() { return [...this.#rooms.keys()]; }

  /**
   * Listens to an event; `fn` gets the event's detail.
   * @returns {() => void} a function that stops listening
   */
  on(type, fn) {
    const listener = (event) => fn(event.detail);
    this.addEventListener(type, listener);
    return () => this.removeEventListener(type, listener);
  }

  /**
   * Connects, and keeps reconnecting after unexpected closes until `close()`. Calling it again while not closed
   * changes nothing. After `close()` it resumes: rooms are re-joined and missed messages recovered.
   * @returns {Promise<{uid: string, fd: string, node: string}>} the session, once welcomed; rejected when the
   *   server closes for good (1008, 4000-4999) or `close()` is called first
   */
  connect() {
    if (this.#state === 'connected') return Promise.resolve(this.#session);
    if (!this.#waiting) {
      let resolve, reject;
      const promise = new Promise((res, rej) => { resolve = res; reject = rej; });
      promise.catch(() => {}); // a caller that does not wait for it gets no unhandled rejection
      this.#waiting = { promise, resolve, reject };
    }
    if (this.#state === 'closed') {
      this.#attempt = 0;
      this.#open();
    }
    return this.#waiting.promise;
  }

  /**
   * Closes the connection and stops reconnecting. Requests waiting for an answer are rejected (`closed`); rooms and
   * stream positions are kept for a later `connect()`.
   */
  close() {
    if (this.#state === 'closed') return;
    this.#opening += 1;
    const ws = this.#ws;
    this.#ws = null;
    if (ws && ws.readyState <= 1) ws.close(1000, 'client closed');
    this.#shutDown(new DistwsError('closed', 'the client was closed'), {});
  }

  /**
   * Sends to every connection of a user.
   * @param {string} to user id
   * @param {*} data any JSON value; with `binary`, a string (or UTF-8 bytes) the recipients get as a binary frame
   * @param {{binary?: boolean}} [options]
   * @returns {Promise<{routed: number}>} the number of connections it was routed to; rejected with `offline` when
   *   the user has none
   */
  async send(to, data, { binary = false } = {}) {
    return this.#request({ type: 'send', to: userId(to, 'to'), ...payload(data, binary) });
  }

  /**
   * Sends to every connection of each user.
   * @param {string[]} uids at most 1000
   * @returns {Promise<{routed: number}>}
   */
  async sendMulti(uids, data, { binary = false } = {}) {
    if (!Array.isArray(uids) || uids.length === 0) throw new TypeError('uids must be a non-empty array');
    return this.#request({ type: 'sendMulti', to: uids.map((u) => userId(u, 'uids')), ...payload(data, binary) });
  }

  /**
   * Sends to everyone (broadcasts have no stream: they are not recovered).
   * @param {{except?: string[], binary?: boolean}} [options] `except`: users who do not get it
   * @returns {Promise<{routed: number}>}
   */
  async broadcast(data, { except, binary = false } = {}) {
    return this.#request({ type: 'broadcast', ...payload(data, binary), ...exceptOf(except) });
  }

  /**
   * Joins a room: its messages come as `message` events with `room` set. The room is re-joined after every
   * reconnect, from the last position received, until `leave()`. A join made while disconnected is sent on connect.
   * @returns {Promise<{room: string, offset: number|null, epoch: string|null}>} the room stream's position
   */
  async join(room) {
    roomName(room);
    const entry = this.#rooms.get(room);
    if (entry?.joined) return entry.details;
    const waiting = this.#pendingJoin(room);
    if (waiting) return waiting.promise;
    if (!entry) this.#rooms.set(room, { joined: false, position: null, details: null });
    return this.#request({ type: 'join', room });
  }

  /**
   * Leaves a room (and stops re-joining it).
   * @returns {Promise<{room: string}>}
   */
  async leave(room) {
    roomName(room);
    this.#rooms.delete(room);
    this.#replays.delete(room);
    const unsent = this.#pendingJoin(room);
    if (unsent && !unsent.sent) {
      this.#settle(unsent.id, new DistwsError('cancelled', `left room ${room} before joining it`));
    }
    if (this.#state !== 'connected') return { room }; // the membership went with the connection
    await this.#request({ type: 'leave', room });
    return { room };
  }

  /**
   * Publishes to the other members of a room this client is in. Sent once the room is joined.
   * @param {{except?: string[], binary?: boolean}} [options]
   * @returns {Promise<{routed: number}>} rejected with `forbidden` when not a member
   */
  async publish(room, data, { except, binary = false } = {}) {
    return this.#request({ type: 'publish', room: roomName(room), ...payload(data, binary), ...exceptOf(except) });
  }

  /**
   * Asks who is in a room this client is in.
   * @returns {Promise<{room: string, users: string[], connections: number, complete: boolean}>}
   */
  async presence(room) {
    return this.#request({ type: 'presence', room: roomName(room) });
  }

  // ---- connection ------------------------------------------------------------------------------------------

  async #open() {
    this.#timer = null;
    const opening = ++this.#opening;
    if (this.#state === 'closed') this.#setState('connecting');
    const query = new URLSearchParams();
    try {
      const { token, uid } = this.#options;
      if (token !== undefined) query.set('access_token', typeof token === 'function' ? await token() : token);
      else if (uid !== undefined) query.set('uid', uid);
    } catch (e) {
      this.#emit('error', new DistwsError('token', `could not get a token: ${e?.message ?? e}`));
      if (this.#state !== 'closed') this.#retry({ code: 1006, reason: 'no token' });
      return;
    }
    if (opening !== this.#opening || this.#state === 'closed') return; // closed (or restarted) meanwhile
    this.#asked = this.#position;
    if (this.#asked) {
      query.set('since', String(this.#asked.offset));
      query.set('epoch', this.#asked.epoch);
    }
    const url = new URL(this.#urls[this.#attempt % this.#urls.length]);
    for (const [key, value] of query) url.searchParams.set(key, value);

    let ws;
    try {
      ws = new this.#WebSocket(url.href);
    } catch (e) {
      this.#emit('error', new DistwsError('bad_url', `cannot open ${url.origin}${url.pathname}: ${e?.message ?? e}`));
      this.#retry({ code: 1006, reason: 'cannot open' });
      return;
    }
    ws.binaryType = 'arraybuffer';
    this.#ws = ws;
    this.#nextPosition = null;
    this.#timer = setTimeout(() => {
      ws.close();
      this.#closed(ws, 1006, `no welcome within ${this.#options.connectTimeout} ms`);
    }, this.#options.connectTimeout);
    // Events of a socket given up on are ignored.
    let opened = false;
    ws.addEventListener('open', () => { opened = true; });
    ws.addEventListener('message', (event) => { if (ws === this.#ws) this.#received(event.data); });
    ws.addEventListener('close', (event) => this.#closed(ws, event.code, event.reason));
    // A failed attempt: browsers tell it by an error and a close, Node 20's WebSocket by the error alone.
    ws.addEventListener('error', () => { if (!opened) this.#closed(ws, 1006, 'could not connect'); });
  }

  #closed(ws, code, reason) {
    if (ws !== this.#ws) return;
    this.#ws = null;
    clearTimeout(this.#timer);
    this.#timer = null;
    this.#session = null;
    this.#replays.clear(); // a replay cut short goes on from the last message received, at the next connection
    for (const entry of this.#rooms.values()) entry.joined = false;
    if (isFinalClose(code)) {
      this.#shutDown(new DistwsError('closed', `closed by the server (${code}${reason ? `: ${reason}` : ''})`),
        { code, reason });
      return;
    }
    // A request that reached the server may or may not have been carried out: only its sender can tell. Joins
    // stay: the room is re-joined on reconnect.
    for (const [id, request] of this.#requests) {
      if (request.sent && request.kind !== 'join') {
        this.#settle(id, new DistwsError('disconnected', 'the connection dropped before the answer came'));
      } else {
        request.sent = false;
      }
    }
    this.#retry({ code, reason });
  }

  #retry({ code, reason }) {
    const { initial, max, factor, jitter } = this.#backoff;
    const base = Math.min(max, initial * factor ** this.#attempt);
    const delay = Math.round(base * (1 - jitter * Math.random()));
    this.#attempt += 1;
    this.#setState('reconnecting', { code, reason, attempt: this.#attempt, delay });
    this.#timer = setTimeout(() => this.#open(), delay);
  }

  #shutDown(error, detail) {
    clearTimeout(this.#timer);
    this.#timer = null;
    this.#session = null;
    this.#replays.clear();
    for (const entry of this.#rooms.values()) entry.joined = false;
    for (const id of [...this.#requests.keys()]) this.#settle(id, error);
    this.#setState('closed', detail);
    this.#waiting?.reject(error);
    this.#waiting = null;
  }

  #setState(state, detail = {}) {
    this.#state = state;
    this.#emit('state', { state, ...detail });
  }

  #emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  // ---- requests --------------------------------------------------------------------------------------------

  /** Sends a frame with a fresh id (now, or once connected) and waits for the answer to that id. */
  #request(frame) {
    const id = String(this.#nextId++);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const request = this.#settle(id, new DistwsError('timeout',
          `no answer to ${frame.type} within ${this.#options.ackTimeout} ms`));
        if (request?.kind === 'join') this.#rooms.delete(request.room); // given up: not re-joined either
      }, this.#options.ackTimeout);
      this.#requests.set(id, { id, frame, kind: frame.type, room: frame.room, sent: false, resolve, reject, timer });
      this.#flush();
    });
  }

  #settle(id, error, value) {
    const request = this.#requests.get(id);
    if (!request) return null;
    this.#requests.delete(id);
    clearTimeout(request.timer);
    if (error) request.reject(error); else request.resolve(value);
    return request;
  }

  #pendingJoin(room) {
    for (const request of this.#requests.values()) {
      if (request.kind === 'join' && request.room === room) return request;
    }
    return null;
  }

  /**
   * Sends what waits, in call order: everything once connected, but a room's publish or presence only once the
   * room is joined (the server answers a non-member with `forbidden`). A join asks to recover from the room's
   * position.
   */
  #flush() {
    if (this.#state !== 'connected') return;
    for (const [id, request] of this.#requests) {
      if (request.sent) continue;
      const entry = request.room !== undefined ? this.#rooms.get(request.room) : undefined;
      if (request.kind !== 'join' && request.kind !== 'leave' && entry && !entry.joined) continue;
      const frame = { ...request.frame, id };
      if (request.kind === 'join' && entry?.position) {
        Object.assign(frame, { since: entry.position.offset, epoch: entry.position.epoch });
        request.since = entry.position;
      }
      request.sent = true;
      this.#ws.send(JSON.stringify(frame));
    }
  }

  // ---- frames from the server ------------------------------------------------------------------------------

  #received(data) {
    if (typeof data !== 'string') {
      this.#binaryReceived(data);
      return;
    }
    let frame;
    try {
      frame = JSON.parse(data);
    } catch {
      this.#rawReceived(data); // text sent as it is (e.g. over the REST API): a message, not a protocol frame
      return;
    }
    switch (frame?.type) {
      case 'welcome': this.#welcomed(frame); break;
      case 'message': this.#messageReceived(frame); break;
      case 'position':
        this.#nextPosition = { room: typeof frame.room === 'string' ? frame.room : null, at: positionOf(frame) };
        break;
      case 'ack': this.#settle(String(frame.id), null, { routed: frame.routed }); break;
      case 'joined': this.#joined(frame); break;
      case 'left': this.#left(frame); break;
      case 'presence': this.#presence(frame); break;
      case 'error': this.#serverError(frame); break;
      default: break; // a frame type of a later version
    }
  }

  #welcomed(frame) {
    clearTimeout(this.#timer);
    this.#timer = null;
    this.#attempt = 0;
    this.#session = Object.freeze({ uid: frame.uid, fd: frame.fd, node: frame.node });
    const at = positionOf(frame);
    const asked = this.#asked;
    this.#asked = null;
    this.#setState('connected', { ...this.#session });
    this.#waiting?.resolve(this.#session);
    this.#waiting = null;
    this.#recovery(null, frame.recovered, asked, at);
    // Every room is re-joined: with a join request still waiting for it (made while disconnected), else a new one.
    for (const room of this.#rooms.keys()) {
      if (!this.#pendingJoin(room)) this.#request({ type: 'join', room }).catch((e) => this.#rejoinFailed(room, e));
    }
    this.#flush();
  }

  /**
   * Starts the accounting of a recovery that an answer (welcome: room null; joined) announced: the messages after
   * `since` up to `at` follow, and `recovered` is told once they have. Without a recovery the position is `at`.
   */
  #recovery(room, recovered, since, at) {
    const key = room ?? '';
    if (recovered === true && since && at && since.epoch === at.epoch && at.offset > since.offset) {
      this.#replays.set(key, { since: since.offset, until: at.offset, epoch: at.epoch, count: 0 });
      return;
    }
    this.#setPosition(room, at);
    if (recovered === true) this.#emit('recovered', { room, count: 0, expected: 0 });
    else if (recovered === false) this.#emit('notRecovered', { room });
  }

  #messageReceived(frame) {
    const room = typeof frame.room === 'string' ? frame.room : null;
    this.#deliver(room, positionOf(frame), { from: frame.from ?? null, room, data: frame.data, binary: false });
  }

  #binaryReceived(data) {
    this.#unframedReceived(data, true);
  }

  #rawReceived(text) {
    this.#unframedReceived(text, false);
  }

  /**
   * A frame that carries only the payload (binary, or text that is not JSON): one of a stream comes right after a
   * "position" frame naming its stream and offset; without one it is a broadcast or history is off.
   */
  #unframedReceived(data, binary) {
    const positioned = this.#nextPosition;
    this.#nextPosition = null;
    const room = positioned?.room ?? null;
    this.#deliver(room, positioned?.at ?? null, { from: null, room, data, binary });
  }

  /** Moves the stream's position on, drops what was had already, counts a replay, and tells the message. */
  #deliver(room, at, message) {
    let recovered = false;
    let replay = null;
    if (at) {
      const known = this.#positionOf(room);
      if (known && known.epoch === at.epoch && at.offset <= known.offset) return; // a duplicate
      const key = room ?? '';
      replay = this.#replays.get(key) ?? null;
      if (replay && !(at.epoch === replay.epoch && at.offset > replay.since && at.offset <= replay.until)) {
        this.#finishReplay(room); // past the replayed ones: the replay is over
        replay = null;
      }
      recovered = replay !== null;
      if (replay) replay.count += 1;
      this.#setPosition(room, at);
    }
    this.#emit('message', { ...message, offset: at?.offset ?? null, epoch: at?.epoch ?? null, recovered });
    if (replay && at.offset >= replay.until) this.#finishReplay(room);
  }

  #finishReplay(room) {
    const key = room ?? '';
    const replay = this.#replays.get(key);
    if (!replay) return;
    this.#replays.delete(key);
    this.#emit('recovered', { room, count: replay.count, expected: replay.until - replay.since });
  }

  #positionOf(room) {
    return room === null ? this.#position : this.#rooms.get(room)?.position ?? null;
  }

  #setPosition(room, at) {
    if (!at) return;
    if (room === null) this.#position = at;
    else if (this.#rooms.has(room)) this.#rooms.get(room).position = at;
    else return; // a room this client is not in (joined by a service): no position kept
    this.#emit('position', { room, ...at });
  }

  #joined(frame) {
    const room = String(frame.room);
    const request = frame.id !== undefined ? this.#requests.get(String(frame.id)) : undefined;
    if (request?.kind === 'join' && request.room === room) {
      const entry = this.#rooms.get(room);
      const at = positionOf(frame);
      const details = { room, offset: at?.offset ?? null, epoch: at?.epoch ?? null };
      if (entry) Object.assign(entry, { joined: true, details });
      this.#settle(request.id, null, details);
      this.#emit('joined', { room, uid: frame.uid, self: true });
      if (entry) this.#recovery(room, frame.recovered, request.since ?? null, at);
      this.#flush(); // the room's publish and presence requests may go now
      return;
    }
    this.#emit('joined', { room, uid: frame.uid, self: false });
  }

  #left(frame) {
    const request = frame.id !== undefined ? this.#settle(String(frame.id), null, { room: frame.room }) : null;
    this.#emit('left', { room: frame.room, uid: frame.uid, self: request !== null });
  }

  #presence(frame) {
    const detail = { room: frame.room, users: frame.users ?? [], connections: frame.connections ?? 0,
      complete: frame.complete !== false };
    if (frame.id !== undefined) this.#settle(String(frame.id), null, detail);
    this.#emit('presence', detail);
  }

  #serverError(frame) {
    const room = typeof frame.room === 'string' ? frame.room : null;
    if (frame.code === 'lost') {
      const at = positionOf(frame);
      this.#replays.delete(room ?? '');
      this.#setPosition(room, at);
      this.#emit('lost', { room, offset: at?.offset ?? null, epoch: at?.epoch ?? null, message: frame.message });
      return;
    }
    const error = new DistwsError(String(frame.code), String(frame.message ?? frame.code), frame);
    const request = frame.id !== undefined ? this.#requests.get(String(frame.id)) : undefined;
    if (!request) {
      this.#emit('error', error);
      return;
    }
    if (request.kind === 'join') this.#rooms.delete(request.room); // refused: not re-joined either
    this.#settle(request.id, error);
  }

  #rejoinFailed(room, error) {
    if (error.code === 'closed' || error.code === 'cancelled') return;
    this.#rooms.delete(room);
    error.room = room;
    this.#emit('error', error);
  }
}

// ---- argument checks ---------------------------------------------------------------------------------------

function userId(value, name) {
  if (typeof value !== 'string' || value === '') throw new TypeError(`${name} must be a non-empty user id`);
  return value;
}

function roomName(value) {
  if (typeof value !== 'string' || value === '') throw new TypeError('room must be a non-empty string');
  return value;
}

function exceptOf(except) {
  if (except === undefined) return {};
  if (!Array.isArray(except)) throw new TypeError('except must be an array of user ids');
  return { except: except.map((u) => userId(u, 'except')) };
}

/** `data` (and `opcode` for binary): bytes as the UTF-8 text the server turns back into them. */
function payload(data, binary) {
  if (data === undefined) throw new TypeError('data is missing');
  if (!binary) return { data };
  if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) {
    try {
      data = utf8.decode(data);
    } catch {
      throw new TypeError('binary data must be UTF-8 text: the protocol carries it in a JSON string');
    }
  }
  return { data, opcode: 'binary' };
}
