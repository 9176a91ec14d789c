// Journey (issue 17, journey 2): a poor fit and the no-fault re-match.
// Kiran, a mentee, reports at the rapport check-in that the mentorship with
// Sofia is not working; the manager sees the room at risk, with its reasons,
// on the programme's room list, and starts a re-match through its
// confirmation page; Kiran and the new mentor, Noor, accept the proposal;
// Kiran's goal is in the new room, and the manager sees Sofia's seat free.
//
// The server runs on the real clock, so nothing is back-dated: the programme
// opens its first check-in at the first held session (a room rule any
// programme may set, through the API), a session is booked for the next
// whole minute and marked held once it has started, and then the check-in
// is open. The programme, the enrolments and the active room are set up
// through the public API; everything else happens in the browser, with axe
// on every page.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Journey, launchBrowser, rapport, skipReason, startServer } from '../lib/harness.js';
import { apiSignIn, approvedMember, ok, openProgramme, roomBetween, signIn } from '../lib/api.js';

const skip = skipReason() ?? false;

const ADMIN = { email: 'admin@example.org', name: 'Ada Admin', password: 'a long passphrase' };
const SOFIA = { email: 'sofia@example.org', name: 'Sofia Mentor', password: 'mentoring is fun', role: 'mentor' };
const NOOR = { email: 'noor@example.org', name: 'Noor Mentor', password: 'listening first', role: 'mentor' };
const KIRAN = { email: 'kiran@example.org', name: 'Kiran Mentee', password: 'learning out loud', role: 'mentee' };
const SLUG = 'rematch-journey';

/** A JSON API call with a session cookie; returns { status, json }. */
/**
 * The programme (its first check-in at the first held session), two mentors
 * with one seat each, a mentee, and Kiran's active room with Sofia, through
 * the API. Returns the room's id and everyone's id and cookie.
 */
async function setUp(server) {
  const admin = await apiSignIn(server, ADMIN);
  await openProgramme(server, admin, 'Rematch Journey', SLUG);
  const rules = await ok(server, 'PUT', `/api/v1/programmes/${SLUG}/room-rules`, admin, { pulse_first_day: 0 }, 200);
  assert.equal(rules.pulse_first_day, 0);
  const people = { admin: { cookie: admin } };
  for (const who of [SOFIA, NOOR, KIRAN]) {
    const mentor = who.role === 'mentor';
    people[who.email] = await approvedMember(server, admin, SLUG, who, {
      role: who.role, capacity: '1',
      profile: { skills_offered: mentor ? 'Coaching' : '', skills_wanted: mentor ? '' : 'Coaching' },
    });
  }
  const room = await roomBetween(server, SLUG, people[KIRAN.email], people[SOFIA.email],
    'I would like to grow into leading a team.');
  return { room, people };
}

/** The cells of the table row that names `name`, as text. */
async function rowOf(j, tableLabel, name) {
  const row = j.page.getByRole('region', { name: tableLabel }).locator('tr', { hasText: name });
  return row.locator('td').allInnerTexts();
}

describe('a poor fit is reported, the manager re-matches, and the mentee goes on with a new mentor', { skip, timeout: 300_000 }, () => {
  let server;
  let browser;
  let failed = false;

  before(async () => {
    server = await startServer({
      setup: (dataDir) => {
        rapport(['admin', 'create-user', '--email', ADMIN.email, '--name', ADMIN.name, '--admin', '--data-dir', dataDir], `${ADMIN.password}\n`);
        for (const who of [SOFIA, NOOR, KIRAN]) {
          rapport(['admin', 'create-user', '--email', who.email, '--name', who.name, '--data-dir', dataDir], `${who.password}\n`);
        }
      },
    });
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    if (failed && server) console.log(`# server log (data kept in ${server.dataDir}):\n${server.log().replace(/^/gm, '# ')}`);
    await server?.stop({ keep: failed });
  });

  test('the whole journey', async () => {
    try {
      const { room, people } = await setUp(server);
      const sofiaId = people[SOFIA.email].id;
      const kiranId = people[KIRAN.email].id;

      // Their first session, at the next whole minute at least 10 s away
      // (sessions are booked in whole minutes and held once started).
      const start = Math.ceil((Date.now() + 10_000) / 60_000) * 60_000;
      const booked = await ok(server, 'POST', `/api/v1/rooms/${room}/sessions`, people[SOFIA.email].cookie,
        { starts_at: new Date(start).toISOString().replace(/\.\d{3}Z$/, 'Z'), minutes: 45, agenda: 'Get to know each other' }, 201);
      const session = booked.ids[0];

      // Meanwhile Kiran sets a goal in the room.
      const kiran = await Journey.open(browser, server, 'mentee');
      await signIn(kiran, KIRAN);
      await kiran.goto(`/rooms/${room}`);
      await kiran.follow('Goals');
      await kiran.fill('Goal', 'Lead my first team meeting');
      await kiran.submit('Set the goal');
      assert.match(kiran.path(), /^\/goals\/[0-9a-f-]+\?done=goal_created$/);

      // No check-in before they have met.
      await kiran.goto(`/rooms/${room}/pulse`);
      assert.match(await kiran.mainText(), /No check-in is open now/);

      // The session has started: Sofia marks it held.
      const wait = start - Date.now() + 1_000;
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      await ok(server, 'POST', `/api/v1/sessions/${session}/status`, people[SOFIA.email].cookie,
        { status: 'held', attendance: { [sofiaId]: 'attended', [kiranId]: 'attended' } }, 200);

      // Kiran answers the check-in: this is not working for him.
      await kiran.goto(`/rooms/${room}/pulse`);
      for (const [name, value] of [['genuineness', '2'], ['empathy', '2'], ['acceptance', '3'], ['working', 'no']]) {
        await kiran.page.locator(`input[name="${name}"][value="${value}"]`).check();
      }
      await kiran.fill('Anything else, in your own words (optional)', 'We want different things from this.');
      await kiran.submit('Send my answers');
      assert.match(await kiran.mainText(), /You answered check-in 1/);

      // The manager sees the room at risk, with the reasons, worst first.
      const ada = await Journey.open(browser, server, 'manager');
      await signIn(ada, ADMIN);
      await ada.goto(`/programmes/${SLUG}/rooms`);
      const cells = await rowOf(ada, 'Rooms', SOFIA.name);
      assert.ok(cells.length > 2, `a row for the room: ${await ada.mainText()}`);
      assert.match(cells[2], /^At risk/, `health: ${cells.join(' | ')}`);
      assert.match(cells[2], /mentee answered no to .this mentorship is working for me./i, `the reasons name the side: ${cells[2]}`);
      assert.match(cells[2], /scored empathy 2 of 5/, cells[2]);

      // …and re-matches it, through the confirmation page.
      await ada.navigate(() => ada.page.getByRole('region', { name: 'Rooms' })
        .locator('tr', { hasText: SOFIA.name }).getByRole('link', { name: 'Re-match', exact: true }).click());
      assert.equal(ada.path(), `/rooms/${room}/rematch`);
      const confirm = await ada.mainText();
      assert.match(confirm, /Here is what happens/);
      assert.match(confirm, /The mentor's seat is freed at once/);
      await ada.fill('A note (optional)', 'Kiran asked for a fresh start.');
      await ada.submit('Start the re-match');
      const started = await ada.mainText();
      assert.match(started, /The room has ended for fit/);
      assert.match(started, new RegExp(`A new match is proposed for ${KIRAN.name}: ${NOOR.name}`));
      const href = await ada.page.getByRole('link', { name: 'Open the proposed room', exact: true }).getAttribute('href');
      const fresh = href.split('/').pop();
      assert.notEqual(fresh, room);

      // Kiran and Noor accept the proposal.
      await kiran.goto(`/rooms/${fresh}`);
      assert.match(await kiran.mainText(), new RegExp(NOOR.name));
      await kiran.submit('Accept');
      const noor = await Journey.open(browser, server, 'new mentor');
      await signIn(noor, NOOR);
      await noor.goto(`/rooms/${fresh}`);
      await noor.submit('Accept');
      const state = await ok(server, 'GET', `/api/v1/rooms/${fresh}`, people[KIRAN.email].cookie, undefined, 200);
      assert.equal(state.status, 'active');
      assert.equal(state.rematched_from, room, 'the new room names the room it came from');

      // Kiran's goal is in the new room.
      await kiran.goto(`/rooms/${fresh}`);
      await kiran.follow('Goals');
      assert.match(await kiran.mainText(), /Lead my first team meeting/);

      // The manager sees Sofia's seat free: no load left against her one seat.
      await ada.goto(`/programmes/${SLUG}`);
      const load = await rowOf(ada, 'Mentor load', SOFIA.name);
      assert.deepEqual(load.slice(1).map((c) => c.trim()), ['0', '1'], `Sofia's load and capacity: ${load.join(' | ')}`);
      const old = await ok(server, 'GET', `/api/v1/rooms/${room}`, people.admin.cookie, undefined, 200);
      assert.equal(old.status, 'ended_early');
      assert.equal(old.end_reason, 'fit');
      assert.deepEqual(old.rematched_to, [fresh]);

      for (const j of [kiran, ada, noor]) await j.done();
    } catch (e) {
      failed = true;
      throw e;
    }
  });
});
