// The journeys' harness: a fresh `rapport serve` on a free port with its own
// temporary data folder, headless Chromium through playwright-core, and an
// axe-core check of every page the browser lands on.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..', '..');
export const AXE_PATH = join(HERE, '..', 'node_modules', 'axe-core', 'axe.min.js');
export const CHROMIUM = process.env.RAPPORT_CHROMIUM || '/usr/bin/chromium';
export const RAPPORT_BIN = resolve(ROOT, process.env.RAPPORT_BIN || 'target/debug/rapport');
const IN_CI = process.env.CI === 'true';

let AXE_SOURCE = null;
/** axe-core's source, read once. */
function axeSource() {
  if (AXE_SOURCE === null) AXE_SOURCE = readFileSync(AXE_PATH, 'utf8');
  return AXE_SOURCE;
}

/**
 * Why the journeys cannot run here, or null. Under CI=true a missing
 * browser or binary is an error, never a skip.
 */
export function skipReason() {
  const missing = [];
  if (!existsSync(CHROMIUM)) missing.push(`Chromium is not at ${CHROMIUM} (apt-get install chromium)`);
  if (!existsSync(RAPPORT_BIN)) missing.push(`the rapport binary is not at ${RAPPORT_BIN} (cargo build -p rapport-cli, or set RAPPORT_BIN)`);
  if (!existsSync(AXE_PATH)) missing.push(`axe-core is not installed (run tests-browser/run.sh, which runs npm ci)`);
  if (missing.length === 0) return null;
  const why = missing.join('; ');
  if (IN_CI) throw new Error(`CI=true and the browser journeys cannot run: ${why}`);
  console.log(`# SKIP browser journeys: ${why}`);
  return why;
}

async function freePort() {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => ok(port));
    });
  });
}

/** The environment for the rapport binary: none of the caller's RAPPORT_* settings leak in. */
function cleanEnv() {
  const env = { ...process.env, RAPPORT_LOG: process.env.RAPPORT_LOG || 'info,sqlx=warn' };
  for (const k of Object.keys(env)) if (k.startsWith('RAPPORT_') && k !== 'RAPPORT_LOG') delete env[k];
  return env;
}

/** Runs `rapport ARGS` to completion (for `admin create-user`), feeding `input` on stdin. */
export function rapport(args, input = '') {
  const r = spawnSync(RAPPORT_BIN, args, { input, env: cleanEnv(), encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) {
    throw new Error(`rapport ${args.join(' ')} exited with ${r.status ?? r.signal}:\n${r.stdout}\n${r.stderr}`);
  }
  return r.stdout;
}

/**
 * Starts `rapport serve` on a free port with a new temporary data folder.
 * `setup(dataDir)` runs first (to create an admin, say). Returns
 * { url, dataDir, outbox, log(), stop() }.
 */
export async function startServer({ setup } = {}) {
  const dataDir = await mkdtemp(join(tmpdir(), 'rapport-journey-'));
  if (setup) await setup(dataDir);
  let lastError;
  for (let attempt = 1; attempt <= 3; attempt++) {
    const port = await freePort();
    const child = spawn(RAPPORT_BIN, ['serve', '--listen', `127.0.0.1:${port}`, '--data-dir', dataDir], {
      env: cleanEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => { output += d; });
    child.stderr.on('data', (d) => { output += d; });
    const exited = new Promise((ok) => child.once('exit', (code, signal) => ok({ code, signal })));
    const started = Date.now();
    let up = false;
    let exit;
    exited.then((e) => { exit = e; });
    while (!up && !exit && Date.now() - started < 30_000) {
      if (output.includes('Rapport is listening on')) {
        try {
          up = (await fetch(`http://127.0.0.1:${port}/healthz`)).ok;
        } catch { /* not yet */ }
      }
      if (!up) await new Promise((r) => setTimeout(r, 100));
    }
    if (up) {
      const url = `http://127.0.0.1:${port}`;
      return {
        url,
        dataDir,
        outbox: join(dataDir, 'outbox'),
        startupMs: Date.now() - started,
        log: () => output,
        async stop({ keep = false } = {}) {
          if (!exit) {
            child.kill('SIGTERM');
            const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
            await exited;
            clearTimeout(timer);
          }
          if (!keep) await rm(dataDir, { recursive: true, force: true });
        },
      };
    }
    if (!exit) {
      child.kill('SIGKILL');
      await exited;
    }
    lastError = `rapport serve on port ${port} did not come up (${exit ? `exited ${exit.code ?? exit.signal}` : 'timed out'}):\n${output}`;
    if (!/cannot listen/.test(output)) break; // only a port race is worth another try
  }
  throw new Error(lastError);
}

/** Headless Chromium with the flags this machine needs (no network beyond loopback). */
export async function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

const BLOCKING = new Set(['serious', 'critical']);

function describeViolations(violations) {
  return violations.map((v) => [
    `  [${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})`,
    ...v.nodes.map((n) => `    at ${n.target.join(' ')}\n      ${n.html}\n      ${(n.failureSummary || '').replace(/\n/g, '\n      ')}`),
  ].join('\n')).join('\n');
}

/**
 * One person's browser tab. Every document the tab lands on must be checked
 * with axe-core before the journey moves on: `goto`, `submit` and `follow`
 * check by themselves, and `done()` fails if any page slipped through.
 */
export class Journey {
  static async open(browser, server, name, options = {}) {
    const context = await browser.newContext({ baseURL: server.url, locale: 'en-GB', ...options });
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    return new Journey(context, page, server, name);
  }

  constructor(context, page, server, name) {
    this.context = context;
    this.page = page;
    this.server = server;
    this.name = name;
    this.pending = []; // documents landed on and not yet checked
    this.checked = [];
    this.minor = [];
    this.serverErrors = [];
    this.navigations = 0;
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame() && frame.url() !== 'about:blank') {
        this.navigations++;
        this.pending.push(frame.url());
      }
    });
    page.on('response', (res) => {
      if (res.status() >= 500) this.serverErrors.push(`${res.status()} ${res.request().method()} ${res.url()}`);
    });
    page.on('pageerror', (err) => this.serverErrors.push(`script error: ${err.message}`));
    // A page that breaks its own Content-Security-Policy (an inline style or
    // script) fails the journey: the browser refused part of it.
    page.on('console', (msg) => {
      if (msg.type() === 'error' && /Content Security Policy/.test(msg.text())) {
        this.serverErrors.push(`CSP: ${msg.text()}`);
      }
    });
  }

  /** Runs axe-core on the current document; fails on serious or critical violations. */
  async check() {
    await this.page.waitForLoadState('load');
    const url = this.page.url();
    // Injected over the DevTools protocol, not as a <script> tag: Rapport's
    // Content-Security-Policy refuses inline scripts, as it should.
    await this.page.evaluate(axeSource());
    const result = await this.page.evaluate(async () => {
      // eslint-disable-next-line no-undef
      const r = await axe.run(document, { resultTypes: ['violations'] });
      return r.violations.map((v) => ({
        id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
        nodes: v.nodes.map((n) => ({ target: n.target, html: n.html, failureSummary: n.failureSummary })),
      }));
    });
    const blocking = result.filter((v) => BLOCKING.has(v.impact));
    const other = result.filter((v) => !BLOCKING.has(v.impact));
    for (const v of other) this.minor.push({ url, ...v });
    if (other.length) console.log(`# axe (${this.name}) ${url}: ${other.length} moderate/minor finding(s), not blocking:\n${describeViolations(other).replace(/^/gm, '# ')}`);
    if (this.pending.length > 1) {
      assert.fail(`pages were visited without an accessibility check: ${this.pending.slice(0, -1).join(', ')}`);
    }
    this.pending = [];
    this.checked.push(url);
    assert.equal(blocking.length, 0,
      `axe-core found ${blocking.length} serious or critical accessibility violation(s) on ${url}:\n${describeViolations(blocking)}`);
    return result;
  }

  /** Opens `path` (relative to the server), expecting `status` (default 200), and checks it. */
  async goto(path, { status = 200 } = {}) {
    const res = await this.page.goto(path);
    assert.equal(res.status(), status, `GET ${path} answered ${res.status()}, expected ${status}`);
    await this.check();
    return res;
  }

  /** Runs `action` (a click that leaves the page), waits for the new document, and checks it. */
  async navigate(action) {
    const before = this.navigations;
    await action();
    const deadline = Date.now() + 15_000;
    while (this.navigations === before) {
      if (Date.now() > deadline) assert.fail(`no new page after the action on ${this.page.url()}`);
      await new Promise((r) => setTimeout(r, 25));
    }
    await this.check();
  }

  /** Presses the button named `name` (a form submit) and checks the page that follows. */
  async submit(name) {
    const button = this.page.getByRole('button', { name, exact: true });
    await this.openMenuFor(button);
    await this.navigate(() => button.click());
  }

  /** Follows the link named `name` and checks the page that follows. */
  async follow(name) {
    const link = this.page.getByRole('link', { name, exact: true });
    await this.openMenuFor(link);
    await this.navigate(() => link.click());
  }

  /** On a narrow screen the main navigation is a closed <details> menu:
   * opens it when `target` is not visible otherwise, as a person would. */
  async openMenuFor(target) {
    if (await target.count() > 0) return;
    const menu = this.page.locator('details.nav-menu:not([open]) > summary');
    if (await menu.isVisible().catch(() => false)) await menu.click();
  }

  /** Fills a form field found by its label. */
  async fill(label, value) {
    await this.page.getByLabel(label, { exact: true }).fill(value);
  }

  /** Asserts the field labelled `label` shows `message` next to it and is marked invalid. */
  async expectFieldError(label, message) {
    const input = this.page.getByLabel(label, { exact: true });
    assert.equal(await input.getAttribute('aria-invalid'), 'true', `the ${label} field is not marked aria-invalid`);
    const describedBy = await input.getAttribute('aria-describedby');
    assert.ok(describedBy, `the ${label} field has no aria-describedby pointing at its error`);
    const errorText = await this.page.locator(`[id="${describedBy}"]`).innerText();
    assert.ok(errorText.includes(message), `the ${label} field's error reads ${JSON.stringify(errorText)}, expected it to include ${JSON.stringify(message)}`);
    // Next to the field: the error and the input share the field's wrapper.
    const sameWrapper = await input.evaluate((el, id) => {
      const err = document.getElementById(id);
      const wrapper = el.closest('.field') || el.parentElement;
      return wrapper.contains(err) && err.offsetParent !== null;
    }, describedBy);
    assert.ok(sameWrapper, `the ${label} field's error is not shown next to the field`);
  }

  /** Text of the main landmark. */
  async mainText() {
    return this.page.locator('main').innerText();
  }

  /** Path and query of the current page. */
  path() {
    const u = new URL(this.page.url());
    return u.pathname + u.search;
  }

  /** Fails if any page went unchecked or the server answered 5xx; closes the tab. */
  async done() {
    assert.deepEqual(this.pending, [], `pages visited without an accessibility check: ${this.pending.join(', ')}`);
    assert.deepEqual(this.serverErrors, [], `server errors or script errors during the journey:\n${this.serverErrors.join('\n')}`);
    await this.context.close();
    return this.checked;
  }
}
