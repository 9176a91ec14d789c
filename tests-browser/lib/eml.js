// Reads the .eml files Rapport writes into DATA_DIR/outbox/ when no SMTP
// server is configured. A small, strict RFC 5322 / MIME reader: header
// unfolding, RFC 2047 encoded words, and quoted-printable or base64 bodies
// (a link split by a quoted-printable soft line break is joined again).

import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Bytes of a latin1-held string (each char one byte) decoded as `charset`. */
function bytesToText(latin1, charset = 'utf-8') {
  return new TextDecoder(charset.toLowerCase(), { fatal: true }).decode(Buffer.from(latin1, 'latin1'));
}

/** Quoted-printable (RFC 2045 6.7) to raw bytes, held as a latin1 string. */
export function decodeQuotedPrintable(text) {
  return text
    .replace(/[ \t]+(?=\r?\n)/g, '') // trailing whitespace is padding
    .replace(/=\r?\n/g, '') // soft line breaks
    .replace(/=([0-9A-Fa-f]{2})/g, (_, hex) => String.fromCharCode(parseInt(hex, 16)));
}

/** RFC 2047 encoded words in a header value (`=?utf-8?b?...?=`, `=?utf-8?q?...?=`). */
export function decodeHeaderValue(value) {
  // Whitespace between two adjacent encoded words is not part of the text.
  const joined = value.replace(/(\?=)\s+(?==\?)/g, '$1');
  return joined.replace(/=\?([^?]+)\?([bBqQ])\?([^?]*)\?=/g, (_, charset, enc, data) => {
    const raw = enc.toUpperCase() === 'B'
      ? Buffer.from(data, 'base64').toString('latin1')
      : decodeQuotedPrintable(data.replace(/_/g, ' '));
    return bytesToText(raw, charset);
  });
}

/** Splits raw message text (latin1) into unfolded headers and the raw body. */
function splitMessage(raw) {
  const m = /\r?\n\r?\n/.exec(raw);
  if (!m) throw new Error('message has no blank line between headers and body');
  const head = raw.slice(0, m.index);
  const body = raw.slice(m.index + m[0].length);
  const headers = new Map();
  for (const line of head.replace(/\r?\n(?=[ \t])/g, '').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw new Error(`malformed header line: ${JSON.stringify(line)}`);
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (!headers.has(name)) headers.set(name, []);
    headers.get(name).push(value);
  }
  return { headers, body };
}

function param(headerValue, name) {
  const m = new RegExp(`;\\s*${name}\\s*=\\s*("([^"]*)"|[^;\\s]+)`, 'i').exec(headerValue || '');
  return m ? (m[2] ?? m[1]) : undefined;
}

/** Decodes one MIME entity; returns { headers, text } where text is its text/plain content. */
function decodeEntity(raw) {
  const { headers, body } = splitMessage(raw);
  const ctype = (headers.get('content-type') || ['text/plain; charset=us-ascii'])[0];
  const type = ctype.split(';')[0].trim().toLowerCase();
  if (type.startsWith('multipart/')) {
    const boundary = param(ctype, 'boundary');
    if (!boundary) throw new Error('multipart message without a boundary');
    const parts = body.split(new RegExp(`\\r?\\n?--${boundary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?:--)?[ \\t]*\\r?\\n?`)).slice(1, -1);
    for (const part of parts) {
      const decoded = decodeEntity(part);
      if (decoded.text !== undefined) return { headers, text: decoded.text };
    }
    return { headers, text: undefined };
  }
  if (type !== 'text/plain') return { headers, text: undefined };
  const cte = (headers.get('content-transfer-encoding') || ['7bit'])[0].toLowerCase();
  let bytes;
  if (cte === 'quoted-printable') bytes = decodeQuotedPrintable(body);
  else if (cte === 'base64') bytes = Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('latin1');
  else if (['7bit', '8bit', 'binary'].includes(cte)) bytes = body;
  else throw new Error(`unsupported Content-Transfer-Encoding ${cte}`);
  return { headers, text: bytesToText(bytes, param(ctype, 'charset') || 'us-ascii').replace(/\r\n/g, '\n') };
}

/**
 * Parses a whole message. Returns { header(name), to, from, subject, text }
 * with header values decoded and `text` the decoded text/plain body.
 */
export function parseEml(rawBytes) {
  const raw = Buffer.isBuffer(rawBytes) ? rawBytes.toString('latin1') : Buffer.from(rawBytes, 'utf8').toString('latin1');
  const { headers, text } = decodeEntity(raw);
  if (text === undefined) throw new Error('message has no text/plain part');
  const header = (name) => {
    const v = headers.get(name.toLowerCase());
    return v ? decodeHeaderValue(v[0]) : undefined;
  };
  return { header, to: header('to'), from: header('from'), subject: header('subject'), text };
}

/** The first link in `text` whose path is `path` (e.g. "/verify-email"), as a URL. */
export function findLink(text, path) {
  const re = /https?:\/\/[^\s<>"')]+/g;
  for (const m of text.matchAll(re)) {
    const url = new URL(m[0]);
    if (url.pathname === path) return url;
  }
  throw new Error(`no link to ${path} in the message:\n${text}`);
}

/**
 * Waits until an .eml file addressed to `to` appears in `outboxDir` and
 * returns it parsed (with `file`). Polls: the server's job worker sends
 * queued mail every 2 seconds.
 */
export async function waitForEmail(outboxDir, to, { timeoutMs = 20_000, subject } = {}) {
  const deadline = Date.now() + timeoutMs;
  const seen = [];
  for (;;) {
    let files = [];
    try {
      files = (await readdir(outboxDir)).filter((f) => f.endsWith('.eml')).sort();
    } catch (e) {
      if (e.code !== 'ENOENT') throw e;
    }
    seen.length = 0;
    for (const f of files) {
      const msg = parseEml(await readFile(join(outboxDir, f)));
      seen.push(`${f}: To ${msg.to}, Subject ${msg.subject}`);
      if (msg.to && msg.to.toLowerCase().includes(to.toLowerCase()) && (!subject || msg.subject === subject)) {
        return { ...msg, file: f };
      }
    }
    if (Date.now() > deadline) {
      throw new Error(`no email to ${to} arrived in ${outboxDir} within ${timeoutMs} ms; there: ${seen.join('; ') || 'nothing'}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}
