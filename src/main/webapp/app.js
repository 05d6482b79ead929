// The distribute-ws demo client: one WebSocket to the node that served this page, a form to send through the
// cluster, rooms with live presence, and a log of what arrives. It keeps the last position (offset and epoch) of the
// user's stream and of each room's, and after an unexpected close reconnects from them: the server replays what was
// missed meanwhile. Everything shown that came from a user or the server goes in via textContent.
(() => {
  'use strict';

  const MAX_UID_LENGTH = 128;          // the server closes with 1008 beyond this
  const MAX_RECIPIENTS = 1000;         // the server's limit for sendMulti
  const MAX_MESSAGE_BYTES = 64 * 1024; // the demo's own limit; the server closes frames over 1 MiB with 1009
  const BACKOFF_MIN_MS = 500;
  const BACKOFF_MAX_MS = 10_000;
  const MAX_LOG_ENTRIES = 500;
  const MAX_ROOM_LENGTH = 200;         // the server's default distws.rooms.max-name-length
  const ROOM_ANSWER_TIMEOUT_MS = 15_000; // a join or leave without an answer by then is given up
  const KICK_CODE = 4000;              // the close code (and reason) of the kick button
  const KICK_REASON = 'kicked from the demo';
  /** Close codes after which reconnecting would only repeat the refusal or undo a kick. */
  const finalClose = (code) => code === 1008 || (code >= 4000 && code <= 4999);

  const $ = (id) => document.getElementById(id);
  const ui = {
    servedBy: $('served-by'), clusterSize: $('cluster-size'),
    connectForm: $('connect-form'), uid: $('uid'), connect: $('connect'), disconnect: $('disconnect'),
    state: $('state'), fd: $('fd'), node: $('node'), position: $('position'), connectionNote: $('connection-note'),
    composeForm: $('compose-form'), to: $('to'), message: $('message'), size: $('size'),
    send: $('send'), sendMany: $('send-many'), broadcast: $('broadcast'), sendRoom: $('send-room'),
    sendRoomTarget: $('send-room-target'), composeNote: $('compose-note'),
    roomForm: $('room-form'), room: $('room'), join: $('join'), leave: $('leave'), rooms: $('rooms'),
    roomsEmpty: $('rooms-empty'), membersOf: $('members-of'), members: $('members'), membersEmpty: $('members-empty'),
    roomNote: $('room-note'),
    log: $('log'), logEmpty: $('log-empty'), clearLog: $('clear-log'),
  };
  const encoder = new TextEncoder();
  const decoder = new TextDecoder('utf-8');

  let socket = null;        // the live (or opening) WebSocket, or null
  let uid = null;           // the user id we connect as
  let wanted = false;       // true from Connect until Disconnect: an unexpected close then reconnects
  let attempt = 0;          // reconnect attempts since the last welcome
  let reconnectTimer = null;
  let connectedNode = null; // node id from the welcome frame
  let nextId = 1;
  const awaitingAck = new Map(); // frame id -> the log entry of the sent message

  // History: the position { offset, epoch } of the last message of the user's stream this page got (null until the
  // first welcome, and when the server keeps no history). A reconnect asks for what came after it (?since=&epoch=).
  let position = null;
  let askedSince = null;    // the position the connection being opened asked to recover from
  // Recoveries under way: { room (null: the user's stream), since, until, epoch, expected, count }. The server sends
  // the missed messages (offsets since+1 .. until) right after the welcome or the joined answer that announced them.
  let replays = [];

  // Rooms of this connection, in the order joined: name -> { state, members, buffer, complete, timer, position }.
  // state is joining | joined | leaving | offline (the connection is down; rejoined on reconnect). members is the Set
  // of user ids (null until the first presence answer); buffer holds the joined/left events that arrive while a
  // presence answer is awaited, applied on top of it (they may be newer than the list it carries). position is the
  // room stream's last position this page got (a rejoin recovers from it).
  const rooms = new Map();
  let currentRoom = null;
  let binaryPosition = null; // { room, at } from the "position" frame that goes right before a binary message of a stream
  const roomRequests = new Map(); // frame id -> { kind: join | leave | presence, room, entry, since }

  // ---- small helpers ---------------------------------------------------------------------------------------

  function clock(date = new Date()) {
    return [date.getHours(), date.getMinutes(), date.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
  }

  function formatBytes(n) {
    return n < 1024 ? `${n} B` : `${(n / 1024).toFixed(n < 10 * 1024 ? 1 : 0)} KiB`;
  }

  function show(data) {
    return typeof data === 'string' ? data : JSON.stringify(data);
  }

  function span(className, text, field) {
    const s = document.createElement('span');
    s.className = className;
    s.textContent = text;
    if (field) s.dataset.field = field;
    return s;
  }

  function note(target, text, kind = 'info') {
    target.textContent = text;
    target.dataset.kind = text ? kind : '';
  }

  // ---- the log ---------------------------------------------------------------------------------------------

  // Whether the log keeps its newest entry in view: until the user scrolls up, and again once they scroll back down.
  // (Tested on scrolling, not on appending: a panel above that grows shortens the log without the user scrolling.)
  let followLog = true;
  ui.log.addEventListener('scroll', () => {
    followLog = ui.log.scrollHeight - ui.log.scrollTop - ui.log.clientHeight < 40;
  }, { passive: true });

  /** Appends one entry; kind is message | binary | sent | error | warning | system. Returns the entry element. */
  function log(kind, { who = '', body = '', detail = '', room = null } = {}) {
    const li = document.createElement('li');
    li.className = `entry entry-${kind}`;
    li.dataset.testid = 'log-entry';
    li.dataset.kind = kind;

    const meta = document.createElement('div');
    meta.className = 'meta';
    if (who) meta.append(span('who', who, 'from'));
    if (room !== null) {
      const tag = span('room', room, 'room');
      tag.title = `room ${room}`;
      meta.append(tag);
    }
    meta.append(span('via', connectedNode ? `via ${connectedNode}` : 'not connected', 'node'));
    const time = document.createElement('time');
    time.dataset.field = 'time';
    time.dateTime = new Date().toISOString();
    time.textContent = clock();
    meta.append(time);

    const text = document.createElement('div');
    text.className = 'body';
    text.dataset.field = 'body';
    text.textContent = body;
    li.append(meta, text);
    if (detail) li.append(span('detail', detail, 'detail'));

    ui.log.append(li);
    while (ui.log.childElementCount > MAX_LOG_ENTRIES) ui.log.firstElementChild.remove();
    ui.logEmpty.hidden = true;
    if (followLog) ui.log.scrollTop = ui.log.scrollHeight;
    return li;
  }

  // ---- connection ------------------------------------------------------------------------------------------

  function setState(state) {
    ui.state.textContent = state;
    ui.state.dataset.state = state;
    ui.connect.disabled = wanted;
    ui.uid.disabled = wanted;
    ui.disconnect.disabled = !wanted;
    if (state !== 'connected') {
      ui.fd.textContent = '—';
      ui.node.textContent = '—';
      connectedNode = null;
    }
  }

  function validUid(value) {
    if (!value) return 'Enter a user id to connect as.';
    if (value.length > MAX_UID_LENGTH) return `A user id has at most ${MAX_UID_LENGTH} characters (this one has ${value.length}).`;
    return null;
  }

  function connect() {
    const value = ui.uid.value.trim();
    const problem = validUid(value);
    if (problem) {
      note(ui.connectionNote, problem, 'error');
      ui.uid.focus();
      return;
    }
    uid = value;
    wanted = true;
    attempt = 0;
    forgetPosition(); // a new session: it starts from now
    note(ui.connectionNote, '');
    open();
  }

  function open() {
    reconnectTimer = null;
    const url = new URL('ws', location.href);
    url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const query = new URLSearchParams({ uid });
    // Reconnecting: ask for what this user missed since the last message the page got (from any node).
    askedSince = position;
    if (position !== null) {
      query.set('since', String(position.offset));
      query.set('epoch', position.epoch);
    }
    url.search = `?${query}`;
    url.hash = '';
    const ws = new WebSocket(url);
    ws.binaryType = 'arraybuffer';
    socket = ws;
    binaryPosition = null;
    setState(attempt === 0 ? 'connecting' : 'reconnecting');
    // Events of a socket we have already given up on are ignored.
    ws.onmessage = (event) => { if (ws === socket) received(event.data); };
    ws.onclose = (event) => { if (ws === socket) closed(event); };
  }

  function disconnect() {
    wanted = false;
    clearTimeout(reconnectTimer);
    reconnectTimer = null;
    const ws = socket;
    socket = null;
    awaitingAck.clear();
    if (ws && ws.readyState <= WebSocket.OPEN) ws.close(1000, 'user disconnected');
    forgetRooms();
    forgetPosition();
    setState('disconnected');
    note(ui.connectionNote, 'Disconnected. No reconnect until you click Connect.');
    log('system', { body: `Disconnected (${uid}).` });
  }

  function closed(event) {
    socket = null;
    awaitingAck.clear();
    replays = []; // a recovery cut short goes on from the last message that arrived, at the next reconnect
    const why = `code ${event.code}${event.reason ? `: ${event.reason}` : ''}`;
    const lost = connectedNode !== null || attempt > 0;
    ui.state.dataset.closeCode = String(event.code);
    if (finalClose(event.code)) {
      // The server refused this user id (1008 before the welcome), or closed the connection for good (1008: a
      // policy, 4000-4999: the application, such as a kick): reconnecting would only repeat it or undo it.
      wanted = false;
      forgetRooms();
      forgetPosition();
      setState('disconnected');
      const closedWith = `closed ${event.code}${event.reason ? ` ${event.reason}` : ''}`;
      if (lost) {
        note(ui.connectionNote, `${closedWith} — the server closed this connection; no reconnect until you click `
          + 'Connect.', 'error');
        log('error', { who: 'server', body: closedWith });
      } else {
        note(ui.connectionNote, `The server refused the connection (${why}).`, 'error');
        log('error', { who: 'server', body: `Connection refused (${why})` });
      }
      return;
    }
    roomsOffline();
    const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** attempt);
    attempt += 1;
    setState('reconnecting');
    const text = `${lost ? 'Connection lost' : 'Could not connect'} (${why}). `
      + `Reconnecting in ${(delay / 1000).toFixed(1)} s (attempt ${attempt})…`;
    note(ui.connectionNote, text, 'warning');
    if (attempt === 1) log('system', { body: text });
    reconnectTimer = setTimeout(open, delay);
  }

  function received(data) {
    if (data instanceof ArrayBuffer) {
      // A binary frame carries only the payload. A message of a stream comes right after a "position" frame that
      // says which stream (room or the user's) and where; a broadcast has none.
      const positioned = binaryPosition;
      binaryPosition = null;
      const room = positioned ? positioned.room : null;
      const at = positioned ? positioned.at : null;
      const replay = positioned ? replayOf(room, at) : null;
      const entry = log('binary', { who: 'binary frame', body: `binary frame, ${data.byteLength} bytes: ${decoder.decode(data)}`, room });
      if (at !== null) {
        if (room === null) setPosition(at); else roomPosition(room, at);
        entry.dataset.offset = String(at.offset);
        entry.title = `offset ${at.offset} · epoch ${at.epoch}`;
        if (replay) replayed(replay, entry, at);
      }
      return;
    }
    let frame;
    try {
      frame = JSON.parse(data);
    } catch {
      log('system', { body: `Unreadable frame: ${data}` });
      return;
    }
    switch (frame && frame.type) {
      case 'welcome': welcomed(frame); break;
      case 'message': messageReceived(frame); break;
      case 'error': serverError(frame); break;
      case 'ack': acked(frame); break;
      case 'joined': case 'left': presenceChanged(frame); break;
      case 'presence': presenceListed(frame); break;
      case 'position': binaryPosition = { room: typeof frame.room === 'string' ? frame.room : null, at: positionOf(frame) }; break;
      default: log('system', { body: `Frame: ${data}` });
    }
  }

  function welcomed(frame) {
    const again = attempt > 0;
    attempt = 0;
    connectedNode = show(frame.node);
    setState('connected');
    ui.fd.textContent = show(frame.fd);
    ui.node.textContent = connectedNode;
    const text = `${again ? 'Reconnected' : 'Connected'} as ${show(frame.uid)} to node ${connectedNode} (fd ${show(frame.fd)})`;
    const at = positionOf(frame);
    const replay = frame.recovered === true ? startReplay(null, askedSince, at) : null;
    if (replay !== null) {
      // The missed messages follow: the position moves on with each of them (so a close meanwhile loses none).
      note(ui.connectionNote, `${text}; recovering ${plural(replay.expected, 'message')}…`, 'ok');
      log('system', { body: `${text}. Recovering ${plural(replay.expected, 'missed message')}…` });
      replay.done = (n) => {
        note(ui.connectionNote, `${text}; ${recoveredText(n, replay.expected)}.`, n === replay.expected ? 'ok' : 'warning');
      };
    } else if (frame.recovered === true) {
      setPosition(at);
      note(ui.connectionNote, `${text}; recovered 0 messages: nothing was missed.`, 'ok');
      log('system', { body: `${text}. Recovered 0 messages: nothing was missed.` });
    } else if (frame.recovered === false) {
      setPosition(at);
      note(ui.connectionNote, `${text}; could not recover: messages may be missing.`, 'warning');
      log('system', { body: `${text}.` });
      log('warning', { who: 'recovery', body: 'Could not recover: messages may be missing.',
        detail: askedSince ? `nothing after offset ${askedSince.offset} of epoch ${askedSince.epoch} could be replayed` : '' });
    } else {
      setPosition(at);
      note(ui.connectionNote, `${text}.`, 'ok');
      log('system', { body: `${text}.` });
    }
    askedSince = null;
    loadNodes();
    rejoinRooms();
  }

  function messageReceived(frame) {
    const at = positionOf(frame);
    let entry;
    if (typeof frame.room === 'string') {
      // Delivered to this connection as a member, also of a room some service joined it to (REST PUT): list it.
      if (!rooms.has(frame.room)) adopt(frame.room);
      const replay = replayOf(frame.room, at);
      entry = log('message', { who: show(frame.from), body: show(frame.data), room: frame.room });
      roomPosition(frame.room, at);
      if (replay) replayed(replay, entry, at);
    } else {
      // With an offset: a message to this user (send, sendMulti), in its stream. Without: a broadcast.
      const replay = replayOf(null, at);
      entry = log('message', { who: show(frame.from), body: show(frame.data) });
      setPosition(at);
      if (replay) replayed(replay, entry, at);
    }
    if (at !== null) {
      entry.dataset.offset = String(at.offset);
      entry.title = `offset ${at.offset} · epoch ${at.epoch}`;
    }
  }

  // ---- history: positions and recovery ---------------------------------------------------------------------

  /** The { offset, epoch } a frame carries, or null. */
  function positionOf(frame) {
    return Number.isSafeInteger(frame.offset) && frame.offset >= 0 && typeof frame.epoch === 'string' && frame.epoch !== ''
      ? { offset: frame.offset, epoch: frame.epoch } : null;
  }

  function plural(n, what) {
    return `${n} ${what}${n === 1 ? '' : 's'}`;
  }

  function recoveredText(n, expected) {
    return n === expected ? `recovered ${plural(n, 'message')}`
      : `recovered ${n} of ${plural(expected, 'message')}: messages may be missing`;
  }

  function setPosition(at) {
    if (at === null) return;
    position = at;
    ui.position.textContent = `${at.offset} · epoch ${at.epoch}`;
    ui.position.dataset.offset = String(at.offset);
    ui.position.dataset.epoch = at.epoch;
  }

  function forgetPosition() {
    position = null;
    askedSince = null;
    replays = [];
    ui.position.textContent = '—';
    delete ui.position.dataset.offset;
    delete ui.position.dataset.epoch;
  }

  function roomPosition(room, at) {
    const entry = rooms.get(room);
    if (at === null || !entry) return;
    entry.position = at;
    renderRooms();
  }

  /**
   * After a welcome or joined answer with "recovered":true: the messages after `since` up to the answer's position
   * follow. Returns the recovery under way, or null when there is nothing to wait for.
   */
  function startReplay(room, since, at) {
    if (since === null || at === null || since.epoch !== at.epoch || at.offset <= since.offset) return null;
    const replay = { room, since: since.offset, until: at.offset, epoch: at.epoch, expected: at.offset - since.offset,
      count: 0, done: () => {} };
    replays.push(replay);
    return replay;
  }

  /**
   * The recovery of this stream a message at `at` belongs to, or null. A message of the stream past the recovered
   * ones (none should come before them) ends the recovery first.
   */
  function replayOf(room, at) {
    const replay = replays.find((r) => r.room === room);
    if (!replay || at === null) return null;
    if (at.epoch === replay.epoch && at.offset > replay.since && at.offset <= replay.until) return replay;
    if (at.epoch !== replay.epoch || at.offset > replay.until) finishReplay(replay);
    return null;
  }

  function replayed(replay, entry, at) {
    replay.count += 1;
    entry.dataset.recovered = 'true';
    const detail = entry.querySelector('[data-field="detail"]') || entry.appendChild(span('detail', '', 'detail'));
    detail.textContent = `recovered · offset ${at.offset}`;
    if (replay.count >= replay.expected || at.offset >= replay.until) finishReplay(replay);
  }

  function finishReplay(replay) {
    replays = replays.filter((r) => r !== replay);
    const text = `${recoveredText(replay.count, replay.expected)}`;
    const complete = replay.count === replay.expected;
    log(complete ? 'system' : 'warning', { who: complete ? '' : 'recovery', body: `${text[0].toUpperCase()}${text.slice(1)}.`,
      detail: `offsets ${replay.since + 1}–${replay.until} of epoch ${replay.epoch}`, room: replay.room });
    replay.done(replay.count);
  }

  /** {"type":"error","code":"lost",...}: messages of a stream are gone for good; it goes on from the given position. */
  function lost(frame) {
    const at = positionOf(frame);
    const room = typeof frame.room === 'string' ? frame.room : null;
    const text = `Messages lost: ${show(frame.message)}`;
    log('error', { who: 'server', body: `lost: ${show(frame.message)}`, room,
      detail: at ? `going on from offset ${at.offset} of epoch ${at.epoch}` : '' });
    if (room !== null) {
      roomPosition(room, at);
      note(ui.roomNote, `${text}.`, 'error');
    } else {
      setPosition(at);
      note(ui.connectionNote, `${text}.`, 'error');
    }
  }

  function serverError(frame) {
    if (frame.code === 'lost') return lost(frame);
    const text = `${show(frame.code)}: ${show(frame.message)}`;
    log('error', { who: 'server', body: text });
    // An error answering a frame of ours echoes its id.
    const id = frame.id !== undefined ? String(frame.id) : null;
    const sent = id !== null ? awaitingAck.get(id) : undefined;
    if (sent) {
      awaitingAck.delete(id);
      sent.querySelector('[data-field="detail"]').textContent = `not routed (${show(frame.code)})`;
    }
    const asked = id !== null ? roomRequests.get(id) : undefined;
    if (asked) roomRequests.delete(id);
    const room = asked && asked.kind === 'join' ? (rooms.get(asked.room) === asked.entry ? asked.room : null)
      : roomOfError(show(frame.message));
    if (room !== null) {
      roomRefused(room, text);
    } else if (!asked || asked.kind !== 'join') {
      note(ui.composeNote, `Server error — ${text}`, 'error');
    }
  }

  function acked(frame) {
    const entry = awaitingAck.get(frame.id);
    awaitingAck.delete(frame.id);
    if (!entry) return;
    const n = Number(frame.routed);
    const detail = entry.querySelector('[data-field="detail"]');
    const routed = `routed to ${n} connection${n === 1 ? '' : 's'}`;
    detail.textContent = entry.dataset.opcode === 'binary' ? `binary · ${routed}` : routed;
    detail.dataset.routed = String(n);
  }

  // ---- sending ---------------------------------------------------------------------------------------------

  function recipients(kind) {
    const raw = ui.to.value.trim();
    if (kind === 'broadcast') return { to: null };
    const list = [...new Set(raw.split(',').map((s) => s.trim()).filter(Boolean))];
    if (list.length === 0) {
      return { problem: kind === 'send' ? 'Enter the user id to send to.' : 'Enter one or more user ids, separated by commas.' };
    }
    const tooLong = list.find((u) => u.length > MAX_UID_LENGTH);
    if (tooLong) return { problem: `A user id has at most ${MAX_UID_LENGTH} characters.` };
    if (kind === 'send' && list.length > 1) {
      return { problem: 'Send goes to one user; use “Send to many” for a comma list.' };
    }
    if (list.length > MAX_RECIPIENTS) return { problem: `At most ${MAX_RECIPIENTS} recipients at once.` };
    return { to: kind === 'send' ? list[0] : list };
  }

  function submit(kind) {
    const fail = (text, field) => {
      note(ui.composeNote, text, 'error');
      if (field) field.focus();
    };
    if (!socket || socket.readyState !== WebSocket.OPEN || !connectedNode) {
      return fail(wanted ? 'Not connected right now (reconnecting); nothing was sent.' : 'Connect first; nothing was sent.', ui.uid);
    }
    const text = ui.message.value;
    if (text.trim() === '') return fail('Type a message first; nothing was sent.', ui.message);
    const bytes = encoder.encode(text).length;
    if (bytes > MAX_MESSAGE_BYTES) {
      return fail(`The message is ${formatBytes(bytes)}; the limit is ${formatBytes(MAX_MESSAGE_BYTES)}. Nothing was sent.`, ui.message);
    }
    let to = null;
    let room = null;
    if (kind === 'publish') {
      room = currentRoom;
      if (room === null) return fail('Join a room first: “Send to room” publishes to the current room. Nothing was sent.', ui.room);
      if (rooms.get(room).state !== 'joined') return fail(`Not in room ${room} yet; nothing was sent.`, ui.room);
    } else {
      const r = recipients(kind);
      if (r.problem) return fail(r.problem, ui.to);
      to = r.to;
    }

    const binary = document.querySelector('input[name="opcode"]:checked').value === 'binary';
    const id = String(nextId++);
    const frame = { type: kind, data: text, id };
    if (to !== null) frame.to = to;
    if (room !== null) frame.room = room;
    if (binary) frame.opcode = 'binary';
    socket.send(JSON.stringify(frame));

    const target = kind === 'broadcast' ? 'everyone' : kind === 'publish' ? 'room' : Array.isArray(to) ? to.join(', ') : to;
    const entry = log('sent', { who: `you → ${target}`, body: text, detail: binary ? 'binary · sent' : 'sent', room });
    entry.dataset.opcode = binary ? 'binary' : 'text';
    awaitingAck.set(id, entry);
    note(ui.composeNote, '');
    ui.message.value = '';
    updateSize();
    ui.message.focus();
  }

  function updateSize() {
    const bytes = encoder.encode(ui.message.value).length;
    ui.size.textContent = `${formatBytes(bytes)} / ${formatBytes(MAX_MESSAGE_BYTES)}`;
    ui.size.classList.toggle('over', bytes > MAX_MESSAGE_BYTES);
  }

  // ---- rooms -----------------------------------------------------------------------------------------------

  function isOpen() {
    return socket !== null && socket.readyState === WebSocket.OPEN && connectedNode !== null;
  }

  /** What is wrong with a room name (the server's rule: 1 to 200 printable characters, no braces), or null. */
  function validRoom(name) {
    if (!name) return 'Enter a room name.';
    if (name.length > MAX_ROOM_LENGTH) return `A room name has at most ${MAX_ROOM_LENGTH} characters (this one has ${name.length}).`;
    if (/[{}]/.test(name)) return 'A room name may not hold “{” or “}”.';
    if (/[\p{Cc}]|\p{Cs}/u.test(name)) return 'A room name holds printable characters only.';
    return null;
  }

  function newRoom(state) {
    return { state, members: null, buffer: null, complete: true, timer: null, presenceId: null, position: null };
  }

  function joinRoom() {
    const name = ui.room.value.trim();
    const problem = validRoom(name);
    if (problem) return roomProblem(problem);
    if (!isOpen()) return roomProblem(wanted ? 'Not connected right now (reconnecting); try again in a moment.' : 'Connect first, then join a room.', ui.uid);
    const known = rooms.get(name);
    if (known && known.state === 'leaving') return roomProblem(`Still leaving room ${name}; join it again in a moment.`);
    if (known) {
      select(name);
      note(ui.roomNote, `You are in room ${name} already; it is the current room now.`);
      return;
    }
    const entry = newRoom('joining');
    rooms.set(name, entry);
    requestJoin(name, entry);
    select(name);
    note(ui.roomNote, `Joining ${name}…`);
  }

  /** Joins; a rejoin (after a reconnect) asks for the room's messages since the last one the page got. */
  function requestJoin(name, entry) {
    entry.state = 'joining';
    entry.members = null;
    entry.buffer = [];
    request('join', name, entry, entry.position);
  }

  function leaveRoom() {
    const name = ui.room.value.trim() || currentRoom;
    if (!name) return roomProblem('Enter the room to leave, or pick one of your rooms.');
    const entry = rooms.get(name);
    if (!entry || entry.state === 'leaving') return roomProblem(`You are not in room ${name}.`);
    if (!isOpen()) {
      // Nothing to tell the server: the connection is down, and so are its memberships.
      rooms.delete(name);
      clearTimeout(entry.timer);
      if (currentRoom === name) select(firstRoom());
      note(ui.roomNote, `Forgot room ${name}; it will not be rejoined.`);
      renderRooms();
      return;
    }
    entry.state = 'leaving';
    entry.buffer = null;
    request('leave', name, entry);
    note(ui.roomNote, `Leaving ${name}…`);
    renderRooms();
  }

  /** Sends a join, leave or presence frame with an id, to tell its answer from other members' presence events. */
  function request(kind, room, entry, since = null) {
    const id = String(nextId++);
    roomRequests.set(id, { kind, room, entry, since });
    const frame = { type: kind, room, id };
    if (since !== null) Object.assign(frame, { since: since.offset, epoch: since.epoch });
    socket.send(JSON.stringify(frame));
    if (kind === 'presence') {
      entry.presenceId = id;
      if (entry.buffer === null) entry.buffer = [];
    } else {
      clearTimeout(entry.timer);
      entry.timer = setTimeout(() => unanswered(room, entry, kind), ROOM_ANSWER_TIMEOUT_MS);
    }
    renderRooms();
  }

  function unanswered(room, entry, kind) {
    if (rooms.get(room) !== entry || entry.state !== (kind === 'join' ? 'joining' : 'leaving')) return;
    dropRoom(room);
    note(ui.roomNote, `No answer to ${kind === 'join' ? 'joining' : 'leaving'} room ${room}; it is off the list.`, 'warning');
  }

  /** A room this connection turned out to be in without asking (a service joined it): list it and ask who is in it. */
  function adopt(room) {
    const entry = newRoom('joined');
    rooms.set(room, entry);
    if (currentRoom === null) select(room);
    log('system', { body: 'You are in this room (joined by the server).', room });
    if (isOpen()) request('presence', room, entry);
    renderRooms();
  }

  function presenceChanged(frame) {
    const room = show(frame.room);
    const joined = frame.type === 'joined';
    const asked = frame.id !== undefined ? roomRequests.get(String(frame.id)) : undefined;
    if (asked && asked.kind === (joined ? 'join' : 'leave') && asked.room === room) {
      roomRequests.delete(String(frame.id));
      if (rooms.get(room) !== asked.entry) return; // left or forgotten meanwhile
      clearTimeout(asked.entry.timer);
      if (joined) {
        asked.entry.state = 'joined';
        const at = positionOf(frame);
        const replay = frame.recovered === true ? startReplay(room, asked.since, at) : null;
        const you = `as ${show(frame.uid)}`;
        if (replay !== null) {
          log('system', { body: `You joined again (${you}). Recovering ${plural(replay.expected, 'missed message')}…`, room });
          note(ui.roomNote, `Rejoined ${room}; recovering ${plural(replay.expected, 'message')}…`, 'ok');
          replay.done = (n) => note(ui.roomNote, `Rejoined ${room}; ${recoveredText(n, replay.expected)}.`,
            n === replay.expected ? 'ok' : 'warning');
        } else {
          roomPosition(room, at);
          if (frame.recovered === true) {
            log('system', { body: `You joined again (${you}). Recovered 0 messages: nothing was missed.`, room });
            note(ui.roomNote, `Rejoined ${room}; recovered 0 messages: nothing was missed.`, 'ok');
          } else if (frame.recovered === false) {
            log('system', { body: `You joined again (${you}).`, room });
            log('warning', { who: 'recovery', body: 'Could not recover: messages may be missing.', room,
              detail: asked.since ? `nothing after offset ${asked.since.offset} of epoch ${asked.since.epoch} could be replayed` : '' });
            note(ui.roomNote, `Rejoined ${room}; could not recover: messages may be missing.`, 'warning');
          } else {
            log('system', { body: `You joined (${you}).`, room });
            if (currentRoom === room) note(ui.roomNote, `In room ${room}.`, 'ok');
          }
        }
        request('presence', room, asked.entry);
      } else {
        dropRoom(room);
        log('system', { body: 'You left.', room });
        note(ui.roomNote, `Left room ${room}.`);
      }
      return;
    }
    // Another user's first connection joined, or its last one left. Only members hear it: an unknown room is one a
    // service joined this connection to (REST PUT).
    if (!rooms.has(room)) adopt(room);
    const entry = rooms.get(room);
    if (entry.state === 'leaving' || entry.state === 'offline') return;
    const uid = show(frame.uid);
    if (entry.buffer !== null) entry.buffer.push({ joined, uid });
    if (entry.members !== null) applyPresence(entry, joined, uid);
    log('system', { body: `${uid} ${joined ? 'joined' : 'left'}.`, room });
    renderRooms();
  }

  function applyPresence(entry, joined, uid) {
    if (joined) entry.members.add(uid); else entry.members.delete(uid);
  }

  function presenceListed(frame) {
    const room = show(frame.room);
    if (frame.id !== undefined) roomRequests.delete(String(frame.id));
    const entry = rooms.get(room);
    if (!entry || entry.state !== 'joined') return;
    if (frame.id !== undefined && String(frame.id) !== entry.presenceId) return; // an older request's answer
    entry.members = new Set(Array.isArray(frame.users) ? frame.users.map(show) : []);
    for (const change of entry.buffer || []) applyPresence(entry, change.joined, change.uid);
    entry.buffer = null;
    entry.complete = frame.complete !== false;
    renderRooms();
  }

  /** The room an error frame is about, when it answers a room command of ours (by its text: a publish's error). */
  function roomOfError(message) {
    for (const room of rooms.keys()) {
      if (message === `this connection may not join room ${room}`
          || message === `the connection could not join room ${room}`
          || message === `only members of room ${room} may publish to it; join it first`
          || message === `only members of room ${room} may ask who is in it`) {
        return room;
      }
    }
    return null;
  }

  function roomRefused(room, text) {
    dropRoom(room);
    note(ui.roomNote, `Not in room ${room}: ${text}`, 'error');
  }

  function dropRoom(room) {
    const entry = rooms.get(room);
    if (entry) clearTimeout(entry.timer);
    rooms.delete(room);
    if (currentRoom === room) select(firstRoom());
    renderRooms();
  }

  function firstRoom() {
    for (const [name, entry] of rooms) if (entry.state !== 'leaving') return name;
    return null;
  }

  /** The connection dropped: its memberships are gone with it; the rooms are rejoined on reconnect. */
  function roomsOffline() {
    roomRequests.clear();
    // Each room keeps its position: the rejoin recovers from it.
    for (const [name, entry] of rooms) {
      clearTimeout(entry.timer);
      if (entry.state === 'leaving') rooms.delete(name);
      else Object.assign(entry, { state: 'offline', members: null, buffer: null, presenceId: null });
    }
    if (currentRoom !== null && !rooms.has(currentRoom)) select(firstRoom());
    renderRooms();
  }

  function rejoinRooms() {
    if (rooms.size === 0) return;
    log('system', { body: `Rejoining ${rooms.size} room${rooms.size === 1 ? '' : 's'}: ${[...rooms.keys()].join(', ')}.` });
    for (const [name, entry] of rooms) requestJoin(name, entry);
  }

  /** Disconnected for good: the rooms go with the connection. */
  function forgetRooms() {
    roomRequests.clear();
    for (const entry of rooms.values()) clearTimeout(entry.timer);
    rooms.clear();
    currentRoom = null;
    renderRooms();
  }

  function select(room) {
    currentRoom = room;
    if (room !== null) ui.room.value = room;
    renderRooms();
  }

  function roomProblem(text, field = ui.room) {
    note(ui.roomNote, text, 'error');
    field.focus();
  }

  async function kick(uid, button) {
    button.disabled = true;
    try {
      const response = await fetch(`api/users/${encodeURIComponent(uid)}/disconnect?code=${KICK_CODE}`
        + `&reason=${encodeURIComponent(KICK_REASON)}`, { method: 'POST', headers: { Accept: 'application/json' } });
      const body = await response.json().catch(() => null);
      if (!response.ok) throw new Error(body && body.message ? show(body.message) : `HTTP ${response.status}`);
      const n = Number(body && body.routed);
      const text = n > 0 ? `Kicked ${uid}: closed ${n} connection${n === 1 ? '' : 's'} with ${KICK_CODE} “${KICK_REASON}”.`
        : `${uid} has no connection to close.`;
      log('system', { body: text });
      note(ui.roomNote, text, 'ok');
    } catch (e) {
      log('error', { who: 'kick', body: `Could not kick ${uid}: ${e.message}` });
      note(ui.roomNote, `Could not kick ${uid}: ${e.message}`, 'error');
    } finally {
      button.disabled = false;
    }
  }

  /** Makes a list's items match keys, in order, reusing the items of keys it had (so focus stays put). */
  function syncList(list, keys, create, update) {
    const have = new Map([...list.children].map((li) => [li.dataset.key, li]));
    keys.forEach((key, i) => {
      let li = have.get(key);
      have.delete(key);
      if (!li) {
        li = create(key);
        li.dataset.key = key;
      }
      update(li, key);
      if (list.children[i] !== li) list.insertBefore(li, list.children[i] || null);
    });
    have.forEach((li) => li.remove());
  }

  const STATE_TEXT = { joining: 'joining…', leaving: 'leaving…', offline: 'rejoins on reconnect', joined: '' };

  function renderRooms() {
    syncList(ui.rooms, [...rooms.keys()], (name) => {
      const li = document.createElement('li');
      li.dataset.testid = 'room-item';
      li.dataset.room = name;
      const label = document.createElement('label');
      const radio = document.createElement('input');
      radio.type = 'radio';
      radio.name = 'current-room';
      radio.value = name;
      radio.dataset.testid = 'room-option';
      radio.addEventListener('change', () => { if (radio.checked) select(name); });
      label.append(radio, span('room-name', name), span('room-state muted small', ''));
      li.append(label);
      return li;
    }, (li, name) => {
      const entry = rooms.get(name);
      li.dataset.state = entry.state;
      li.title = entry.position ? `${name}: offset ${entry.position.offset} · epoch ${entry.position.epoch}` : name;
      if (entry.position) li.dataset.offset = String(entry.position.offset); else delete li.dataset.offset;
      li.classList.toggle('current', name === currentRoom);
      li.querySelector('input').checked = name === currentRoom;
      li.querySelector('.room-state').textContent = STATE_TEXT[entry.state];
    });
    ui.roomsEmpty.hidden = rooms.size > 0;
    renderMembers();
    const current = currentRoom !== null ? rooms.get(currentRoom) : null;
    ui.sendRoomTarget.textContent = current
      ? `“Send to room” publishes to ${currentRoom}${current.state === 'joined' ? '' : ` (${STATE_TEXT[current.state]})`}.`
      : 'No room joined: “Send to room” publishes to the current room of the Rooms panel.';
    ui.sendRoomTarget.dataset.room = currentRoom ?? '';
  }

  function renderMembers() {
    const entry = currentRoom !== null ? rooms.get(currentRoom) : null;
    const members = entry && entry.members ? [...entry.members].sort((a, b) => (a === uid ? -1 : b === uid ? 1 : a.localeCompare(b))) : [];
    // "Members (2)": the current room is the one picked in the list next to it (screen readers hear its name).
    ui.membersOf.replaceChildren(...(entry ? [span('sr-only', ` of ${currentRoom}`)] : []),
      ...(entry && entry.members ? [` (${members.length})`] : []));
    ui.members.dataset.room = currentRoom ?? '';
    syncList(ui.members, members, (member) => {
      const li = document.createElement('li');
      li.dataset.testid = 'member';
      li.dataset.uid = member;
      li.className = 'member';
      li.append(span('member-name', member));
      if (member === uid) {
        li.append(span('you muted small', 'you'));
      } else {
        const button = document.createElement('button');
        button.type = 'button';
        button.className = 'kick';
        button.dataset.testid = 'kick';
        button.textContent = 'kick';
        button.setAttribute('aria-label', `Kick ${member}: close all their connections (code ${KICK_CODE})`);
        button.title = `Close every connection of ${member} with ${KICK_CODE} “${KICK_REASON}”`;
        button.addEventListener('click', () => kick(member, button));
        li.append(button);
      }
      return li;
    }, () => {});
    let empty = 'Join a room to see who is in it.';
    if (entry && entry.state === 'joined' && entry.members === null) empty = 'Asking who is in it…';
    else if (entry && entry.state !== 'joined') empty = STATE_TEXT[entry.state];
    else if (entry) empty = entry.complete ? '' : 'The list is incomplete (the server lists only so many).';
    ui.membersEmpty.textContent = empty;
    ui.membersEmpty.hidden = members.length > 0 && empty === '';
  }

  // ---- the cluster -----------------------------------------------------------------------------------------

  async function loadNodes() {
    try {
      const response = await fetch('api/nodes', { cache: 'no-store', headers: { Accept: 'application/json' } });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const body = await response.json();
      ui.servedBy.textContent = show(body.self);
      ui.servedBy.dataset.node = show(body.self);
      const count = Array.isArray(body.nodes) ? body.nodes.length : 0;
      ui.clusterSize.textContent = `· ${count} node${count === 1 ? '' : 's'} live`;
      ui.clusterSize.title = (body.nodes || []).map((n) => `${n.node}: ${n.connections} connection(s), ${n.driver}`).join('\n');
    } catch (e) {
      ui.servedBy.textContent = 'unknown';
      ui.clusterSize.textContent = `(api/nodes failed: ${e.message})`;
    }
  }

  // ---- wiring ----------------------------------------------------------------------------------------------

  ui.connectForm.addEventListener('submit', (event) => { event.preventDefault(); if (!wanted) connect(); });
  ui.disconnect.addEventListener('click', disconnect);
  ui.composeForm.addEventListener('submit', (event) => { event.preventDefault(); submit('send'); });
  ui.sendMany.addEventListener('click', () => submit('sendMulti'));
  ui.broadcast.addEventListener('click', () => submit('broadcast'));
  ui.sendRoom.addEventListener('click', () => submit('publish'));
  ui.roomForm.addEventListener('submit', (event) => { event.preventDefault(); joinRoom(); });
  ui.leave.addEventListener('click', leaveRoom);
  ui.message.addEventListener('input', updateSize);
  ui.message.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) { event.preventDefault(); submit('send'); }
  });
  ui.clearLog.addEventListener('click', () => { ui.log.replaceChildren(); ui.logEmpty.hidden = false; followLog = true; });

  const fromQuery = new URLSearchParams(location.search).get('uid');
  if (fromQuery) ui.uid.value = fromQuery;
  setState('disconnected');
  forgetPosition();
  updateSize();
  renderRooms();
  loadNodes();
})();
