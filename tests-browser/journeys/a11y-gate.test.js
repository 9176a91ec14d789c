// The accessibility gate itself: a page with serious violations fails the
// check and names them, and a page visited without a check is caught. If
// this breaks, the journeys' "0 violations" would mean nothing.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Journey, launchBrowser, skipReason } from '../lib/harness.js';

const skip = skipReason() ?? false;

describe('the axe-core gate', { skip, timeout: 60_000 }, () => {
  let browser;
  before(async () => { browser = await launchBrowser(); });
  after(async () => { await browser?.close(); });

  test('fails on serious or critical violations and names them', async () => {
    const j = await Journey.open(browser, { url: 'http://127.0.0.1:9' }, 'gate');
    await j.page.setContent(`<!doctype html><html lang="en"><head><title>Gate</title></head><body><main>
      <h1>Form</h1><form><input type="text" name="q"><button></button></form>
      <p style="color:#bbb;background:#fff">Low contrast text</p></main></body></html>`);
    await assert.rejects(j.check(), (e) => {
      assert.match(e.message, /serious or critical accessibility violation/);
      assert.match(e.message, /\[critical\] (label|button-name)/);
      assert.match(e.message, /color-contrast/);
      return true;
    });
    await j.context.close();
  });

  test('passes a clean page', async () => {
    const j = await Journey.open(browser, { url: 'http://127.0.0.1:9' }, 'gate');
    await j.page.setContent(`<!doctype html><html lang="en"><head><title>Gate</title></head><body><main>
      <h1>Form</h1><form><label for="q">Search</label><input id="q" type="text" name="q"><button>Go</button></form></main></body></html>`);
    const found = await j.check();
    assert.deepEqual(found.filter((v) => v.impact === 'serious' || v.impact === 'critical'), []);
    await j.done();
  });

  test('a page visited without a check is caught', async () => {
    const j = await Journey.open(browser, { url: 'http://127.0.0.1:9' }, 'gate');
    const page = (title) => `data:text/html,<!doctype html><html lang="en"><title>${title}</title><main><h1>${title}</h1></main></html>`;
    await j.page.goto(page('One'));
    await j.page.goto(page('Two'));
    await assert.rejects(j.check(), /visited without an accessibility check: data:text\/html/);
    await j.page.goto(page('Three'));
    await assert.rejects(j.done(), /visited without an accessibility check/);
    await j.context.close();
  });
});
