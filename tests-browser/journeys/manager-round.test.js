// Journey: a programme manager creates a programme, imports 50 people from
// a CSV file (a broken file first, then a dry run, then for real), runs
// matching, reads an explanation, has a pin across a reporting line refused,
// pins a pair, re-runs, publishes, and reads the coverage dashboard.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Journey, launchBrowser, rapport, skipReason, startServer } from '../lib/harness.js';
import { waitForEmail } from '../lib/eml.js';

const skip = skipReason() ?? false;
const ADMIN = { email: 'admin@example.org', name: 'Ada Admin', password: 'a long passphrase' };

const pad = (n) => String(n).padStart(2, '0');

/** 12 mentors with 3 places each (36) and 38 mentees: two must wait. */
function peopleCsv({ broken = false } = {}) {
  const rows = ['\uFEFFemail,name,role,level,years,skills_offered,skills_wanted,languages,time_zone,department,manager_email,capacity'];
  const skills = ['Public speaking', 'Hiring', 'Strategy', 'Coaching'];
  for (let i = 1; i <= 12; i++) {
    rows.push(`mentor${pad(i)}@example.org,Mentor ${pad(i)},mentor,leader_of_leaders,${15 + i},${skills[i % 4]}; ${skills[(i + 1) % 4]},,English,Europe/London,Sales,,3`);
  }
  for (let i = 1; i <= 38; i++) {
    // Mentee 02 reports to Mentor 02: that pair must never be matched.
    const manager = i === 2 ? 'mentor02@example.org' : '';
    const level = broken && i === 5 ? 'intern' : 'professional_contributor';
    rows.push(`mentee${pad(i)}@example.org,Mentee ${pad(i)},mentee,${level},${1 + (i % 6)},,${skills[i % 4]},English,Europe/London,Engineering,${manager},`);
  }
  return Buffer.from(rows.join('\r\n') + '\r\n', 'utf8');
}

async function upload(j, file, { dryRun = false } = {}) {
  await j.page.getByLabel('CSV file').setInputFiles({ name: 'people.csv', mimeType: 'text/csv', buffer: file });
  if (dryRun) await j.page.getByLabel('Dry run: check the file without importing').check();
  await j.submit('Import');
  return j.mainText();
}

describe('a manager imports people, runs matching, pins, publishes and reads coverage', { skip, timeout: 300_000 }, () => {
  let server;
  let browser;
  let failed = false;

  before(async () => {
    server = await startServer({
      setup: (dataDir) => rapport(['admin', 'create-user', '--email', ADMIN.email, '--name', ADMIN.name, '--admin', '--data-dir', dataDir], `${ADMIN.password}\n`),
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
      const m = await Journey.open(browser, server, 'manager');
      await m.goto('/sign-in');
      await m.fill('Email', ADMIN.email);
      await m.fill('Password', ADMIN.password);
      await m.submit('Sign in');

      await m.follow('Programmes');
      await m.follow('New programme');
      await m.fill('Name', 'Leaders Spring');
      await m.page.getByLabel('Kind').selectOption('one_to_one');
      await m.fill('Default mentor capacity', '0');
      await m.submit('Create programme');
      await m.expectFieldError('Default mentor capacity', 'from 1 to 50');
      await m.fill('Default mentor capacity', '2');
      await m.submit('Create programme');
      assert.equal(m.path(), '/programmes/leaders-spring?done=programme_created');
      await m.submit('Open for enrolment');

      // Import: every problem is listed by line, and nothing is imported until the file is clean.
      await m.follow('Participants');
      await m.follow('Import from CSV');
      let text = await upload(m, peopleCsv({ broken: true }));
      assert.match(text, /problems found: nothing was imported/);
      const errorRow = m.page.getByRole('row').filter({ hasText: 'level' });
      assert.match(await errorRow.innerText(), /^18\b/, 'the bad row is named by its line in the file');
      text = await upload(m, peopleCsv(), { dryRun: true });
      assert.match(text, /Dry run: the file is clean/);
      assert.match(text, /50 rows read/);
      text = await upload(m, peopleCsv());
      assert.match(text, /Imported/);
      assert.match(text, /Invited 50/);
      await m.goto('/programmes/leaders-spring/participants');
      assert.equal(await m.page.getByRole('row').filter({ hasText: 'approved' }).count(), 50);

      // Run matching: 36 places for 38 mentees; the two left say why and what would fix it.
      await m.goto('/programmes/leaders-spring/matching');
      await m.submit('Run matching');
      assert.equal(m.path(), '/programmes/leaders-spring/matching?done=round_run');
      text = await m.mainText();
      assert.match(text, /36 \/ 38\s*placed/);
      assert.match(text, /Proven optimal/);
      const notPlaced = m.page.locator('.card.unplaced').filter({ hasText: 'What would place them:' });
      assert.equal(await notPlaced.count(), 2, 'two mentees are not placed, each with a fix');
      assert.match(await notPlaced.first().innerText(), /full|capacity|place/i);
      // Each has an action beside its fix, in words without internal names.
      assert.equal(await notPlaced.first().getByRole('button', { name: /^Raise .+'s capacity to \d+$/ }).count() > 0
        || await notPlaced.first().getByRole('link', { name: /Invite mentors like this/ }).count() > 0, true);
      assert.doesNotMatch(await notPlaced.first().innerText(), /[a-z]+_[a-z]+/);

      // Read an explanation.
      const first = m.page.locator('main details').first();
      await first.locator('summary').click();
      const why = await first.locator('.explain').innerText();
      assert.match(why, /\+\d/, `the explanation lists points per criterion:\n${why}`);

      // A pin across a reporting line is refused with the rule named.
      await m.page.locator('#f-mentee').selectOption({ label: 'Mentee 02' });
      await m.page.locator('#f-mentor').selectOption({ label: 'Mentor 02' });
      await m.page.getByLabel('Rule').selectOption('pin');
      await m.submit('Save rule');
      assert.match(await m.mainText(), /pin is refused.*reporting_line/is);

      // Pin a pair, re-run, and the pair is placed.
      await m.page.locator('#f-mentee').selectOption({ label: 'Mentee 07' });
      await m.page.locator('#f-mentor').selectOption({ label: 'Mentor 11' });
      await m.page.getByLabel('Rule').selectOption('pin');
      await m.submit('Save rule');
      assert.equal(m.path(), '/programmes/leaders-spring/matching?done=rule_saved');
      assert.match(await m.mainText(), /pin: Mentee 07 with Mentor 11/);
      await m.submit('Run matching');
      const pinned = m.page.locator('summary').filter({ hasText: 'pinned' });
      assert.equal(await pinned.count(), 1);
      const pinnedText = await pinned.innerText();
      assert.ok(pinnedText.includes('Mentor 11') && pinnedText.includes('Mentee 07'), pinnedText);

      // Publishing asks first, in a dialog (issue 18 §5).
      await m.page.getByRole('link', { name: 'Publish 36 proposals' }).click();
      await m.navigate(() => m.page.getByRole('dialog').getByRole('button', { name: 'Publish 36 proposals' }).click());
      assert.equal(m.path(), '/programmes/leaders-spring/matching?done=published');
      const mail = await waitForEmail(server.outbox, 'mentee07@example.org', { subject: 'Your match in Leaders Spring' });
      assert.ok(mail.text.includes('Mentor 11'), mail.text);

      // The coverage dashboard: 36 proposed, 2 waiting with a "match now" action.
      await m.goto('/programmes/leaders-spring');
      text = await m.mainText();
      assert.match(text, /0\s*matched/);
      assert.match(text, /36\s*pending/);
      assert.match(text, /2\s*waiting for a match/);
      assert.equal(await m.page.getByRole('button', { name: 'Match now' }).count(), 2);
      const load = m.page.getByRole('row').filter({ hasText: 'Mentor 11' });
      assert.match(await load.innerText(), /3\s+3/);

      // The manager's home page: the two still waiting are one line, never
      // one per person, and it links to where they are matched.
      await m.goto('/');
      assert.match(await m.mainText(), /2 people unplaced in Leaders Spring/);
      await m.follow('2 people unplaced in Leaders Spring');
      assert.equal(m.path(), '/programmes/leaders-spring/matching');
      await m.done();
    } catch (e) {
      failed = true;
      throw e;
    }
  });
});
