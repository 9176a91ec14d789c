// Journey (issue 19, journey 1): Sofia, a mentor, writes a roadmap and
// publishes it (the confirmation says nobody is told yet), and offers it in
// her room. Kiran, her mentee, follows it from the room and marks a step
// done with a reflection shared with the room; Sofia reads it on the room
// page. Sofia publishes version 2 (the confirmation counts Kiran as a
// follower who is told); Kiran stays on version 1 until he moves to the
// latest, and his done step carries over. Axe runs on every page, dialogs
// included.
//
// The programme, the enrolments and the active room are set up through the
// API (other journeys walk those pages); the roadmap happens in the browser.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Journey, launchBrowser, rapport, skipReason, startServer } from '../lib/harness.js';
import { apiSignIn, approvedMember, ok, openProgramme, roomBetween, signIn } from '../lib/api.js';

const skip = skipReason() ?? false;

const ADMIN = { email: 'admin@example.org', name: 'Ada Admin', password: 'a long passphrase' };
const MENTOR = { email: 'sofia@example.org', name: 'Sofia Mentor', password: 'mentoring is fun' };
const MENTEE = { email: 'kiran@example.org', name: 'Kiran Mentee', password: 'learning out loud' };
const SLUG = 'roadmap-journey';
const TITLE = 'From contributor to team leader';

/** An active room between Sofia and Kiran, set up through the API; returns its id. */
async function activeRoom(server) {
  const admin = await apiSignIn(server, ADMIN);
  await openProgramme(server, admin, 'Roadmap Journey', SLUG);
  const mentor = await approvedMember(server, admin, SLUG, MENTOR, { role: 'mentor' });
  const mentee = await approvedMember(server, admin, SLUG, MENTEE, { role: 'mentee' });
  return roomBetween(server, SLUG, mentee, mentor, 'I am about to lead a team for the first time.');
}

/** Fills one step row of the roadmap editor (rows count from 0). */
async function fillStep(j, n, { title, body, effort }) {
  await j.page.locator(`#s${n}-title`).fill(title);
  await j.page.locator(`#s${n}-body`).fill(body);
  await j.page.locator(`#s${n}-level`).selectOption('team_leader');
  await j.page.locator(`#s${n}-effort`).fill(String(effort));
}

/** Opens the "Publish version N" confirmation in its dialog, checks it with
 * axe, and publishes from it; returns what the dialog said. */
async function publishThroughDialog(j, version) {
  const link = j.page.getByRole('link', { name: `Publish version ${version}`, exact: true });
  assert.equal(await link.getAttribute('data-confirm'), '', 'publishing asks first');
  await link.click();
  const dialog = j.page.getByRole('dialog');
  await dialog.waitFor();
  const said = await dialog.innerText();
  await j.check(); // axe, with the dialog open
  await j.navigate(() => dialog.getByRole('button', { name: `Publish version ${version}`, exact: true }).click());
  return said;
}

describe('an author publishes a roadmap, a mentee follows it, and progress survives version 2', { skip, timeout: 240_000 }, () => {
  let server;
  let browser;
  let failed = false;

  before(async () => {
    server = await startServer({
      setup: (dataDir) => {
        rapport(['admin', 'create-user', '--email', ADMIN.email, '--name', ADMIN.name, '--admin', '--data-dir', dataDir], `${ADMIN.password}\n`);
        rapport(['admin', 'create-user', '--email', MENTOR.email, '--name', MENTOR.name, '--data-dir', dataDir], `${MENTOR.password}\n`);
        rapport(['admin', 'create-user', '--email', MENTEE.email, '--name', MENTEE.name, '--data-dir', dataDir], `${MENTEE.password}\n`);
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
      const room = await activeRoom(server);
      const sofia = await Journey.open(browser, server, 'author (mentor)');
      const kiran = await Journey.open(browser, server, 'mentee');
      await signIn(sofia, MENTOR);
      await signIn(kiran, MENTEE);

      // Sofia writes a draft with two steps; only she sees it.
      await sofia.follow('Roadmaps');
      await sofia.follow('Start a roadmap');
      // Each step row has its own "Title" too: the roadmap's is the first.
      await sofia.page.locator('#f-title').fill(TITLE);
      await sofia.fill('Summary', 'For someone who is about to lead the people they worked beside.');
      await sofia.page.getByLabel('Level it is for', { exact: true }).selectOption('professional_contributor');
      await fillStep(sofia, 0, { title: 'Hold your first one-to-ones', body: 'Meet each person for **30 minutes**: listen more than you talk.', effort: 3 });
      await fillStep(sofia, 1, { title: 'Delegate one real task', body: 'Hand over something you would rather keep, and say what done looks like.', effort: 4 });
      await sofia.submit('Save the draft');
      const roadmap = new URL(sofia.page.url()).pathname;
      assert.match(roadmap, /^\/roadmaps\/[0-9a-f-]{36}$/);
      assert.match(await sofia.mainText(), /draft \(version 1\), only you see it/);

      // Publishing asks first; nobody follows it yet, so nobody is told.
      const first = await publishThroughDialog(sofia, 1);
      assert.match(first, /Publish version 1 of From contributor to team leader\?/, first);
      assert.match(first, /Nobody follows this roadmap yet, so nobody is told\./, first);
      assert.match(first, /Version 1 \(2 steps\) becomes what every member finds and reads/, first);
      assert.equal(sofia.path(), `${roadmap}?done=roadmap_published`);
      assert.match(await sofia.mainText(), /version 1, published/);

      // She offers it in her room.
      await sofia.goto(`/rooms/${room}`);
      await sofia.page.getByLabel('Offer a roadmap to the mentee', { exact: true }).selectOption({ label: TITLE });
      await sofia.submit('Attach');
      assert.equal(sofia.path(), `/rooms/${room}?done=roadmap_attached`);
      assert.match(await sofia.mainText(), /Kiran Mentee: not following it yet/);

      // Kiran finds it on the room page, follows it, and marks the first
      // step done with a reflection shared with the room.
      await kiran.goto(`/rooms/${room}`);
      await kiran.follow(TITLE);
      await kiran.submit('Follow this roadmap');
      assert.equal(kiran.path(), `${roadmap}?done=roadmap_followed`);
      const step = kiran.page.locator('ol.roadmap-steps > li').filter({ hasText: 'Hold your first one-to-ones' });
      await step.getByLabel('Done', { exact: true }).check();
      await step.getByLabel('Your reflection (optional)').fill('Two of the four asked for **more** feedback than I expected.');
      await step.getByLabel('Share the reflection with').selectOption({ index: 1 });
      await kiran.navigate(() => step.getByRole('button', { name: 'Save', exact: true }).click());
      assert.match(kiran.path(), /done=roadmap_marked/);
      assert.match(await kiran.mainText(), /1 of 2 steps \(50%\)/);

      // Sofia sees his progress and the shared reflection on the room.
      await sofia.goto(`/rooms/${room}`);
      const onRoom = await sofia.mainText();
      assert.match(onRoom, /Kiran Mentee:\s*1 of 2 steps \(50%\)/, onRoom);
      assert.match(onRoom, /Shared reflection on Hold your first one-to-ones/, onRoom);
      assert.match(onRoom, /asked for more feedback than I expected/, onRoom);

      // Version 2: she adds a step; the confirmation counts Kiran.
      await sofia.goto(roadmap);
      await sofia.follow('Edit (makes a new draft)');
      await fillStep(sofia, 2, { title: 'Run your first team retrospective', body: 'Ask what to keep, what to drop and what to try.', effort: 2 });
      await sofia.submit('Save the draft');
      assert.equal(sofia.path(), `${roadmap}?version=2&done=roadmap_saved`);
      const second = await publishThroughDialog(sofia, 2);
      assert.match(second, /1 follower will be told what changed\./, second);
      assert.match(second, /Since version 1: 1 step added, 0 removed, 0 changed\./, second);
      assert.match(second, /steps they marked that still exist keep their marks/, second);
      assert.match(await sofia.mainText(), /version 2, published/);

      // Kiran stays on version 1 until he moves; his done step carries over.
      await kiran.goto(roadmap);
      const told = await kiran.mainText();
      assert.match(told, /You follow version 1\. Version 2 is out: 1 step added, 0 removed, 0 changed/, told);
      assert.match(told, /Added: Run your first team retrospective/, told);
      await kiran.submit('Move to version 2');
      assert.equal(kiran.path(), `${roadmap}?done=roadmap_moved`);
      const moved = await kiran.mainText();
      assert.match(moved, /version 2, published/, moved);
      assert.match(moved, /1 of 3 steps \(33%\)/, moved);
      const kept = kiran.page.locator('ol.roadmap-steps > li').filter({ hasText: 'Hold your first one-to-ones' });
      assert.equal(await kept.getByLabel('Done', { exact: true }).isChecked(), true, 'the done step carried over');
      assert.match(await kept.innerText(), /Done/);

      // And Sofia's room page follows him to version 2.
      await sofia.goto(`/rooms/${room}`);
      assert.match(await sofia.mainText(), /Kiran Mentee:\s*1 of 3 steps \(33%\)/);

      await sofia.done();
      await kiran.done();
    } catch (e) {
      failed = true;
      throw e;
    }
  });
});
