// Journey (issue 18 §3, §5, §7): an admin whose profile is in Tokyo imports
// four people, runs matching and sees the round's time in her own zone;
// publishing asks first in a dialog that counts the people emailed (Cancel
// changes nothing); the mentee's manager shows on her profile for the admin
// but not for another member. A pair is rejected in the draft round first.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Journey, launchBrowser, rapport, skipReason, startServer } from '../lib/harness.js';

const skip = skipReason() ?? false;
const ADMIN = { email: 'admin@example.org', name: 'Ada Admin', password: 'a long passphrase' };
const OTHER = { email: 'olga@example.org', name: 'Olga Other', password: 'another long passphrase' };

function peopleCsv() {
  const rows = ['email,name,role,level,years,skills_offered,skills_wanted,languages,time_zone,department,manager_email,capacity'];
  rows.push('mentor1@example.org,Mentor One,mentor,leader_of_leaders,20,Coaching; Hiring,,English,Europe/London,Sales,,2');
  rows.push('mentor2@example.org,Mentor Two,mentor,leader_of_leaders,18,Coaching; Strategy,,English,Europe/London,Sales,,2');
  // Mentee One reports to Bea Boss, which only she and admins may see.
  rows.push('boss@example.org,Bea Boss,mentor,leader_of_leaders,25,Strategy,,English,Europe/London,Sales,,1');
  rows.push('mentee1@example.org,Mentee One,mentee,professional_contributor,3,,Coaching,English,Europe/London,Engineering,boss@example.org,');
  rows.push('mentee2@example.org,Mentee Two,mentee,professional_contributor,2,,Hiring,English,Europe/London,Engineering,,');
  return Buffer.from(rows.join('\r\n') + '\r\n', 'utf8');
}

/** Hour and minute now in `zone`, as the pages print them (`14:05`). */
function clock(zone, at = new Date()) {
  return new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit', hour12: false }).format(at);
}

describe('safe actions: a confirmation that counts, times in my zone, a private manager', { skip, timeout: 300_000 }, () => {
  let server;
  let browser;
  let failed = false;

  before(async () => {
    server = await startServer({
      setup: async (dataDir) => {
        await rapport(['admin', 'create-user', '--email', ADMIN.email, '--name', ADMIN.name, '--admin', '--data-dir', dataDir], `${ADMIN.password}\n`);
        await rapport(['admin', 'create-user', '--email', OTHER.email, '--name', OTHER.name, '--data-dir', dataDir], `${OTHER.password}\n`);
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
      const m = await Journey.open(browser, server, 'admin');
      await m.goto('/sign-in');
      await m.fill('Email', ADMIN.email);
      await m.fill('Password', ADMIN.password);
      await m.submit('Sign in');

      // Her profile is in Tokyo.
      await m.follow('My profile');
      await m.goto(`${m.path()}/edit`);
      await m.fill('Time zone', 'Asia/Tokyo');
      await m.submit('Save profile');

      await m.follow('Programmes');
      await m.follow('New programme');
      await m.fill('Name', 'Safe Spring');
      await m.page.getByLabel('Kind').selectOption('one_to_one');
      await m.fill('Default mentor capacity', '2');
      await m.submit('Create programme');
      await m.submit('Open for enrolment');
      await m.follow('Participants');
      await m.follow('Import from CSV');
      await m.page.getByLabel('CSV file').setInputFiles({ name: 'people.csv', mimeType: 'text/csv', buffer: peopleCsv() });
      await m.submit('Import');

      // A time in the viewer's zone, with the zone named.
      await m.goto('/programmes/safe-spring/matching');
      const before = clock('Asia/Tokyo');
      await m.submit('Run matching');
      const after = clock('Asia/Tokyo');
      const heading = await m.page.getByRole('heading', { level: 2 }).filter({ hasText: 'Round of' }).innerText();
      assert.ok(heading.includes('(Tokyo)'), heading);
      assert.ok(heading.includes(before) || heading.includes(after), `${heading} shows Tokyo time ${before}`);

      // Publishing asks first, in a dialog that says how many people are emailed.
      const publish = m.page.getByRole('link', { name: /^Publish \d+ proposals?$/ });
      const label = await publish.innerText();
      await publish.click();
      const dialog = m.page.getByRole('dialog');
      await dialog.waitFor();
      const said = await dialog.innerText();
      assert.match(said, /This emails \d+ people/, said);
      assert.match(said, /Here is what happens/, said);
      await m.check(); // axe, with the dialog open
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await dialog.waitFor({ state: 'detached' });
      assert.equal(m.path(), '/programmes/safe-spring/matching?done=round_run', 'Cancel stays on the page');
      assert.equal(await publish.count(), 1, 'Cancel publishes nothing');

      // A pair is rejected in a draft round (issue 18 §5), without leaving
      // the page's forms: the change is listed, the totals follow, and
      // publishing then proposes one room fewer.
      const proposals = Number(label.match(/\d+/)[0]);
      // The pair's forms sit in its closed <details>: open it first (a
      // role query sees no hidden button, a CSS one does).
      const pair = m.page
        .locator('details.card')
        .filter({ has: m.page.locator('button', { hasText: /^Reject the pair of / }) })
        .first();
      await pair.locator('summary').click();
      const reject = pair.getByRole('button', { name: /^Reject the pair of / });
      await m.navigate(() => reject.click());
      assert.equal(m.path(), '/programmes/safe-spring/matching?done=pair_edited');
      const edited = await m.mainText();
      assert.match(edited, /Changed by hand/, edited);
      assert.match(edited, /Rejected Mentee (One|Two) with Mentor/, edited);
      assert.match(edited, /Place someone by hand/, edited);
      assert.equal(await m.page.getByRole('link', { name: `Publish ${proposals - 1} proposals` }).count(), 1, edited);
      await m.check();

      await publish.click();
      await m.navigate(() => m.page.getByRole('dialog').getByRole('button', { name: /^Publish \d+ proposals?$/ }).click());
      assert.equal(m.path(), '/programmes/safe-spring/matching?done=published');

      // Without JavaScript the same link is a plain confirmation page
      // (every-page checks it with axe); the link leads there.
      await m.goto('/programmes/safe-spring');
      const close = m.page.getByRole('link', { name: 'Close', exact: true });
      assert.equal(await close.getAttribute('href'), '/programmes/safe-spring/close');
      assert.equal(await close.getAttribute('data-confirm'), '');
      const fallback = await m.page.request.get('/programmes/safe-spring/close');
      assert.equal(fallback.status(), 200);
      assert.match(await fallback.text(), /Here is what happens/);

      // The mentee's manager: the admin sees it, another member does not.
      await m.goto('/people?q=Mentee+One');
      await m.follow('Mentee One');
      const profile = m.path();
      assert.match(await m.mainText(), /Manager\s+Bea Boss/);
      await m.done();

      const o = await Journey.open(browser, server, 'member');
      await o.goto('/sign-in');
      await o.fill('Email', OTHER.email);
      await o.fill('Password', OTHER.password);
      await o.submit('Sign in');
      await o.goto(profile);
      const seen = await o.mainText();
      assert.ok(seen.includes('Mentee One') && !seen.includes('Bea Boss'), seen);
      await o.done();
    } catch (e) {
      failed = true;
      throw e;
    }
  });
});
