// Journey: in a programme where mentees choose, a mentee fills in a profile,
// enrols, gets ranked recommendations with reasons, and sends a request;
// the mentor reads it and accepts; both land in an active room.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Journey, launchBrowser, rapport, skipReason, startServer } from '../lib/harness.js';
import { signIn } from '../lib/api.js';
import { waitForEmail } from '../lib/eml.js';

const skip = skipReason() ?? false;

const ADMIN = { email: 'admin@example.org', name: 'Ada Admin', password: 'a long passphrase' };
const MENTOR = { email: 'mona@example.org', name: 'Mona Mentor', password: 'mentoring is fun' };
const MENTEE = { email: 'mika@example.org', name: 'Mika Mentee', password: 'learning out loud' };

async function profile(j, { level, years, offered, wanted }) {
  await j.follow('My profile');
  await j.follow('Edit profile');
  await j.page.getByLabel('Leadership level').selectOption(level);
  await j.fill('Years of experience', years);
  await j.fill('Other skills you can offer', offered);
  await j.fill('Other skills you want to grow', wanted);
  await j.fill('Goal tags', 'Public speaking');
  await j.fill('Languages', 'English, Portuguese');
  await j.fill('Time zone', 'Europe/Lisbon');
  await j.submit('Save profile');
  assert.match(j.path(), /\?done=profile_saved$/);
}

async function enrol(j, role) {
  await j.goto('/programmes');
  await j.follow('Speakers Circle');
  await j.follow('Enrol');
  await j.page.getByLabel('I am enrolling as').selectOption(role);
  if (role === 'mentor') await j.fill('Mentors: how many mentees can you take?', '2');
  await j.submit('Enrol'); // without accepting the code of conduct
  await j.expectFieldError('I accept the code of conduct', 'Accept the code of conduct');
  await j.page.getByLabel('I accept the code of conduct').check();
  await j.submit('Enrol');
  assert.equal(j.path(), '/programmes/speakers-circle?done=enrolled');
}

describe('a mentee gets recommendations, requests a mentor, and the mentor accepts', { skip, timeout: 240_000 }, () => {
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
      // The admin sets up a programme where mentees choose, and opens it.
      const admin = await Journey.open(browser, server, 'admin');
      await signIn(admin, ADMIN);
      await admin.follow('Programmes');
      await admin.follow('New programme');
      await admin.fill('Name', 'Speakers Circle');
      await admin.page.getByLabel('Kind').selectOption('one_to_one');
      await admin.page.getByLabel('Who makes the matches').selectOption('mentees_request');
      await admin.submit('Create programme');
      assert.equal(admin.path(), '/programmes/speakers-circle?done=programme_created');
      await admin.submit('Open for enrolment');

      const mentor = await Journey.open(browser, server, 'mentor');
      await signIn(mentor, MENTOR);
      await profile(mentor, { level: 'leader_of_leaders', years: '18', offered: 'Public speaking, Storytelling', wanted: 'Coaching' });
      await enrol(mentor, 'mentor');

      const mentee = await Journey.open(browser, server, 'mentee');
      await signIn(mentee, MENTEE);
      await profile(mentee, { level: 'professional_contributor', years: '3', offered: 'Python', wanted: 'Public speaking, Storytelling' });
      await enrol(mentee, 'mentee');

      // The admin finds the new applications at the top of the participants,
      // shows only them, and approves both from that filtered list, which
      // each decision comes back to.
      await admin.goto('/programmes/speakers-circle/participants');
      assert.match(await admin.mainText(), /2 new applications waiting for your decision/);
      const firstRow = await admin.page.locator('main tbody tr').first().innerText();
      assert.match(firstRow, new RegExp(`${MENTEE.name}[\\s\\S]*new application`, 'i'), 'the newest application is first');
      await admin.follow('Show only new applications');
      assert.equal(admin.path(), '/programmes/speakers-circle/participants?status=applied');
      assert.equal(await admin.page.getByRole('link', { name: 'Show only new applications' }).count(), 0, 'no link to the list already shown');
      for (const who of [MENTOR, MENTEE]) {
        await admin.submit(`Approve ${who.name} as ${who === MENTOR ? 'mentor' : 'mentee'}`);
        assert.equal(admin.path(), '/programmes/speakers-circle/participants?done=decided&status=applied');
      }
      assert.match(await admin.mainText(), /Nobody matches these filters/);

      // The mentee sees the mentor recommended, with reasons, and requests them.
      await mentee.goto('/programmes/speakers-circle');
      await mentee.follow('Find a mentor');
      const card = mentee.page.locator('.card').filter({ hasText: MENTOR.name });
      const reasons = await card.innerText();
      assert.match(reasons, /Public speaking/i, `the explanation names the shared skill:\n${reasons}`);
      assert.doesNotMatch(reasons, /gender|department/i, 'nothing private is revealed');
      await mentee.page.getByLabel(`Your rank for ${MENTOR.name}`).selectOption('1');
      await mentee.fill('Your message and goals', 'I want to give my first conference talk this year.');
      await mentee.submit('Send request');
      assert.equal(mentee.path(), '/requests?done=request_sent');
      assert.match(await mentee.mainText(), new RegExp(`To ${MENTOR.name}`));

      // The mentor is told by email, reads the request and accepts.
      const mail = await waitForEmail(server.outbox, MENTOR.email, { subject: `${MENTEE.name} asks you to be their mentor` });
      assert.ok(mail.text.includes('first conference talk'), mail.text);
      await mentor.follow('Requests');
      assert.match(await mentor.mainText(), new RegExp(`From ${MENTEE.name}`));
      await mentor.submit('Accept');
      assert.match(mentor.path(), /^\/rooms\/[0-9a-f-]+\?done=request_accepted$/);
      const room = await mentor.mainText();
      assert.match(room, /active/i);
      assert.ok(room.includes(MENTEE.name) && room.includes(MENTOR.name));

      // The mentee finds the same room under My rooms.
      await mentee.follow('My rooms');
      await mentee.follow(`${MENTOR.name}, ${MENTEE.name}`);
      assert.match(await mentee.mainText(), /active/i);

      for (const j of [admin, mentor, mentee]) await j.done();
    } catch (e) {
      failed = true;
      throw e;
    }
  });
});
