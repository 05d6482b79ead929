// The distribute-ws demo client: a form to send through the cluster, rooms with live presence, and a log of what
// arrives. The connection is a DistwsClient (distws.js) to the node that served this page: it reconnects with
// back-off, recovers what the user and its rooms missed meanwhile and re-joins the rooms; this page shows what it
// does. Everything shown that came from a user or the server goes in via textContent.
import { DistwsClient } from './distws.js';

const MAX_UID_LENGTH = 128;          // the server closes with 1008 beyond this
const MAX_RECIPIENTS = 1000;         // the server's limit for sendMulti
const MAX_MESSAGE_BYTES = 64 * 1024; // the demo's own limit; the server closes frames over 1 MiB with 1009
const MAX_LOG_ENTRIES = 500;
const MAX_ROOM_LENGTH = 200;         // the server's default distws.rooms.max-name-length
const KICK_CODE = 4000;              // the close code (and reason) of the kick button
const KICK_REASON = 'kicked from the demo';

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

let client = null;         // from Connect until Disconnect or a close for good: a new one starts from now
let uid = null;            // the user id it connects as
let connectedNode = null;  // node id from the welcome
let everConnected = false; // the client was welcomed once: a close is a lost connection, not a refused one
let welcomeText = '';      // "Connected as ... (fd ...)", completed by the recovery that follows it

// Rooms, in the order joined: name -> { state, members, buffer, complete, presence, position, wasJoined }. state is
// joining | joined | leaving | offline (the connection is down; the client re-joins on reconnect). members is the
// Set of user ids (null until the first presence answer); buffer holds the joined/left events that arrive while a
// presence answer is awaited, applied on top of it (they may be newer than the list it carries). position is the
// room stream's last position (the client re-joins from it).
const rooms = new Map();
let currentRoom = null;

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

function plural(n, what) {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
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

/** A DistwsError as the log shows it: the server's "code: message", or the client's own reason. */
function errorText(e) {
  return `${show(e.code)}: ${show(e.message)}`;
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
  ui.connect.disabled = client !== null;
  ui.uid.disabled = client !== null;
  ui.disconnect.disabled = client === null;
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
  everConnected = false;
  showPosition(null); // a new client: it starts from now
  note(ui.connectionNote, '');
  const url = new URL('ws', location.href);
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  url.search = '';
  url.hash = '';
  const c = new DistwsClient(url.href, { uid });
  client = c;
  // Events of a client given up on (Disconnect) are ignored.
  const on = (type, fn) => c.on(type, (detail) => { if (client === c) fn(detail); });
  on('state', stateChanged);
  on('message', messageReceived);
  on('position', ({ room, offset, epoch }) => (room === null ? showPosition({ offset, epoch }) : roomPosition(room, { offset, epoch })));
  on('recovered', recovered);
  on('notRecovered', notRecovered);
  on('lost', lost);
  on('joined', ({ room, uid: who, self }) => (self ? joined(room, who) : memberChanged(room, who, true)));
  on('left', ({ room, uid: who, self }) => { if (!self) memberChanged(room, who, false); });
  on('error', clientError);
  setState('connecting');
  c.connect().catch(() => {}); // a close for good is told by the state event
}

function disconnect() {
  const c = client;
  client = null;
  c?.close();
  forgetRooms();
  showPosition(null);
  setState('disconnected');
  note(ui.connectionNote, 'Disconnected. No reconnect until you click Connect.');
  log('system', { body: `Disconnected (${uid}).` });
}

function stateChanged({ state, code, reason, attempt, delay, fd, node }) {
  if (state === 'connected') return welcomed(fd, node);
  if (state === 'connecting') return setState('connecting');
  ui.state.dataset.closeCode = String(code);
  const why = `code ${code}${reason ? `: ${reason}` : ''}`;
  if (state === 'reconnecting') {
    setState('reconnecting');
    roomsOffline();
    const text = `${everConnected ? 'Connection lost' : 'Could not connect'} (${why}). `
      + `Reconnecting in ${(delay / 1000).toFixed(1)} s (attempt ${attempt})…`;
    note(ui.connectionNote, text, 'warning');
    if (attempt === 1) log('system', { body: text });
    return;
  }
  // closed: the server refused this user id (1008 before the welcome), or closed the connection for good (1008: a
  // policy, 4000-4999: the application, such as a kick). The client does not reconnect: it would only repeat it or
  // undo it.
  client = null;
  forgetRooms();
  showPosition(null);
  setState('disconnected');
  const closedWith = `closed ${code}${reason ? ` ${reason}` : ''}`;
  if (everConnected) {
    note(ui.connectionNote, `${closedWith} — the server closed this connection; no reconnect until you click Connect.`,
      'error');
    log('error', { who: 'server', body: closedWith });
  } else {
    note(ui.connectionNote, `The server refused the connection (${why}).`, 'error');
    log('error', { who: 'server', body: `Connection refused (${why})` });
  }
}

function welcomed(fd, node) {
  connectedNode = show(node);
  setState('connected');
  ui.fd.textContent = show(fd);
  ui.node.textContent = connectedNode;
  welcomeText = `${everConnected ? 'Reconnected' : 'Connected'} as ${uid} to node ${connectedNode} (fd ${show(fd)})`;
  everConnected = true;
  // A recovery, when one follows, completes the note ("recovered 3 messages").
  note(ui.connectionNote, `${welcomeText}.`, 'ok');
  log('system', { body: `${welcomeText}.` });
  loadNodes();
  // The client re-joins its rooms; a room a service had joined this connection to went with the old connection.
  for (const room of [...rooms.keys()]) if (!client.rooms.includes(room)) dropRoom(room);
  if (rooms.size > 0) log('system', { body: `Rejoining ${plural(rooms.size, 'room')}: ${[...rooms.keys()].join(', ')}.` });
}

function messageReceived({ from, room, data, offset, epoch, binary, recovered: wasMissed }) {
  // A message of a room this page does not list: a service joined this connection to it (REST PUT).
  if (room !== null && !rooms.has(room)) adopt(room);
  const entry = binary
    ? log('binary', { who: 'binary frame', body: `binary frame, ${data.byteLength} bytes: ${decoder.decode(data)}`, room })
    : log('message', { who: show(from), body: show(data), room });
  if (offset === null) return; // a broadcast, or history off
  entry.dataset.offset = String(offset);
  entry.title = `offset ${offset} · epoch ${epoch}`;
  if (wasMissed) {
    entry.dataset.recovered = 'true';
    entry.append(span('detail', `recovered · offset ${offset}`, 'detail'));
  }
}

// ---- history: positions and recovery (the client keeps them; the page shows them) ------------------------

function showPosition(at) {
  ui.position.textContent = at ? `${at.offset} · epoch ${at.epoch}` : '—';
  if (at) Object.assign(ui.position.dataset, { offset: String(at.offset), epoch: at.epoch });
  else { delete ui.position.dataset.offset; delete ui.position.dataset.epoch; }
}

function roomPosition(room, at) {
  const entry = rooms.get(room);
  if (!entry) return;
  entry.position = at;
  renderRooms();
}

/** The missed messages of a stream (room null: the user's) were delivered after a reconnect or a re-join. */
function recovered({ room, count, expected }) {
  const complete = count >= expected;
  const text = expected === 0 ? 'recovered 0 messages: nothing was missed'
    : complete ? `recovered ${plural(count, 'message')}`
      : `recovered ${count} of ${plural(expected, 'message')}: messages may be missing`;
  log(complete ? 'system' : 'warning', { who: complete ? '' : 'recovery', body: `${text[0].toUpperCase()}${text.slice(1)}.`, room });
  if (room === null) note(ui.connectionNote, `${welcomeText}; ${text}.`, complete ? 'ok' : 'warning');
  else note(ui.roomNote, `Rejoined ${room}; ${text}.`, complete ? 'ok' : 'warning');
}

function notRecovered({ room }) {
  log('warning', { who: 'recovery', body: 'Could not recover: messages may be missing.', room });
  const text = 'could not recover: messages may be missing.';
  if (room === null) note(ui.connectionNote, `${welcomeText}; ${text}`, 'warning');
  else note(ui.roomNote, `Rejoined ${room}; ${text}`, 'warning');
}

/** Messages of a stream are gone for good; the client goes on from the given position. */
function lost({ room, offset, message }) {
  log('error', { who: 'server', body: `lost: ${show(message)}`, room,
    detail: offset !== null ? `going on from offset ${offset}` : '' });
  note(room === null ? ui.connectionNote : ui.roomNote, `Messages lost: ${show(message)}.`, 'error');
}

/** A server error that answers no request of this page, or a re-join the server refused. */
function clientError(e) {
  log('error', { who: e.frame ? 'server' : 'client', body: errorText(e), room: e.room ?? null });
  if (e.room) roomRefused(e.room, errorText(e));
  else note(ui.composeNote, `Server error — ${errorText(e)}`, 'error');
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

async function submit(kind) {
  const fail = (text, field) => {
    note(ui.composeNote, text, 'error');
    if (field) field.focus();
  };
  if (client?.state !== 'connected') {
    return fail(client ? 'Not connected right now (reconnecting); nothing was sent.' : 'Connect first; nothing was sent.', ui.uid);
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
  const sending = kind === 'send' ? client.send(to, text, { binary })
    : kind === 'sendMulti' ? client.sendMulti(to, text, { binary })
      : kind === 'broadcast' ? client.broadcast(text, { binary })
        : client.publish(room, text, { binary });
  const target = kind === 'broadcast' ? 'everyone' : kind === 'publish' ? 'room' : Array.isArray(to) ? to.join(', ') : to;
  const entry = log('sent', { who: `you → ${target}`, body: text, detail: binary ? 'binary · sent' : 'sent', room });
  entry.dataset.opcode = binary ? 'binary' : 'text';
  note(ui.composeNote, '');
  ui.message.value = '';
  updateSize();
  ui.message.focus();

  const detail = entry.querySelector('[data-field="detail"]');
  try {
    const n = Number((await sending).routed);
    const routed = `routed to ${n} connection${n === 1 ? '' : 's'}`;
    detail.textContent = binary ? `binary · ${routed}` : routed;
    detail.dataset.routed = String(n);
  } catch (e) {
    if (!e.frame) {
      // timeout, disconnected (whether it arrived is unknown), closed
      detail.textContent = `not acknowledged (${show(e.code)})`;
      if (e.code !== 'closed') note(ui.composeNote, `No answer: ${show(e.message)}`, 'warning');
      return;
    }
    detail.textContent = `not routed (${show(e.code)})`;
    log('error', { who: 'server', body: errorText(e) });
    if (kind === 'publish' && e.code === 'forbidden' && rooms.has(room)) roomRefused(room, errorText(e));
    else note(ui.composeNote, `Server error — ${errorText(e)}`, 'error');
  }
}

function updateSize() {
  const bytes = encoder.encode(ui.message.value).length;
  ui.size.textContent = `${formatBytes(bytes)} / ${formatBytes(MAX_MESSAGE_BYTES)}`;
  ui.size.classList.toggle('over', bytes > MAX_MESSAGE_BYTES);
}

// ---- rooms -----------------------------------------------------------------------------------------------

/** What is wrong with a room name (the server's rule: 1 to 200 printable characters, no braces), or null. */
function validRoom(name) {
  if (!name) return 'Enter a room name.';
  if (name.length > MAX_ROOM_LENGTH) return `A room name has at most ${MAX_ROOM_LENGTH} characters (this one has ${name.length}).`;
  if (/[{}]/.test(name)) return 'A room name may not hold “{” or “}”.';
  if (/[\p{Cc}]|\p{Cs}/u.test(name)) return 'A room name holds printable characters only.';
  return null;
}

function newRoom(state) {
  return { state, members: null, buffer: [], complete: true, presence: null, position: null, wasJoined: false };
}

function joinRoom() {
  const name = ui.room.value.trim();
  const problem = validRoom(name);
  if (problem) return roomProblem(problem);
  if (client?.state !== 'connected') {
    return roomProblem(client ? 'Not connected right now (reconnecting); try again in a moment.' : 'Connect first, then join a room.', ui.uid);
  }
  const known = rooms.get(name);
  if (known && known.state === 'leaving') return roomProblem(`Still leaving room ${name}; join it again in a moment.`);
  if (known) {
    select(name);
    note(ui.roomNote, `You are in room ${name} already; it is the current room now.`);
    return;
  }
  const entry = newRoom('joining');
  rooms.set(name, entry);
  select(name);
  note(ui.roomNote, `Joining ${name}…`);
  // Its answer is the "joined" event (also after each re-join); a refusal or no answer (the client gives up after
  // 10 s) drops the room.
  client.join(name).catch((e) => {
    if (rooms.get(name) !== entry || e.code === 'closed' || e.code === 'cancelled') return;
    if (e.code === 'timeout') return unanswered(name, 'joining');
    if (e.frame) log('error', { who: 'server', body: errorText(e), room: name });
    roomRefused(name, errorText(e));
  });
}

/** Joined, or re-joined after a reconnect (the client does that, from the room's position). */
function joined(room, who) {
  const entry = rooms.get(room);
  if (!entry || entry.state === 'leaving') return;
  const again = entry.wasJoined;
  Object.assign(entry, { state: 'joined', wasJoined: true });
  log('system', { body: `You joined${again ? ' again' : ''} (as ${show(who)}).`, room });
  if (again) note(ui.roomNote, `Rejoined ${room}.`, 'ok'); // a recovery, when one follows, completes it
  else if (currentRoom === room) note(ui.roomNote, `In room ${room}.`, 'ok');
  askPresence(room, entry);
}

function leaveRoom() {
  const name = ui.room.value.trim() || currentRoom;
  if (!name) return roomProblem('Enter the room to leave, or pick one of your rooms.');
  const entry = rooms.get(name);
  if (!entry || entry.state === 'leaving') return roomProblem(`You are not in room ${name}.`);
  if (client?.state !== 'connected') {
    // Nothing to tell the server: the connection is down, and so are its memberships.
    client?.leave(name).catch(() => {});
    dropRoom(name);
    note(ui.roomNote, `Forgot room ${name}; it will not be rejoined.`);
    return;
  }
  Object.assign(entry, { state: 'leaving', buffer: null });
  note(ui.roomNote, `Leaving ${name}…`);
  renderRooms();
  client.leave(name).then(() => {
    if (rooms.get(name) !== entry) return;
    dropRoom(name);
    log('system', { body: 'You left.', room: name });
    note(ui.roomNote, `Left room ${name}.`);
  }, (e) => {
    if (rooms.get(name) !== entry) return;
    if (e.code === 'timeout') return unanswered(name, 'leaving');
    dropRoom(name); // the client does not re-join it either way
    if (e.frame) log('error', { who: 'server', body: errorText(e), room: name });
    note(ui.roomNote, `Left room ${name} (${errorText(e)}).`, 'warning');
  });
}

function unanswered(room, doing) {
  dropRoom(room);
  note(ui.roomNote, `No answer to ${doing} room ${room}; it is off the list.`, 'warning');
}

/** Asks who is in the room; joined/left events that arrive meanwhile are applied on top of the answer. */
function askPresence(room, entry) {
  const asked = {};
  Object.assign(entry, { presence: asked, buffer: entry.buffer ?? [] });
  renderRooms();
  client.presence(room).then(({ users, complete }) => {
    if (rooms.get(room) !== entry || entry.presence !== asked || entry.state !== 'joined') return; // outdated
    entry.members = new Set(users.map(show));
    for (const change of entry.buffer ?? []) applyPresence(entry, change.joined, change.uid);
    Object.assign(entry, { buffer: null, complete });
    renderRooms();
  }, (e) => {
    if (rooms.get(room) !== entry || entry.presence !== asked || e.code === 'closed' || e.code === 'disconnected') return;
    log('error', { who: e.frame ? 'server' : 'client', body: errorText(e), room });
  });
}

/** A room this connection turned out to be in without asking (a service joined it): list it and ask who is in it. */
function adopt(room) {
  const entry = newRoom('joined');
  rooms.set(room, entry);
  if (currentRoom === null) select(room);
  log('system', { body: 'You are in this room (joined by the server).', room });
  askPresence(room, entry);
}

/** Another user's first connection joined the room, or its last one left. */
function memberChanged(room, who, hasJoined) {
  // Only members hear it: an unknown room is one a service joined this connection to (REST PUT).
  if (!rooms.has(room)) adopt(room);
  const entry = rooms.get(room);
  if (entry.state === 'leaving' || entry.state === 'offline') return;
  const member = show(who);
  if (entry.buffer !== null) entry.buffer.push({ joined: hasJoined, uid: member });
  if (entry.members !== null) applyPresence(entry, hasJoined, member);
  log('system', { body: `${member} ${hasJoined ? 'joined' : 'left'}.`, room });
  renderRooms();
}

function applyPresence(entry, hasJoined, member) {
  if (hasJoined) entry.members.add(member); else entry.members.delete(member);
}

function roomRefused(room, text) {
  dropRoom(room);
  note(ui.roomNote, `Not in room ${room}: ${text}`, 'error');
}

function dropRoom(room) {
  rooms.delete(room);
  if (currentRoom === room) select(firstRoom());
  renderRooms();
}

function firstRoom() {
  for (const [name, entry] of rooms) if (entry.state !== 'leaving') return name;
  return null;
}

/** The connection dropped: its memberships are gone with it; the client re-joins the rooms on reconnect. */
function roomsOffline() {
  for (const [name, entry] of rooms) {
    if (entry.state === 'leaving') rooms.delete(name);
    else Object.assign(entry, { state: 'offline', members: null, buffer: [], presence: null });
  }
  if (currentRoom !== null && !rooms.has(currentRoom)) select(firstRoom());
  renderRooms();
}

/** Disconnected for good: the rooms go with the client. */
function forgetRooms() {
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

async function kick(member, button) {
  button.disabled = true;
  try {
    const response = await fetch(`api/users/${encodeURIComponent(member)}/disconnect?code=${KICK_CODE}`
      + `&reason=${encodeURIComponent(KICK_REASON)}`, { method: 'POST', headers: { Accept: 'application/json' } });
    const body = await response.json().catch(() => null);
    if (!response.ok) throw new Error(body && body.message ? show(body.message) : `HTTP ${response.status}`);
    const n = Number(body && body.routed);
    const text = n > 0 ? `Kicked ${member}: closed ${plural(n, 'connection')} with ${KICK_CODE} “${KICK_REASON}”.`
      : `${member} has no connection to close.`;
    log('system', { body: text });
    note(ui.roomNote, text, 'ok');
  } catch (e) {
    log('error', { who: 'kick', body: `Could not kick ${member}: ${e.message}` });
    note(ui.roomNote, `Could not kick ${member}: ${e.message}`, 'error');
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

ui.connectForm.addEventListener('submit', (event) => { event.preventDefault(); if (client === null) connect(); });
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
showPosition(null);
updateSize();
renderRooms();
loadNodes();
