// The distribute-ws demo client: one WebSocket to the node that served this page, a form to send through the
// cluster, and a log of what arrives. Everything shown that came from a user or the server goes in via textContent.
(() => {
  'use strict';

  const MAX_UID_LENGTH = 128;          // the server closes with 1008 beyond this
  const MAX_RECIPIENTS = 1000;         // the server's limit for sendMulti
  const MAX_MESSAGE_BYTES = 64 * 1024; // the demo's own limit; the server closes frames over 1 MiB with 1009
  const BACKOFF_MIN_MS = 500;
  const BACKOFF_MAX_MS = 10_000;
  const MAX_LOG_ENTRIES = 500;

  const $ = (id) => document.getElementById(id);
  const ui = {
    servedBy: $('served-by'), clusterSize: $('cluster-size'),
    connectForm: $('connect-form'), uid: $('uid'), connect: $('connect'), disconnect: $('disconnect'),
    state: $('state'), fd: $('fd'), node: $('node'), connectionNote: $('connection-note'),
    composeForm: $('compose-form'), to: $('to'), message: $('message'), size: $('size'),
    send: $('send'), sendMany: $('send-many'), broadcast: $('broadcast'), composeNote: $('compose-note'),
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

  /** Appends one entry; kind is message | binary | sent | error | system. Returns the entry element. */
  function log(kind, { who = '', body = '', detail = '' } = {}) {
    const li = document.createElement('li');
    li.className = `entry entry-${kind}`;
    li.dataset.testid = 'log-entry';
    li.dataset.kind = kind;

    const meta = document.createElement('div');
    meta.className = 'meta';
    if (who) meta.append(span('who', who, 'from'));
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

    const atBottom = ui.log.scrollHeight - ui.log.scrollTop - ui.log.clientHeight < 40;
    ui.log.append(li);
    while (ui.log.childElementCount > MAX_LOG_ENTRIES) ui.log.firstElementChild.remove();
    ui.logEmpty.hidden = true;
    if (atBottom) ui.log.scrollTop = ui.log.scrollHeight;
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
    note(ui.connectionNote, '');
    open();
  }

  function open() {
    reconnectTimer = null;
    const url = new URL('ws', location.href);
    url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
    url.search = `?uid=${encodeURIComponent(uid)}`;
    url.hash = '';
    const ws = new WebSocket(url);
    ws.binaryType = 'arraybuffer';
    socket = ws;
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
    setState('disconnected');
    note(ui.connectionNote, 'Disconnected. No reconnect until you click Connect.');
    log('system', { body: `Disconnected (${uid}).` });
  }

  function closed(event) {
    socket = null;
    awaitingAck.clear();
    const why = `code ${event.code}${event.reason ? `: ${event.reason}` : ''}`;
    if (event.code === 1008) {
      // Policy violation: the server refused this user id; trying again would only repeat it.
      wanted = false;
      setState('disconnected');
      note(ui.connectionNote, `The server refused the connection (${why}).`, 'error');
      log('error', { who: 'server', body: `Connection refused (${why})` });
      return;
    }
    const lost = connectedNode !== null || attempt > 0;
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
      // A binary frame carries only the payload: the sender is not known.
      log('binary', { who: 'binary frame', body: `binary frame, ${data.byteLength} bytes: ${decoder.decode(data)}` });
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
      case 'message': log('message', { who: show(frame.from), body: show(frame.data) }); break;
      case 'error': serverError(frame); break;
      case 'ack': acked(frame); break;
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
    const text = `${again ? 'Reconnected' : 'Connected'} as ${show(frame.uid)} to node ${connectedNode} (fd ${show(frame.fd)}).`;
    note(ui.connectionNote, text, 'ok');
    log('system', { body: text });
    loadNodes();
  }

  function serverError(frame) {
    const text = `${show(frame.code)}: ${show(frame.message)}`;
    log('error', { who: 'server', body: text });
    note(ui.composeNote, `Server error — ${text}`, 'error');
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
    const { to, problem } = recipients(kind);
    if (problem) return fail(problem, ui.to);

    const binary = document.querySelector('input[name="opcode"]:checked').value === 'binary';
    const id = String(nextId++);
    const frame = { type: kind, data: text, id };
    if (to !== null) frame.to = to;
    if (binary) frame.opcode = 'binary';
    socket.send(JSON.stringify(frame));

    const target = kind === 'broadcast' ? 'everyone' : Array.isArray(to) ? to.join(', ') : to;
    const entry = log('sent', { who: `you → ${target}`, body: text, detail: binary ? 'binary · sent' : 'sent' });
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
  ui.message.addEventListener('input', updateSize);
  ui.message.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) { event.preventDefault(); submit('send'); }
  });
  ui.clearLog.addEventListener('click', () => { ui.log.replaceChildren(); ui.logEmpty.hidden = false; });

  const fromQuery = new URLSearchParams(location.search).get('uid');
  if (fromQuery) ui.uid.value = fromQuery;
  setState('disconnected');
  updateSize();
  loadNodes();
})();
