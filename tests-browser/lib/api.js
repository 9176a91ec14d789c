// Setting the scene through the JSON API: a programme, approved members and
// an active room, for the journeys that walk something else in the browser
// (each of them used to carry its own copy of these helpers).

import assert from 'node:assert/strict';

/** A JSON API call with a session cookie; returns { status, json, headers }. */
export async function api(server, method, path, cookie, body) {
  const headers = { origin: server.url };
  if (cookie) headers.cookie = cookie;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(server.url + path, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body), redirect: 'manual',
  });
  const text = await res.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = text; }
  return { status: res.status, json, headers: res.headers };
}

/** An API call that must answer `want`; returns the JSON body. */
export async function ok(server, method, path, cookie, body, want) {
  const r = await api(server, method, path, cookie, body);
  assert.equal(r.status, want, `${method} ${path} answered ${r.status}: ${JSON.stringify(r.json)}`);
  return r.json;
}

/** Signs `who` in through the API; returns their session cookie. */
export async function apiSignIn(server, who) {
  const r = await api(server, 'POST', '/api/v1/auth/sign-in', null, { email: who.email, password: who.password });
  assert.equal(r.status, 200, JSON.stringify(r.json));
  return r.headers.get('set-cookie').split(';')[0];
}

/** Signs `who` in through the sign-in page; they land on the home page. */
export async function signIn(j, who) {
  await j.goto('/sign-in');
  await j.fill('Email', who.email);
  await j.fill('Password', who.password);
  await j.submit('Sign in');
  assert.equal(j.path(), '/');
}

/** A one-to-one programme where mentees ask mentors, created and opened by `admin` (a cookie). */
export async function openProgramme(server, admin, name, slug) {
  await ok(server, 'POST', '/api/v1/programmes', admin,
    { name, kind: 'one_to_one', matching_mode: 'mentees_request', slug }, 201);
  await ok(server, 'POST', `/api/v1/programmes/${slug}/status`, admin, { status: 'open' }, 200);
}

/**
 * `who` (an account) fills in a profile, enrols in `slug` as `role` and
 * `admin` approves them. Mentors are senior (15 years) and take `capacity`
 * mentees; mentees are professional contributors (3 years). `profile` adds to
 * or overrides the profile's fields. Returns { id, cookie }.
 */
export async function approvedMember(server, admin, slug, who, { role, capacity = '2', profile = {} }) {
  const mentor = role === 'mentor';
  const cookie = await apiSignIn(server, who);
  const { id } = await ok(server, 'GET', '/api/v1/me', cookie, undefined, 200);
  await ok(server, 'PUT', `/api/v1/people/${id}/profile`, cookie, {
    name: who.name, level: mentor ? 'leader_of_leaders' : 'professional_contributor',
    years_experience: mentor ? 15 : 3, time_zone: 'Europe/London', languages: 'English', ...profile,
  }, 200);
  const e = await ok(server, 'POST', `/api/v1/programmes/${slug}/enrolments`, cookie,
    { role, accept_conduct: true, ...(mentor ? { capacity } : {}) }, 201);
  await ok(server, 'POST', `/api/v1/programmes/${slug}/enrolments/${e.enrolments[0]}/decision`, admin,
    { decision: 'approved' }, 204);
  return { id, cookie };
}

/** The mentee asks the mentor (both `{ id, cookie }`) with `message`, who accepts; returns the room's id. */
export async function roomBetween(server, slug, mentee, mentor, message) {
  const request = await ok(server, 'POST', `/api/v1/programmes/${slug}/requests`, mentee.cookie,
    { mentor_ids: [mentor.id], message }, 201);
  const accepted = await ok(server, 'POST', `/api/v1/requests/${request.id}/accept`, mentor.cookie, {}, 200);
  assert.ok(accepted.room, `no room in ${JSON.stringify(accepted)}`);
  return accepted.room;
}
