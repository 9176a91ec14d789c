// Every page a person can reach, at a desktop and a phone width: each is
// checked with axe-core, and none scrolls sideways on a phone. The journeys
// cover the flows; this covers the pages they do not pass through (account,
// the admin area, forgotten password, errors).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Journey, launchBrowser, rapport, skipReason, startServer } from '../lib/harness.js';

const skip = skipReason() ?? false;
const ADMIN = { email: 'admin@example.org', name: 'Ada Admin', password: 'a long passphrase' };

const VIEWPORTS = [
  { name: 'desktop', viewport: { width: 1280, height: 800 } },
  { name: 'phone', viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true },
];

const ANONYMOUS = ['/', '/sign-up', '/sign-in', '/forgot-password', '/resend-verification'];

describe('every page, at desktop and phone widths', { skip, timeout: 240_000 }, () => {
  let server;
  let browser;
  let failed = false;
  const sideways = {}; // viewport name -> pages wider than the screen

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

  for (const { name, ...options } of VIEWPORTS) {
    test(name, async () => {
      try {
        const j = await Journey.open(browser, server, name, options);
        const overflowing = (sideways[name] = []);
        const noSidewaysScroll = async () => {
          // Against the device's width: a phone browser widens its layout
          // viewport to fit content that overflows, so innerWidth would hide it.
          const width = options.viewport.width;
          const scroll = await j.page.evaluate(() => document.documentElement.scrollWidth);
          if (scroll > width) overflowing.push(`${j.path()}: ${scroll}px of content in ${width}px`);
        };
        for (const path of ANONYMOUS) {
          await j.goto(path);
          await noSidewaysScroll();
        }
        // Error pages: an unknown page, a tampered link.
        await j.goto('/no-such-page', { status: 404 });
        await j.goto('/verify-email?token=tampered', { status: 422 });
        await j.goto('/people', { status: 200 }); // anonymous: sent to sign in
        assert.match(j.path(), /^\/sign-in/);

        await j.fill('Email', ADMIN.email);
        await j.fill('Password', ADMIN.password);
        await j.submit('Sign in');
        assert.equal(j.path(), '/');
        await noSidewaysScroll();
        await j.follow('My profile');
        const me = j.path();
        await noSidewaysScroll();
        for (const path of [`${me}/edit`, '/people', '/people?q=ada', '/account', '/admin', '/admin/skills', '/admin/settings', '/admin/audit', '/admin/audit?action=round.run', '/programmes', '/programmes/new', '/requests', '/rooms',
          // Roadmaps (H6): browse, search and the editor.
          '/roadmaps', '/roadmaps?level=team_leader', '/roadmaps/new',
          // Growth Threads (H7).
          '/threads', '/feed', '/moderation']) {
          await j.goto(path);
          await noSidewaysScroll();
        }
        // Reflection and the needs check (issue 19, H8).
        const seeded = '/prompts/7e5f0000-0000-4000-8000-000000000001';
        for (const path of ['/reflection', seeded, '/needs-check', '/needs-check/history', '/admin/prompts', `/admin${seeded}`]) {
          await j.goto(path);
          await noSidewaysScroll();
        }
        // Pages that only appear after an action.
        await j.goto('/account');
        // H1: on a phone each table heading reads on one line ("Address" and
        // "Last used" used to break over two); the table scrolls instead.
        const brokenHeadings = await j.page.evaluate(() => [...document.querySelectorAll('main th')]
          .filter((th) => {
            const range = document.createRange();
            range.selectNodeContents(th);
            return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size > 1;
          })
          .map((th) => th.textContent));
        assert.deepEqual(brokenHeadings, [], `${name}: table headings over two lines on /account`);
        await j.fill('Token name', `laptop ${name}`);
        await j.submit('Create token');
        assert.match(await j.mainText(), /Copy it now/);
        await noSidewaysScroll();
        await j.goto('/admin/skills');
        await j.fill('New skill', `Facilitation ${name}`);
        await j.submit('Add skill');
        assert.match(j.path(), /^\/admin\/skills\?done=/);
        assert.match(await j.mainText(), new RegExp(`Facilitation ${name}`));
        await j.fill('New skill', '');
        await j.submit('Add skill'); // empty: an error next to the field, on an accessible page
        const field = j.page.getByLabel('New skill');
        assert.equal(await field.getAttribute('aria-invalid'), 'true');
        const errorId = await field.getAttribute('aria-describedby');
        assert.match(await j.page.locator(`#${errorId}`).innerText(), /Enter a skill name/);
        await noSidewaysScroll();
        // Safe actions (issue 18 §5, H4): a confirmation page, and the
        // matching page of a draft programme (no "Run matching").
        await j.goto('/programmes/new');
        await j.fill('Name', `Confirm ${name}`);
        await j.submit('Create programme');
        await j.goto(`/programmes/confirm-${name}/matching`);
        await noSidewaysScroll();
        await j.goto(`/programmes/confirm-${name}`);
        await j.submit('Open for enrolment');
        await j.goto(`/programmes/confirm-${name}/close`);
        await noSidewaysScroll();
        // Forms that help (H3): the profile form with its error summary, a
        // programme's edit form and its matching settings form.
        await j.goto(`${me}/edit`);
        await j.fill('Years of experience', '99');
        await j.submit('Save profile');
        assert.match(await j.mainText(), /There is a problem/);
        await noSidewaysScroll();
        await j.goto('/programmes/new');
        await j.fill('Name', `Forms ${name}`);
        await j.submit('Create programme');
        const programme = j.path().split('?')[0];
        for (const path of [`${programme}/edit`, `${programme}/settings`]) {
          await j.goto(path);
          await noSidewaysScroll();
        }
        await j.done();
      } catch (e) {
        failed = true;
        throw e;
      }
    });
  }

  test('no page scrolls sideways at desktop width', () => {
    assert.deepEqual(sideways.desktop, [], `pages that scroll sideways:\n${(sideways.desktop || []).join('\n')}`);
  });

  // Tables used to overflow a 360px screen; `td, th { overflow-wrap: anywhere; }`
  // in rapport.css fixed it, and this guards the fix.
  test('no page scrolls sideways at phone width', () => {
    assert.deepEqual(sideways.phone, [], `pages that scroll sideways:\n${(sideways.phone || []).join('\n')}`);
  });
});
