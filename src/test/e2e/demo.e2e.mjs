#!/usr/bin/env node
// End-to-end test of the demo page: two browser pages on two nodes chat through the cluster.
//
//   node demo.e2e.mjs <baseUrl1> <baseUrl2> <screenshot.png>
//
// Drives Debian's Chromium (/usr/bin/chromium, or $CHROMIUM) headless with a fresh profile. Exits 0 when every check
// passed, 1 with a message naming the failed check, 2 on bad usage. Leaves <screenshot.png>: both pages side by side
// after the exchange (and, on a failure, <screenshot>.failure-page<n>.png of each page).
import { chromium } from 'playwright-core';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const TIMEOUT_MS = 15_000;          // for any one expected change on a page
const OVERALL_TIMEOUT_MS = 180_000; // the whole run, browser start included
const VIEWPORT = { width: 1024, height: 800 };
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-quic',
];

class CheckFailed extends Error {}

const [base1, base2, screenshotArg] = process.argv.slice(2);
if (!base1 || !base2 || !screenshotArg) {
  console.error('usage: node demo.e2e.mjs <baseUrl1> <baseUrl2> <screenshot.png>');
  process.exit(2);
}
if (!existsSync(CHROMIUM)) {
  console.error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium)`);
  process.exit(1);
}
const screenshot = resolve(screenshotArg);
const watchdog = setTimeout(() => {
  console.error(`FAILED: the run took longer than ${OVERALL_TIMEOUT_MS / 1000} s`);
  process.exit(1);
}, OVERALL_TIMEOUT_MS);

const run = Math.random().toString(36).slice(2, 8);
const alice = `alice-${run}`;
const bob = `bob-${run}`;
const nobody = `nobody-${run}`;
let checks = 0;

function check(condition, message) {
  if (!condition) throw new CheckFailed(message);
  checks += 1;
}

function pass(what) {
  console.log(`  ok  ${what}`);
}

const byTestId = (page, id) => page.locator(`[data-testid="${id}"]`);

/** The log as text, for failure messages. */
async function dumpLog(page) {
  const lines = await page.locator('[data-testid="log-entry"]').evaluateAll((items) => items.map((li) => {
    const f = (n) => li.querySelector(`[data-field="${n}"]`)?.textContent ?? '';
    return `    [${li.dataset.kind}] ${f('from')} | ${f('node')} | ${f('body')} | ${f('detail')}`;
  }));
  return lines.length ? lines.join('\n') : '    (empty)';
}

/**
 * Waits until the page's log holds an entry of this kind whose sender and body are exactly these (null: any), and
 * returns its fields.
 */
async function waitForEntry(page, label, want) {
  try {
    const handle = await page.waitForFunction((w) => {
      for (const li of document.querySelectorAll('[data-testid="log-entry"]')) {
        const f = (n) => li.querySelector(`[data-field="${n}"]`)?.textContent ?? null;
        if (li.dataset.kind === w.kind && (w.from == null || f('from') === w.from)
            && (w.body == null || f('body') === w.body) && (w.detail == null || f('detail') === w.detail)) {
          return { kind: li.dataset.kind, from: f('from'), body: f('body'), node: f('node'), time: f('time') };
        }
      }
      return null;
    }, want, { timeout: TIMEOUT_MS, polling: 100 });
    return await handle.jsonValue();
  } catch (e) {
    if (!(e instanceof Error) || e.name !== 'TimeoutError') throw e;
    throw new CheckFailed(`${label}: no log entry ${JSON.stringify(want)} within ${TIMEOUT_MS} ms; the log shows:\n`
      + await dumpLog(page));
  }
}

/** Waits until the element's text satisfies the test (a RegExp or a string it must equal); returns the text. */
async function waitForText(page, testId, expected, label) {
  const locator = byTestId(page, testId);
  const matches = (text) => (expected instanceof RegExp ? expected.test(text) : text === expected);
  const deadline = Date.now() + TIMEOUT_MS;
  try {
    await locator.waitFor({ state: 'attached', timeout: TIMEOUT_MS });
    const source = expected instanceof RegExp ? { re: expected.source, flags: expected.flags } : { eq: expected };
    await page.waitForFunction(([id, s]) => {
      const text = document.querySelector(`[data-testid="${id}"]`)?.textContent ?? '';
      return s.re !== undefined ? new RegExp(s.re, s.flags).test(text) : text === s.eq;
    }, [testId, source], { timeout: Math.max(1, deadline - Date.now()), polling: 100 });
  } catch (e) {
    if (!(e instanceof Error) || e.name !== 'TimeoutError') throw e;
    const actual = await locator.textContent().catch(() => '(missing)');
    throw new CheckFailed(`${label}: [data-testid=${testId}] shows ${JSON.stringify(actual)}, expected ${expected}`);
  }
  const text = await locator.textContent();
  check(matches(text), `${label}: text ${JSON.stringify(text)} does not match ${expected}`);
  return text;
}

async function connect(page, uid, servedBy) {
  await byTestId(page, 'uid').fill(uid);
  await byTestId(page, 'connect').click();
  await waitForText(page, 'state', 'connected', `${uid} connects`);
  const node = await byTestId(page, 'node').textContent();
  const fd = await byTestId(page, 'fd').textContent();
  check(node === servedBy, `${uid}: connected to node ${node}, but the page was served by ${servedBy}`);
  check(fd.startsWith(`${node}-`) && /-\d+$/.test(fd), `${uid}: distributed fd ${fd} is not "<node>-<fd>" of ${node}`);
  pass(`${uid} connected to ${node} with distributed fd ${fd}`);
  return { node, fd };
}

async function compose(page, { to = '', message, binary = false }) {
  await byTestId(page, 'to').fill(to);
  await byTestId(page, binary ? 'opcode-binary' : 'opcode-text').check();
  await byTestId(page, 'message').fill(message);
}

async function sentCount(page) {
  return page.locator('[data-testid="log-entry"][data-kind="sent"]').count();
}

async function main() {
  await mkdir(dirname(screenshot), { recursive: true });
  const profile = await mkdtemp(join(tmpdir(), 'distws-e2e-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport: VIEWPORT, timeout: 60_000,
  });
  const pages = [];
  const problems = [];
  try {
    context.setDefaultTimeout(TIMEOUT_MS);
    const page1 = context.pages()[0] ?? await context.newPage();
    const page2 = await context.newPage();
    pages.push(page1, page2);
    for (const [i, page] of pages.entries()) {
      page.on('pageerror', (e) => problems.push(`page ${i + 1} threw: ${e.message}`));
      page.on('dialog', (d) => { problems.push(`page ${i + 1} opened a ${d.type()} dialog: ${d.message()}`); d.dismiss(); });
    }

    // Each page comes from its own node.
    await Promise.all([page1.goto(base1), page2.goto(base2)]);
    const served1 = await waitForText(page1, 'served-by', /^(?!…$|unknown$).+/, 'page 1 names its node');
    const served2 = await waitForText(page2, 'served-by', /^(?!…$|unknown$).+/, 'page 2 names its node');
    check(served1 !== served2, `both pages were served by ${served1}; expected two different nodes`);
    pass(`page 1 served by ${served1}, page 2 served by ${served2}`);

    // Validation before connecting: an empty user id is refused on the page.
    await byTestId(page1, 'uid').fill('   ');
    await byTestId(page1, 'connect').click();
    await waitForText(page1, 'connection-note', /Enter a user id/, 'empty user id is refused');
    check(await byTestId(page1, 'state').textContent() === 'disconnected', 'an empty user id must not connect');
    pass('empty user id: clear message, no connection');

    await connect(page1, alice, served1);
    await connect(page2, bob, served2);

    // Validation while connected: nothing is sent for an empty or an over-long message.
    const before = await sentCount(page1);
    await compose(page1, { to: bob, message: '  ' });
    await byTestId(page1, 'send').click();
    await waitForText(page1, 'compose-note', /Type a message first/, 'empty message is refused');
    await compose(page1, { to: bob, message: 'x'.repeat(70 * 1024) });
    await byTestId(page1, 'send').click();
    await waitForText(page1, 'compose-note', /limit is 64 KiB\. Nothing was sent/, 'over-long message is refused');
    check(await sentCount(page1) === before, 'a refused message must not be sent');
    check(await byTestId(page1, 'state').textContent() === 'connected', 'a refused message must not break the connection');
    pass('empty and over-long messages: clear message, nothing sent');

    // alice (node 1) -> bob (node 2); the body tries to inject markup, which must show as text.
    const hello = `hello bob <img src=x onerror="window.__xss=1"><b>not bold</b> ${run}`;
    await compose(page1, { to: bob, message: hello });
    await byTestId(page1, 'send').click();
    const got = await waitForEntry(page2, 'bob receives alice\'s message', { kind: 'message', from: alice, body: hello });
    check(got.node === `via ${served2}`, `bob's entry names node ${got.node}, expected via ${served2}`);
    check(/^\d\d:\d\d:\d\d$/.test(got.time), `bob's entry has no time: ${got.time}`);
    await waitForEntry(page1, 'alice sees her message acknowledged',
      { kind: 'sent', from: `you → ${bob}`, body: hello, detail: 'routed to 1 connection' });
    check(await page2.locator('#log img, #log b').count() === 0, 'a message body was rendered as HTML');
    check(await page2.evaluate(() => window.__xss) === undefined, 'a message body ran script');
    pass('alice -> bob across nodes, shown as text with sender, node and time');

    // bob (node 2) -> alice (node 1)
    const reply = `hi alice, bob here ${run}`;
    await compose(page2, { to: alice, message: reply });
    await byTestId(page2, 'send').click();
    const back = await waitForEntry(page1, 'alice receives bob\'s reply', { kind: 'message', from: bob, body: reply });
    check(back.node === `via ${served1}`, `alice's entry names node ${back.node}, expected via ${served1}`);
    pass('bob -> alice across nodes');

    // Send to many: bob and an offline user; bob gets it.
    const many = `to bob and ${nobody} ${run}`;
    await compose(page1, { to: `${bob}, ${nobody}`, message: many });
    await byTestId(page1, 'send-many').click();
    await waitForEntry(page2, 'bob receives the send-to-many', { kind: 'message', from: alice, body: many });
    pass('send to many');

    // Broadcast from alice reaches both pages.
    const everyone = `broadcast from alice ${run}`;
    await compose(page1, { message: everyone });
    await byTestId(page1, 'broadcast').click();
    await waitForEntry(page2, 'bob receives the broadcast', { kind: 'message', from: alice, body: everyone });
    await waitForEntry(page1, 'alice receives her own broadcast', { kind: 'message', from: alice, body: everyone });
    pass('broadcast reaches both nodes');

    // Binary from bob to alice: a binary frame of the text's UTF-8 bytes, without a sender.
    const bin = `binär ✓ ${run}`;
    await compose(page2, { to: alice, message: bin, binary: true });
    await byTestId(page2, 'send').click();
    const bytes = Buffer.byteLength(bin, 'utf8');
    await waitForEntry(page1, 'alice receives the binary frame',
      { kind: 'binary', body: `binary frame, ${bytes} bytes: ${bin}` });
    await waitForEntry(page2, 'bob sees his binary message acknowledged',
      { kind: 'sent', from: `you → ${alice}`, body: bin, detail: 'binary · routed to 1 connection' });
    pass(`binary frame (${bytes} bytes) bob -> alice`);

    // Error: a message to an offline user shows the server's error frame.
    await compose(page1, { to: nobody, message: `anyone there? ${run}` });
    await byTestId(page1, 'send').click();
    await waitForEntry(page1, 'sending to an offline user shows an error',
      { kind: 'error', from: 'server', body: `offline: user ${nobody} is offline` });
    await waitForText(page1, 'compose-note', /offline/, 'the error is shown next to the send buttons');
    pass('send to an offline user shows the error');

    check(problems.length === 0, `the pages reported problems:\n  ${problems.join('\n  ')}`);
    await saveSideBySide(context, page1, page2, screenshot, [`${base1} — ${alice}`, `${base2} — ${bob}`]);
    pass(`screenshot saved to ${screenshot}`);

    // Disconnect is final: the page says so and offers Connect again.
    await byTestId(page2, 'disconnect').click();
    await waitForText(page2, 'state', 'disconnected', 'bob disconnects');
    await waitForText(page2, 'connection-note', /^Disconnected\. No reconnect/, 'the page says it will not reconnect');
    check(await byTestId(page2, 'connect').isEnabled(), 'Connect is enabled again after Disconnect');
    check(await byTestId(page2, 'fd').textContent() === '—', 'the fd is cleared after Disconnect');
    pass('disconnect');
    check(problems.length === 0, `the pages reported problems:\n  ${problems.join('\n  ')}`);
  } catch (e) {
    for (const [i, page] of pages.entries()) {
      await page.screenshot({ path: `${screenshot.replace(/\.png$/i, '')}.failure-page${i + 1}.png` }).catch(() => {});
    }
    throw e;
  } finally {
    await context.close().catch(() => {});
    await rm(profile, { recursive: true, force: true });
  }
}

/** Screenshots both pages and composes them side by side, with captions, in one PNG. */
async function saveSideBySide(context, page1, page2, path, captions) {
  const shots = await Promise.all([page1.screenshot(), page2.screenshot()]);
  const sheet = await context.newPage();
  try {
    const gap = 16;
    await sheet.setViewportSize({ width: VIEWPORT.width * 2 + gap * 3, height: VIEWPORT.height + gap * 2 + 28 });
    await sheet.setContent('<!DOCTYPE html><body style="margin:0;padding:16px;display:flex;gap:16px;'
      + 'background:#cfd5df;font:13px system-ui,sans-serif;color:#1d2433"></body>');
    await sheet.evaluate(({ images, labels }) => {
      images.forEach((b64, i) => {
        const figure = document.createElement('figure');
        figure.style.cssText = 'margin:0;display:flex;flex-direction:column;gap:8px';
        const caption = document.createElement('figcaption');
        caption.textContent = labels[i];
        caption.style.cssText = 'height:20px;font-weight:600';
        const img = document.createElement('img');
        img.src = `data:image/png;base64,${b64}`;
        img.style.cssText = 'display:block;box-shadow:0 2px 8px rgba(0,0,0,.18);border-radius:6px';
        figure.append(caption, img);
        document.body.append(figure);
      });
    }, { images: shots.map((b) => b.toString('base64')), labels: captions });
    await sheet.waitForFunction(() => [...document.images].every((i) => i.complete && i.naturalWidth > 0));
    await sheet.screenshot({ path });
  } finally {
    await sheet.close();
  }
}

const started = Date.now();
console.log(`demo e2e: ${base1} (${alice}) and ${base2} (${bob}) in ${CHROMIUM}`);
main().then(() => {
  clearTimeout(watchdog);
  console.log(`demo e2e: all ${checks} checks passed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  process.exit(0);
}, (e) => {
  clearTimeout(watchdog);
  console.error(`FAILED: ${e instanceof CheckFailed ? e.message : e && e.stack ? e.stack : e}`);
  process.exit(1);
});
