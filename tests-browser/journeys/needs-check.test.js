// Journey (issue 19): a new member is offered the needs check on their first
// visit, takes it (first leaving a statement out), reads a mentorship gap,
// and follows its recommendation: the programme open for enrolment. Axe
// runs on every page.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Journey, launchBrowser, rapport, skipReason, startServer } from '../lib/harness.js';
import { signIn } from '../lib/api.js';

const skip = skipReason() ?? false;

const ADMIN = { email: 'admin@example.org', name: 'Ada Admin', password: 'a long passphrase' };
const NEW = { email: 'nia@example.org', name: 'Nia Newcomer', password: 'finding my way' };

// Leadership statements (the 1st, 3rd, 5th, 7th) low, mentorship high.
const ANSWERS = {
  'I am not sure what my team is expected to deliver this quarter.': '2',
  'I want help working out what kind of leader I want to become.': '5',
  'When priorities clash, I do not know which one my leader wants first.': '1',
  'I would like to understand my strengths and blind spots better.': '4',
  'I often learn about deadlines too late to plan for them.': '2',
  'I am unsure which direction my career should take next.': '5',
  'I am not sure which decisions are mine to make and which need my leader.': '2',
  'I would value an outside view from someone who has walked this path before.': '4',
};

describe('a new member takes the needs check and follows its recommendation', { skip, timeout: 240_000 }, () => {
  let server;
  let browser;
  let failed = false;

  before(async () => {
    server = await startServer({
      setup: (dataDir) => {
        rapport(['admin', 'create-user', '--email', ADMIN.email, '--name', ADMIN.name, '--admin', '--data-dir', dataDir], `${ADMIN.password}\n`);
        rapport(['admin', 'create-user', '--email', NEW.email, '--name', NEW.name, '--data-dir', dataDir], `${NEW.password}\n`);
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
      // An admin opens a programme: the live data the advice is drawn from.
      const admin = await Journey.open(browser, server, 'admin');
      await signIn(admin, ADMIN);
      await admin.follow('Programmes');
      await admin.follow('New programme');
      await admin.fill('Name', 'Leaders Growing');
      await admin.page.getByLabel('Kind').selectOption('one_to_one');
      await admin.submit('Create programme');
      assert.equal(admin.path(), '/programmes/leaders-growing?done=programme_created');
      await admin.submit('Open for enrolment');
      await admin.goto('/admin/prompts');
      await admin.done();

      const nia = await Journey.open(browser, server, 'newcomer');
      await signIn(nia, NEW);
      // First visit: the check is offered.
      await nia.follow('Take the needs check: find out what kind of help you need');
      assert.equal(nia.path(), '/needs-check');
      const pick = async (statement, value) => {
        await nia.page.getByRole('group', { name: statement }).getByLabel(value, { exact: true }).check();
      };
      // One statement left out: the form says which.
      const entries = Object.entries(ANSWERS);
      for (const [statement, value] of entries.slice(1)) await pick(statement, value);
      await nia.submit('See my result');
      assert.equal(nia.path(), '/needs-check');
      assert.match(await nia.mainText(), /answer every statement/i);
      for (const [statement, value] of entries) await pick(statement, value);
      await nia.submit('See my result');
      assert.match(nia.path(), /^\/needs-check\?done=needs_saved/);
      const result = await nia.mainText();
      assert.match(result, /A mentorship gap: you want guidance on who to become/);
      assert.match(result, /Enrol in Leaders Growing/);

      // She follows the recommendation and enrols.
      await nia.follow('Enrol in Leaders Growing');
      assert.equal(nia.path(), '/programmes/leaders-growing');
      await nia.follow('Enrol');
      await nia.page.getByLabel('I am enrolling as').selectOption('mentee');
      await nia.page.getByLabel('I accept the code of conduct').check();
      await nia.submit('Enrol');
      assert.equal(nia.path(), '/programmes/leaders-growing?done=enrolled');

      // Her result is kept in her history, and home no longer asks.
      await nia.goto('/needs-check/history');
      assert.match(await nia.mainText(), /A mentorship gap/);
      await nia.goto('/');
      assert.doesNotMatch(await nia.mainText(), /To do: Take the needs check/);
      await nia.goto('/reflection');
      await nia.done();
    } catch (e) {
      failed = true;
      throw e;
    }
  });
});
