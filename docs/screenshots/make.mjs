// Screenshots of the main pages for the guides (issue 18, "Done means").
//
// On demand only, never in CI: it starts `rapport serve --demo` with the clock
// stopped (RAPPORT_FIXED_NOW, for screenshots and demos only) in a temporary
// data folder, signs in as the demo manager, a mentor and a mentee, and writes
// 1280 x 800 PNGs into this folder. The same binary and the same fixed clock
// give the same pictures, so a re-run only changes the files whose pages
// changed.
//
//   cargo build -p rapport-cli
//   node docs/screenshots/make.mjs
//
// Uses playwright-core from tests-browser/node_modules (run `npm ci` there
// once) and the system Chromium (RAPPORT_CHROMIUM, default /usr/bin/chromium).
// RAPPORT_BIN picks the binary (default target/debug/rapport).

import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..', '..');
const { chromium } = await import(
  pathToFileURL(join(ROOT, 'tests-browser', 'node_modules', 'playwright-core', 'index.mjs')).href
);
const BIN = resolve(ROOT, process.env.RAPPORT_BIN || 'target/debug/rapport');
const CHROMIUM = process.env.RAPPORT_CHROMIUM || '/usr/bin/chromium';
// A Tuesday morning in December: rooms mid-way, a round waiting, sessions ahead.
const FIXED_NOW = process.env.RAPPORT_FIXED_NOW || '2026-12-08T09:00:00Z';
const PASSWORD = 'rapport-demo-2026';
const VIEWPORT = { width: 1280, height: 800 };

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

/** Starts the demo server; resolves with its URL, the printed accounts and a stop function. */
async function startDemo() {
  const dataDir = await mkdtemp(join(tmpdir(), 'rapport-screenshots-'));
  const port = await freePort();
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('RAPPORT_')));
  env.RAPPORT_FIXED_NOW = FIXED_NOW;
  const child = spawn(BIN, ['serve', '--demo', '--listen', `127.0.0.1:${port}`, '--data-dir', dataDir], { env });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const deadline = Date.now() + 15 * 60_000; // seeding the demo rooms takes a while on a busy machine
  while (!output.includes('Rapport is listening on')) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill();
      throw new Error(`rapport serve --demo did not come up:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  const find = (re) => {
    const m = output.match(re);
    if (!m) throw new Error(`no ${re} in the start-up output:\n${output}`);
    return m[1];
  };
  return {
    url: `http://127.0.0.1:${port}`,
    manager: find(/Demo admin: (\S+)/),
    mentor: find(/Demo mentor: (\S+)/),
    mentee: find(/Demo mentor: \S+\s+mentee: (\S+)/),
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

async function signedIn(browser, server, email) {
  const context = await browser.newContext({ viewport: VIEWPORT, baseURL: server.url });
  const page = await context.newPage();
  await page.goto('/sign-in');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/sign-in'));
  return page;
}

async function shoot(page, path, name) {
  await page.goto(path);
  await page.screenshot({ path: join(HERE, `${name}.png`) });
  console.log(`${name}.png  ${path}`);
}

/** The first link on `path` whose address matches `re`. */
async function firstLink(page, path, re) {
  await page.goto(path);
  const hrefs = await page.$$eval('main a[href]', (as) => as.map((a) => a.getAttribute('href')));
  const href = hrefs.find((h) => re.test(h));
  if (!href) throw new Error(`no link like ${re} on ${path}`);
  return href;
}

const server = await startDemo();
const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
try {
  const manager = await signedIn(browser, server, server.manager);
  await shoot(manager, '/', 'manager-home');
  const programme = await firstLink(manager, '/programmes', /^\/programmes\/(?!new$)[a-z0-9-]+$/);
  await shoot(manager, programme, 'manager-programme');
  await shoot(manager, `${programme}/matching`, 'manager-matching');
  await shoot(manager, `${programme}/outcomes`, 'manager-outcomes');

  const mentor = await signedIn(browser, server, server.mentor);
  await shoot(mentor, '/', 'mentor-home');
  await shoot(mentor, '/rooms', 'mentor-rooms');
  const room = await firstLink(mentor, '/rooms', /^\/rooms\/[0-9a-f-]{36}$/);
  await shoot(mentor, room, 'mentor-room');

  const mentee = await signedIn(browser, server, server.mentee);
  await shoot(mentee, '/', 'mentee-home');
  const menteeRoom = await firstLink(mentee, '/rooms', /^\/rooms\/[0-9a-f-]{36}$/);
  await shoot(mentee, `${menteeRoom}/sessions`, 'mentee-sessions');
} finally {
  await browser.close();
  await server.stop();
}
