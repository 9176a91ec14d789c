// Journey: the first admin (made with `rapport admin create-user`) signs in
// and invites a person from /admin; the invitation arrives in the outbox;
// the invitee opens it, sets a password, and lands signed in.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Journey, launchBrowser, rapport, skipReason, startServer } from '../lib/harness.js';
import { findLink, waitForEmail } from '../lib/eml.js';

const skip = skipReason() ?? false;

const ADMIN = { email: 'admin@example.org', name: 'Ada Admin', password: 'a long passphrase' };
const INVITEE = { email: 'grace.hopper@example.org', name: 'Grace Hopper', password: 'cobol forever and ever' };

describe('an admin invites a person, who sets a password and signs in', { skip, timeout: 180_000 }, () => {
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
      const admin = await Journey.open(browser, server, 'admin');
      await admin.goto('/sign-in');
      await admin.fill('Email', ADMIN.email);
      await admin.fill('Password', ADMIN.password);
      await admin.submit('Sign in');
      assert.equal(admin.path(), '/');
      assert.equal(await admin.page.getByRole('heading', { level: 1 }).innerText(), `Welcome, ${ADMIN.name}`);

      await admin.follow('Admin');
      assert.equal(admin.path(), '/admin');
      await admin.fill('Email', INVITEE.email);
      await admin.fill('Name', INVITEE.name);
      await admin.submit('Send invitation');
      assert.equal(admin.path(), '/admin?done=invited');
      const row = admin.page.getByRole('row').filter({ hasText: INVITEE.email });
      assert.ok((await row.innerText()).includes('Invited'), 'the invitee is listed as invited');

      // Inviting the same address twice is refused with a clear message.
      await admin.fill('Email', INVITEE.email);
      await admin.fill('Name', INVITEE.name);
      await admin.submit('Send invitation');
      assert.match(await admin.mainText(), /already/i, 'a duplicate invitation says the address is taken');

      const mail = await waitForEmail(server.outbox, INVITEE.email);
      assert.equal(mail.subject, 'You are invited to Rapport');
      assert.ok(mail.text.includes(`Hello ${INVITEE.name},`), mail.text);
      assert.ok(mail.text.includes(`${ADMIN.name} invited you`), mail.text);
      const link = findLink(mail.text, '/accept-invitation');
      assert.equal(link.origin, server.url, 'the link points at this server');

      // The invitee uses a browser of their own: nothing shared with the admin.
      const invitee = await Journey.open(browser, server, 'invitee');
      await invitee.goto(link.pathname + link.search);
      assert.ok((await invitee.mainText()).includes(`Welcome, ${INVITEE.name}. Choose a password for ${INVITEE.email}.`));
      await invitee.fill('New password', 'short');
      await invitee.submit('Set password and sign in');
      await invitee.expectFieldError('New password', 'Password must be at least 10 characters');
      await invitee.fill('New password', INVITEE.password);
      await invitee.submit('Set password and sign in');
      assert.equal(invitee.path(), '/');
      assert.equal(await invitee.page.getByRole('heading', { level: 1 }).innerText(), `Welcome, ${INVITEE.name}`);
      const nav = invitee.page.getByRole('navigation', { name: 'Main' });
      assert.equal(await nav.getByRole('link', { name: 'My profile' }).count(), 1);
      assert.equal(await nav.getByRole('link', { name: 'Admin' }).count(), 0, 'an invitee is not an admin');

      // The link works once.
      await invitee.goto(link.pathname + link.search, { status: 422 });
      assert.match(await invitee.mainText(), /invalid, already used or expired/);

      // And the password they chose signs them in again later.
      await invitee.goto('/');
      await invitee.submit('Sign out');
      await invitee.fill('Email', INVITEE.email);
      await invitee.fill('Password', INVITEE.password);
      await invitee.submit('Sign in');
      assert.equal(invitee.path(), '/');
      await invitee.done();

      // The admin sees them active now.
      await admin.goto('/admin');
      const active = admin.page.getByRole('row').filter({ hasText: INVITEE.email });
      assert.ok((await active.innerText()).includes('Active'), 'the invitee is active after accepting');
      await admin.done();
    } catch (e) {
      failed = true;
      throw e;
    }
  });
});
