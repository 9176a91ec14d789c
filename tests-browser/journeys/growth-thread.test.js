// Journey (issue 19, journey 2): Bea, a mentee, starts a growth thread shared
// with her programme and posts a challenge linked to her goal. Sofia, her
// mentor, comments and reacts, and Bea replies to the comment (one level
// deep, no script needed). Cy, another member of the programme, reports the
// post. Mo, the programme's manager, hides it with a reason through the
// confirmation dialog; Cy no longer sees it, and Bea sees it with Mo's
// reason. Axe runs on every page, the dialog included.
//
// The programme, the enrolments, the room and the goal are set up through
// the API (other journeys walk those pages); the thread happens in the
// browser.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Journey, launchBrowser, rapport, skipReason, startServer } from '../lib/harness.js';
import { apiSignIn, approvedMember, ok, openProgramme, roomBetween, signIn } from '../lib/api.js';

const skip = skipReason() ?? false;

const ADMIN = { email: 'admin@example.org', name: 'Ada Admin', password: 'a long passphrase' };
const AUTHOR = { email: 'bea@example.org', name: 'Bea Author', password: 'learning out loud', role: 'mentee' };
const MENTOR = { email: 'sofia@example.org', name: 'Sofia Mentor', password: 'mentoring is fun', role: 'mentor' };
const READER = { email: 'cy@example.org', name: 'Cy Reader', password: 'reading along here', role: 'mentee' };
const MANAGER = { email: 'mo@example.org', name: 'Mo Manager', password: 'keeping it kind' };
const SLUG = 'growth-journey';
const PROGRAMME = 'Growth Journey';
const REASON = 'It names a colleague; please write about the situation without naming them.';

/** The programme with its manager, three approved members, Bea and Sofia's
 * active room, and Bea's goal in it; returns the goal's id. */
async function setUp(server) {
  const admin = await apiSignIn(server, ADMIN);
  await openProgramme(server, admin, PROGRAMME, SLUG);
  await ok(server, 'POST', `/api/v1/programmes/${SLUG}/managers`, admin, { email: MANAGER.email }, 204);
  const people = {};
  for (const who of [AUTHOR, MENTOR, READER]) {
    people[who.email] = await approvedMember(server, admin, SLUG, who, { role: who.role });
  }
  const bea = people[AUTHOR.email];
  const room = await roomBetween(server, SLUG, bea, people[MENTOR.email], 'I want to learn to delegate.');
  const goal = await ok(server, 'POST', `/api/v1/rooms/${room}/goals`, bea.cookie,
    { title: 'Delegate the weekly rota' }, 201);
  return goal.id;
}

describe('a growth thread: a post linked to a goal, responses, a report and a moderator hiding it', { skip, timeout: 240_000 }, () => {
  let server;
  let browser;
  let failed = false;

  before(async () => {
    server = await startServer({
      setup: (dataDir) => {
        rapport(['admin', 'create-user', '--email', ADMIN.email, '--name', ADMIN.name, '--admin', '--data-dir', dataDir], `${ADMIN.password}\n`);
        for (const who of [AUTHOR, MENTOR, READER, MANAGER]) {
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
      const goal = await setUp(server);

      // Bea starts a thread shared with her programme and posts a challenge
      // linked to her goal.
      const bea = await Journey.open(browser, server, 'author');
      await signIn(bea, AUTHOR);
      await bea.follow('Threads');
      // The feed links to My threads at the top (and again when it is empty).
      await bea.navigate(() => bea.page.getByRole('link', { name: 'My threads', exact: true }).first().click());
      await bea.fill('Title', 'Learning to delegate');
      await bea.page.getByLabel('Who may read it', { exact: true }).selectOption('programme');
      await bea.page.getByLabel('Programme (for "A programme")', { exact: true }).selectOption({ label: PROGRAMME });
      await bea.submit('Start the thread');
      assert.match(bea.path(), /^\/threads\/[0-9a-f-]{36}\?done=thread_started$/);
      const thread = new URL(bea.page.url()).pathname;
      await bea.follow('Write a post');
      await bea.page.getByLabel('Kind of post', { exact: true }).selectOption('challenge');
      await bea.fill('Post', 'Handing over the rota to **Dana** felt like losing control.');
      // She pastes the goal page's address, as a member would; the form
      // reads the id (and the kind) from it.
      await bea.fill('Address or id of the goal, session or roadmap step', `${server.url}/goals/${goal}`);
      await bea.submit('Publish the post');
      assert.match(bea.path(), /done=post_published/);
      const post = bea.page.locator('article.post');
      assert.equal(await post.count(), 1);
      assert.equal(await post.getByRole('link', { name: 'a goal' }).getAttribute('href'), `/goals/${goal}`);

      // Sofia, her mentor, finds it in her feed, comments and reacts.
      const sofia = await Journey.open(browser, server, 'mentor');
      await signIn(sofia, MENTOR);
      await sofia.follow('Threads');
      assert.match(await sofia.mainText(), /felt like losing control/);
      await sofia.follow('Learning to delegate');
      assert.equal(sofia.path(), thread);
      await sofia.page.getByText('Comment', { exact: true }).click();
      await sofia.fill('Your comment', 'What would *good enough* look like for the rota?');
      await sofia.submit('Post the comment');
      assert.match(sofia.path(), /done=comment_posted/);
      await sofia.submit('Been there (0)');
      assert.match(sofia.path(), /done=reaction_saved/);
      assert.equal(await sofia.page.getByRole('button', { name: 'Been there (1)' }).getAttribute('aria-pressed'), 'true');
      // She follows Bea from the thread, and her feed can then show only Bea.
      await sofia.submit('Follow Bea Author');
      assert.equal(sofia.path(), `${thread}?done=followed`);
      await sofia.check();
      await sofia.goto('/feed?following=true');
      assert.match(await sofia.mainText(), /felt like losing control/);

      // Bea replies to the comment, from the page, one level deep.
      await bea.goto(thread);
      await bea.page.getByText('Reply to Sofia Mentor', { exact: true }).click();
      await bea.fill('Your reply to Sofia Mentor', 'Good enough: nobody is left without a shift.');
      await bea.submit('Post the reply');
      assert.match(bea.path(), /done=comment_posted/);
      const reply = bea.page.locator('ol.comments > li.reply');
      assert.equal(await reply.count(), 1, 'the reply sits under the comment');
      assert.match(await reply.innerText(), /nobody is left without a shift/);

      // Cy, in the same programme, reports the post.
      const cy = await Journey.open(browser, server, 'reader');
      await signIn(cy, READER);
      await cy.goto(thread);
      // Comments have their own report forms: this one is the post's.
      const report = cy.page.locator('article.post > details').filter({ hasText: 'Report this post' });
      await report.getByText('Report this post', { exact: true }).click();
      await report.getByLabel('Why', { exact: true }).fill('It names a colleague who has not agreed to this.');
      await cy.navigate(() => report.getByRole('button', { name: 'Report', exact: true }).click());
      assert.match(cy.path(), /done=thread_reported/);

      // Mo, the programme's manager, hides it with a reason, through the
      // confirmation dialog.
      const mo = await Journey.open(browser, server, 'manager');
      await signIn(mo, MANAGER);
      await mo.goto('/moderation');
      const queue = await mo.mainText();
      assert.match(queue, /A post by Bea Author in "Learning to delegate"/, queue);
      assert.match(queue, /It names a colleague who has not agreed to this\./, queue);
      const hide = mo.page.getByRole('link', { name: 'Hide', exact: true });
      assert.equal(await hide.getAttribute('data-confirm'), '', 'hiding asks first');
      await hide.click();
      const dialog = mo.page.getByRole('dialog');
      await dialog.waitFor();
      const said = await dialog.innerText();
      assert.match(said, /Hide this post\?/, said);
      assert.match(said, /Its author still sees it, with your reason/, said);
      await dialog.getByLabel('Reason (its author sees it)').fill(REASON);
      await mo.check(); // axe, with the dialog open
      await mo.navigate(() => dialog.getByRole('button', { name: 'Hide the post', exact: true }).click());
      assert.equal(mo.path(), '/moderation?done=hidden');
      assert.match(await mo.mainText(), /hidden now/);

      // Cy no longer sees it; Bea sees it with the reason.
      await cy.goto(thread);
      assert.doesNotMatch(await cy.mainText(), /losing control/);
      await bea.goto(thread);
      const own = await bea.mainText();
      assert.match(own, /A moderator hid this post; only you see it\. Their reason: It names a colleague; please write about the situation without naming them\./, own);
      assert.match(own, /felt like losing control/, own);

      for (const j of [bea, sofia, cy, mo]) await j.done();
    } catch (e) {
      failed = true;
      throw e;
    }
  });
});
