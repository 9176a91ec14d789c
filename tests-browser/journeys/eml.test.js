// The outbox reader the journeys rely on: links split by quoted-printable
// soft line breaks, encoded headers, and base64 bodies come back whole.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeHeaderValue, findLink, parseEml } from '../lib/eml.js';

test('a quoted-printable body with a link split by a soft line break', () => {
  const raw = [
    'From: Rapport <rapport@localhost>',
    'To: =?utf-8?b?Sm9hbmEgR29uw6dhbHZlcw==?= <joana@example.org>',
    'Subject: Confirm your email',
    ' for Rapport',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: quoted-printable',
    '',
    'Hello Joana Gon=C3=A7alves,',
    '',
    'http://127.0.0.1:8080/verify-email?token=3DabcDEF_123-=',
    'xyz789=3D',
    '',
  ].join('\r\n');
  const m = parseEml(Buffer.from(raw, 'latin1'));
  assert.equal(m.to, 'Joana Gonçalves <joana@example.org>');
  assert.equal(m.subject, 'Confirm your email for Rapport');
  assert.ok(m.text.startsWith('Hello Joana Gonçalves,\n'));
  const link = findLink(m.text, '/verify-email');
  assert.equal(link.searchParams.get('token'), 'abcDEF_123-xyz789=');
});

test('a base64 body and a Q-encoded subject', () => {
  const body = Buffer.from('Olá!\nhttp://h:1/accept-invitation?token=t0k3n\n', 'utf8').toString('base64');
  const raw = `Subject: =?UTF-8?Q?Ol=C3=A1_there?=\nContent-Type: text/plain; charset="utf-8"\nContent-Transfer-Encoding: base64\n\n${body.slice(0, 20)}\n${body.slice(20)}\n`;
  const m = parseEml(Buffer.from(raw, 'latin1'));
  assert.equal(m.subject, 'Olá there');
  assert.equal(findLink(m.text, '/accept-invitation').searchParams.get('token'), 't0k3n');
});

test('adjacent encoded words join without the space between them', () => {
  assert.equal(decodeHeaderValue('=?utf-8?q?a?= =?utf-8?q?b?= c'), 'ab c');
});

test('a missing link is an error that shows the message', () => {
  assert.throws(() => findLink('no links here', '/verify-email'), /no link to \/verify-email/);
});
