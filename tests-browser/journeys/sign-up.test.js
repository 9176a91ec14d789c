// Journey: a newcomer signs up, confirms their email from the outbox, signs
// in, fills in their profile, and finds themself in the people directory.
// Bad input on the way shows each message next to its field.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Journey, launchBrowser, skipReason, startServer } from '../lib/harness.js';
import { findLink, waitForEmail } from '../lib/eml.js';

const skip = skipReason() ?? false;

describe('sign up, verify, sign in, edit profile, find yourself', { skip, timeout: 180_000 }, () => {
  let server;
  let browser;
  let failed = false;

  before(async () => {
    server = await startServer();
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

  step('sign-up with bad input shows each error next to its field', async () => {
    const j = await Journey.open(browser, server, 'bad sign-up');
    await j.goto('/sign-up');
    await j.fill('Your name', 'Someone');
    await j.fill('Email', 'not an email');
    await j.fill('Password', 'short');
    await j.submit('Create account');
    assert.equal(j.path(), '/sign-up');
    await j.expectFieldError('Password', 'Password must be at least 10 characters');
    await j.expectFieldError('Email', 'Email must contain @');
    // What the person typed is kept, except the password.
    assert.equal(await j.page.getByLabel('Your name', { exact: true }).inputValue(), 'Someone');
    assert.equal(await j.page.getByLabel('Email', { exact: true }).inputValue(), 'not an email');
    assert.equal(await j.page.getByLabel('Password', { exact: true }).inputValue(), '');
    await j.done();
  });

  step('the whole journey', async () => {
    // A name outside ASCII makes the email's body and headers encoded.
    const name = 'Joana Gonçalves';
    const email = 'joana.goncalves@example.org';
    const password = 'correct horse battery staple';
    const j = await Journey.open(browser, server, 'newcomer');

    await j.goto('/');
    await j.follow('Create an account');
    assert.equal(j.path(), '/sign-up');
    await j.fill('Your name', name);
    await j.fill('Email', email);
    await j.fill('Password', password);
    await j.submit('Create account');
    assert.equal(j.path(), '/sign-in?done=signed_up');

    const mail = await waitForEmail(server.outbox, email);
    assert.equal(mail.subject, 'Confirm your email for Rapport');
    assert.ok(mail.to.includes(email), `To: ${mail.to}`);
    assert.ok(mail.text.includes(`Hello ${name},`), `the greeting is decoded: ${mail.text}`);
    const link = findLink(mail.text, '/verify-email');
    assert.equal(link.origin, server.url, 'the link points at this server');
    assert.match(link.searchParams.get('token'), /^[A-Za-z0-9_-]{20,}$/);

    await j.goto(link.pathname + link.search);
    assert.match(await j.mainText(), new RegExp(`Confirm that ${email.replace(/\./g, '\\.')} is your email address`));
    await j.submit('Confirm my email');
    assert.equal(j.path(), '/sign-in?done=verified');

    await j.fill('Email', email);
    await j.fill('Password', password);
    await j.submit('Sign in');
    assert.equal(j.path(), '/');
    assert.equal(await j.page.getByRole('heading', { level: 1 }).innerText(), `Welcome, ${name}`);

    await j.follow('Edit your profile');
    const editPath = j.path();
    assert.match(editPath, /^\/people\/[^/]+\/edit$/);
    const me = editPath.replace(/\/edit$/, '');
    await j.page.getByLabel('Leadership level', { exact: true }).selectOption({ label: 'Team Leader' });
    await j.fill('Years of experience', '12');
    // No skill catalogue yet: skills go in the "other" boxes; hours are
    // ticked in the week grid.
    await j.fill('Other skills you can offer', 'Accessibility auditing, Public speaking');
    await j.fill('Other skills you want to grow', 'Negotiation');
    await j.fill('Languages', 'Portuguese, English');
    for (const hour of ['Monday 09:00 to 10:00', 'Monday 10:00 to 11:00', 'Thursday 14:00 to 15:00']) {
      await j.page.getByLabel(hour, { exact: true }).check();
    }
    // A time zone that does not exist is refused next to its field, and
    // nothing else the person typed is lost.
    await j.fill('Time zone', 'Europe/Atlantis');
    await j.submit('Save profile');
    assert.equal(j.path(), editPath);
    await j.expectFieldError('Time zone', 'Time zone must be an IANA name such as Europe/Lisbon');
    assert.equal(await j.page.getByLabel('Other skills you can offer', { exact: true }).inputValue(), 'Accessibility auditing, Public speaking');
    assert.ok(await j.page.getByLabel('Thursday 14:00 to 15:00', { exact: true }).isChecked());
    await j.fill('Time zone', 'Europe/Lisbon');
    await j.submit('Save profile');
    assert.equal(j.path(), `${me}?done=profile_saved`);
    const profile = await j.mainText();
    for (const expected of ['Team Leader, 12 years', 'Accessibility auditing', 'Public speaking', 'Negotiation',
      'Portuguese, English', 'Europe/Lisbon', 'mon 09:00-11:00', 'thu 14:00-15:00']) {
      assert.ok(profile.includes(expected), `the saved profile shows ${JSON.stringify(expected)}:\n${profile}`);
    }

    await j.follow('People');
    assert.equal(j.path(), '/people');
    await j.fill('Search by name, skill, interest, language or department', 'accessibility auditing');
    await j.submit('Search');
    assert.equal(j.path(), '/people?q=accessibility+auditing');
    assert.ok((await j.mainText()).includes('1 person found.'));
    const hit = j.page.getByRole('link', { name, exact: true });
    assert.equal(await hit.getAttribute('href'), me);

    // A skill nobody has finds nobody, and says so.
    await j.goto('/people?q=underwater+basket+weaving');
    assert.ok((await j.mainText()).includes('0 people found.'));

    await j.submit('Sign out');
    assert.equal(j.path(), '/sign-in?done=signed_out');
    const checked = await j.done();
    console.log(`# pages checked with axe-core: ${checked.length}`);
  });
});
