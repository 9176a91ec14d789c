// Journey: forms that help (issue 18 §2, §8). A member fills the profile with
// the pickers, once with JavaScript (filtered skill list, the device's time
// zone, dragging across the week grid, the error summary taking focus) and
// once with JavaScript off (the same form as plain checkboxes). A manager's
// programme form shows only its kind's fields, and the matching settings
// are a form. Every page is checked with axe-core.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Journey, launchBrowser, rapport, skipReason, startServer } from '../lib/harness.js';

const skip = skipReason() ?? false;
const ADMIN = { email: 'admin@example.org', name: 'Ada Admin', password: 'a long passphrase' };
const SKILLS = ['Coaching', 'Delegation', 'Hiring', 'Negotiation', 'Public speaking', 'Strategy'];

describe('profile and settings forms, with and without JavaScript', { skip, timeout: 240_000 }, () => {
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

  const step = (name, fn) => test(name, async (t) => {
    try {
      await fn(t);
    } catch (e) {
      failed = true;
      throw e;
    }
  });

  async function signIn(j) {
    await j.goto('/sign-in');
    await j.fill('Email', ADMIN.email);
    await j.fill('Password', ADMIN.password);
    await j.submit('Sign in');
    assert.equal(j.path(), '/');
  }

  async function editProfile(j) {
    await j.follow('My profile');
    const me = j.path();
    await j.goto(`${me}/edit`);
    return me;
  }

  step('with JavaScript: filter, device zone, drag the grid, error summary', async () => {
    const j = await Journey.open(browser, server, 'with js', { timezoneId: 'Asia/Tokyo' });
    await signIn(j);
    for (const skill of SKILLS) {
      await j.goto('/admin/skills');
      await j.fill('New skill', skill);
      await j.submit('Add skill');
    }
    const me = await editProfile(j);
    const page = j.page;

    // The searchable multi-select: typing filters the list.
    await page.getByLabel('Filter: Skills you can offer', { exact: true }).fill('deleg');
    assert.equal(await page.getByLabel('Coaching', { exact: true }).first().isVisible(), false);
    await page.locator('#g-skills_offered').getByLabel('Delegation', { exact: true }).check();
    await page.locator('#g-skills_wanted').getByLabel('Negotiation', { exact: true }).check();

    // The device's zone is suggested, and one click takes it.
    await page.getByRole('button', { name: "Use this device's zone: Asia/Tokyo" }).click();
    assert.equal(await page.getByLabel('Time zone', { exact: true }).inputValue(), 'Asia/Tokyo');

    // Press on Monday 09:00 and drag down to 11:00: three hours ticked.
    const cell = (label) => page.getByLabel(label, { exact: true });
    await cell('Monday 09:00 to 10:00').hover();
    await page.mouse.down();
    await cell('Monday 10:00 to 11:00').hover();
    await cell('Monday 11:00 to 12:00').hover();
    await page.mouse.up();
    for (const h of ['09:00 to 10:00', '10:00 to 11:00', '11:00 to 12:00']) {
      assert.ok(await cell(`Monday ${h}`).isChecked(), `Monday ${h} is ticked`);
    }
    // Arrow keys move between hours; space ticks.
    await cell('Friday 16:00 to 17:00').focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Space');
    assert.ok(await cell('Friday 17:00 to 18:00').isChecked());

    // A bad value: the error summary takes focus and links to the field.
    await j.fill('Years of experience', '99');
    await j.submit('Save profile');
    const summary = page.getByRole('alert').filter({ hasText: 'There is a problem' });
    assert.ok(await summary.evaluate((el) => el === document.activeElement), 'the summary has focus');
    await summary.getByRole('link').first().click();
    await j.check(); // the link moves within the page, which counts as a visit
    assert.equal(await page.evaluate(() => document.activeElement.id), 'f-years_experience');
    // Nothing entered was lost.
    assert.ok(await cell('Monday 10:00 to 11:00').isChecked());
    assert.equal(await page.getByLabel('Time zone', { exact: true }).inputValue(), 'Asia/Tokyo');
    await j.fill('Years of experience', '9');
    await j.submit('Save profile');
    assert.equal(j.path(), `${me}?done=profile_saved`);
    const profile = await j.mainText();
    for (const expected of ['Delegation', 'Negotiation', 'Asia/Tokyo', 'mon 09:00-12:00', 'fri 17:00-18:00']) {
      assert.ok(profile.includes(expected), `the profile shows ${expected}:\n${profile}`);
    }

    // The programme form follows the kind; the settings are a form with sliders.
    await j.goto('/programmes/new');
    const circles = page.getByLabel('Smallest peer circle', { exact: true });
    await page.getByLabel('Kind', { exact: true }).selectOption('circle');
    assert.ok(await circles.isVisible());
    await page.getByLabel('Kind', { exact: true }).selectOption('one_to_one');
    assert.equal(await circles.isVisible(), false);
    assert.ok(await page.getByLabel('Default mentor capacity', { exact: true }).isVisible());
    await j.fill('Name', 'Forms pilot');
    await j.submit('Create programme');
    const programme = j.path().split('?')[0];
    await j.goto(`${programme}/settings`);
    await page.getByLabel('Availability (slider)', { exact: true }).fill('40');
    assert.equal(await page.getByLabel('Availability', { exact: true }).inputValue(), '40');
    await j.submit('Save settings');
    assert.equal(j.path(), `${programme}?done=matching_saved`);
    await j.goto(`${programme}/settings`);
    assert.equal(await page.getByLabel('Availability', { exact: true }).inputValue(), '40');
    await j.done();
  });

  step('without JavaScript: the same form as plain checkboxes', async () => {
    // axe-core cannot run in a page without JavaScript, so this tab is driven
    // directly; the same pages were checked with axe in the step above.
    const context = await browser.newContext({ baseURL: server.url, locale: 'en-GB', javaScriptEnabled: false });
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    const submit = async (name) => {
      await Promise.all([page.waitForNavigation(), page.getByRole('button', { name, exact: true }).click()]);
    };
    const path = () => { const u = new URL(page.url()); return u.pathname + u.search; };
    await page.goto('/sign-in');
    await page.getByLabel('Email', { exact: true }).fill(ADMIN.email);
    await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
    await submit('Sign in');
    await page.goto(await page.getByRole('link', { name: 'My profile', exact: true }).getAttribute('href'));
    const me = path();
    await page.goto(`${me}/edit`);
    assert.equal(await page.getByLabel('Filter: Skills you can offer').count(), 0, 'no filter without JS');
    const offered = page.locator('#g-skills_offered');
    assert.ok(await offered.getByLabel('Delegation', { exact: true }).isChecked(), 'saved skills are ticked');
    await offered.getByLabel('Coaching', { exact: true }).check();
    await offered.getByLabel('Delegation', { exact: true }).uncheck();
    await page.getByLabel('Other skills you can offer', { exact: true }).fill('Rust');
    await page.getByLabel('Monday 09:00 to 10:00', { exact: true }).uncheck();
    await page.getByLabel('Tuesday 18:00 to 19:00', { exact: true }).check();
    // The error summary is there without JS too, linking to the field.
    await page.getByLabel('Time zone', { exact: true }).fill('Europe/Atlantis');
    await submit('Save profile');
    const link = page.getByRole('alert').getByRole('link', { name: /Time zone/ });
    assert.equal(await link.getAttribute('href'), '#f-time_zone');
    assert.ok(await page.getByLabel('Tuesday 18:00 to 19:00', { exact: true }).isChecked());
    await page.getByLabel('Time zone', { exact: true }).fill('Europe/Lisbon');
    await submit('Save profile');
    assert.equal(path(), `${me}?done=profile_saved`);
    const profile = await page.locator('main').innerText();
    for (const expected of ['Coaching', 'Rust', 'Europe/Lisbon', 'mon 10:00-12:00', 'tue 18:00-19:00']) {
      assert.ok(profile.includes(expected), `the profile shows ${expected}:\n${profile}`);
    }
    await context.close();
  });
});
