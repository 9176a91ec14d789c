#!/usr/bin/env python3
"""Two `rapport serve` processes on one fresh PostgreSQL database, behind Caddy
as a real reverse proxy, delivering to a real SMTP server (aiosmtpd). Proves
what docs/operations.md ("Several instances") claims:

1. both start together on an empty database without a migration race;
2. a session signed in through one instance is valid on the other;
3. the sign-in attempt limit holds across both instances, and the address
   that counts is the one the proxy saw (a forged X-Forwarded-For does not
   help);
4. jobs are queued exactly once and delivered at least once: 200 queued
   emails give 200 distinct Message-IDs while one instance is killed with
   SIGKILL halfway and restarted; a message is sent twice only if its job was
   in flight at the kill, and then with the same Message-ID;
5. the capacity race: 50 concurrent accepts against a capacity of 2, split
   across both instances, give exactly 2 (the people taking part accept
   their invitations from step 4).

Run by tests-support/scale-out.sh (which finds the tools); prints one line per
proof and exits non-zero on the first failure.
"""

import asyncio
import concurrent.futures
import email
import email.policy
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

from aiosmtpd.controller import Controller

RAPPORT = os.environ["RAPPORT_BIN"]
ADMIN_URL = os.environ["RAPPORT_TEST_DATABASE_URL"]
MIGRATIONS = os.environ["RAPPORT_MIGRATIONS_DIR"]
LIMIT = 10  # failed sign-ins per account and address per window (issue 18 §7), for both instances
LEASE = 3  # seconds before another instance takes over a dead one's job
PASSWORD = "a long enough password"
START = time.monotonic()


def say(text):
    print(f"[{time.monotonic() - START:5.1f}s] {text}", flush=True)


def fail(text):
    raise AssertionError(text)


def check(cond, text):
    if not cond:
        fail(text)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- the SMTP server ------------------------------------------------------


class Sink:
    """Keeps every message aiosmtpd receives; `delay` slows each one down so
    that a kill can land in the middle of a run of deliveries."""

    def __init__(self):
        self.lock = threading.Lock()
        self.messages = []
        self.delay = 0.0

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(msg)
        return "250 OK"

    def to(self, predicate):
        with self.lock:
            return [m for m in self.messages if predicate(str(m["To"]))]


def text_of(msg):
    part = msg.get_body(preferencelist=("plain",))
    return part.get_content()


def addr(to_header):
    m = re.search(r"<([^>]+)>", to_header)
    return (m.group(1) if m else to_header).strip().lower()


# --- HTTP through the proxy ---------------------------------------------------


class Answer:
    def __init__(self, status, body, headers):
        self.status = status
        self.body = body
        self.headers = headers

    def json(self):
        return json.loads(self.body) if self.body else None

    def cookie(self):
        c = self.headers.get("set-cookie", "")
        return c.split(";", 1)[0] if c.startswith("rapport_session=") else None


def call(port, method, path, body=None, cookie=None, src="127.0.0.2", headers=None, raw=None):
    """One request to 127.0.0.1:`port`, from the local address `src`: every
    127.x.y.z is this machine, so each test client has its own address as the
    proxy sees it."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=(src, 0))
    h = dict(headers or {})
    data = None
    if raw is not None:
        data = raw.encode()
    elif body is not None:
        data = json.dumps(body).encode()
        h["content-type"] = "application/json"
    if cookie:
        h["cookie"] = cookie
    conn.request(method, path, body=data, headers=h)
    r = conn.getresponse()
    answer = Answer(r.status, r.read().decode(), {k.lower(): v for k, v in r.getheaders()})
    conn.close()
    return answer


def expect(answer, status, what):
    check(answer.status == status, f"{what}: expected {status}, got {answer.status} {answer.body[:300]}")
    return answer


def as_list(j):
    if isinstance(j, list):
        return j
    for v in j.values():
        if isinstance(v, list):
            return v
    fail(f"no list in {j}")


# --- processes ------------------------------------------------------------------


class Stack:
    def __init__(self, tmp, db_url, smtp_port):
        self.tmp = tmp
        self.db_url = db_url
        self.smtp_port = smtp_port
        self.app_ports = [free_port(), free_port()]
        self.proxy_ports = [free_port(), free_port()]
        self.procs = [None, None]
        self.caddy = None
        self.logs = []

    def env(self, i):
        e = dict(os.environ)
        e.update(
            RAPPORT_DATABASE_URL=self.db_url,
            RAPPORT_LISTEN=f"127.0.0.1:{self.app_ports[i]}",
            RAPPORT_BASE_URL=f"http://127.0.0.1:{self.proxy_ports[0]}",
            RAPPORT_DATA_DIR=os.path.join(self.tmp, f"data{i}"),
            RAPPORT_SMTP_URL=f"smtp://127.0.0.1:{self.smtp_port}",
            # Only Caddy, which connects from 127.0.0.1, is believed about
            # the client's address; the test clients use 127.0.0.2 and up.
            RAPPORT_TRUSTED_PROXIES="127.0.0.1",
            RAPPORT_AUTH_ATTEMPTS=str(LIMIT),
            RAPPORT_WORKER_POLL_SECONDS="1",
            RAPPORT_JOB_LEASE_SECONDS=str(LEASE),
            RAPPORT_LOG="info,sqlx=warn",
        )
        for k in ("RAPPORT_CONFIG", "RAPPORT_TRUST_PROXY", "RAPPORT_METRICS_LISTEN"):
            e.pop(k, None)
        return e

    def start(self, i):
        log = open(os.path.join(self.tmp, f"rapport{i}-{len(self.logs)}.log"), "w")
        self.logs.append(log.name)
        self.procs[i] = subprocess.Popen(
            [RAPPORT, "serve"], env=self.env(i), stdout=log, stderr=subprocess.STDOUT
        )

    def wait_ready(self, i, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.procs[i].poll() is not None:
                fail(f"instance {i} exited with {self.procs[i].returncode}; see its log:\n{self.tail()}")
            try:
                if call(self.app_ports[i], "GET", "/readyz").status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        fail(f"instance {i} did not become ready in {timeout}s\n{self.tail()}")

    def start_caddy(self):
        conf = os.path.join(self.tmp, "Caddyfile")
        sites = "".join(
            f"""
http://:{p} {{
\tbind 127.0.0.1
\treverse_proxy 127.0.0.1:{a}
}}
"""
            for p, a in zip(self.proxy_ports, self.app_ports)
        )
        with open(conf, "w") as f:
            f.write("{\n\tadmin off\n\tauto_https off\n}\n" + sites)
        env = dict(os.environ, HOME=self.tmp, XDG_DATA_HOME=self.tmp, XDG_CONFIG_HOME=self.tmp)
        log = open(os.path.join(self.tmp, "caddy.log"), "w")
        self.caddy = subprocess.Popen(
            ["caddy", "run", "--config", conf, "--adapter", "caddyfile"],
            env=env, stdout=log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.caddy.poll() is not None:
                fail("caddy exited:\n" + open(log.name).read()[-2000:])
            try:
                # Any answer will do (502 until the instances are up).
                for p in self.proxy_ports:
                    call(p, "GET", "/readyz")
                return
            except OSError:
                pass
            time.sleep(0.1)
        fail("caddy did not answer:\n" + open(log.name).read()[-2000:])

    def tail(self):
        out = []
        for name in self.logs:
            with open(name) as f:
                out.append(f"--- {name}\n" + "".join(f.readlines()[-30:]))
        return "\n".join(out)

    def stop(self):
        for p in [*self.procs, self.caddy]:
            if p is not None and p.poll() is None:
                p.terminate()
        for p in [*self.procs, self.caddy]:
            if p is not None:
                try:
                    p.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()


def psql(url, sql):
    return subprocess.run(
        ["psql", url, "-XAtq", "-v", "ON_ERROR_STOP=1", "-c", sql],
        check=True, capture_output=True, text=True,
    ).stdout.strip()


def wait_for(what, cond, timeout=60, every=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = cond()
        if v:
            return v
        time.sleep(every)
    fail(f"timed out after {timeout}s waiting for {what}")


def parallel(n, fn, items):
    with concurrent.futures.ThreadPoolExecutor(n) as pool:
        return list(pool.map(fn, items))


# --- the proofs -------------------------------------------------------------------


def migrations_race(stack):
    stack.start(0)
    stack.start(1)
    stack.wait_ready(0)
    stack.wait_ready(1)
    want = sorted(int(f.split("_", 1)[0]) for f in os.listdir(MIGRATIONS) if f.endswith(".sql"))
    rows = psql(stack.db_url, "SELECT version, success FROM _sqlx_migrations ORDER BY version")
    got = [(int(v), s) for v, s in (r.split("|") for r in rows.splitlines())]
    check(
        got == [(v, "t") for v in want],
        f"each migration applied once and successfully: want {want}, got {got}",
    )
    key = psql(stack.db_url, "SELECT count(*) FROM site_settings WHERE key = 'site_key'")
    check(key == "1", f"one signing key, got {key}")
    say(f"1. both instances started together on an empty database; {len(want)} migrations applied once")


def session_across(stack, a, b):
    r = subprocess.run(
        [RAPPORT, "admin", "create-user", "--email", "admin@example.org", "--name", "Ada Admin", "--admin"],
        input=PASSWORD + "\n", text=True, capture_output=True, env=stack.env(0),
    )
    check(r.returncode == 0, f"admin create-user: {r.stderr}")
    signed = expect(
        call(a, "POST", "/api/v1/auth/sign-in", {"email": "admin@example.org", "password": PASSWORD}),
        200, "sign-in through instance A",
    )
    cookie = signed.cookie()
    check(cookie, "the sign-in sets the session cookie")
    me = expect(call(b, "GET", "/api/v1/me", cookie=cookie), 200, "the session on instance B")
    check(me.json()["id"] == signed.json()["person_id"], f"the same person on B: {me.body[:200]}")
    expect(call(b, "POST", "/api/v1/auth/sign-out", cookie=cookie), 204, "sign-out through B")
    expect(call(a, "GET", "/api/v1/me", cookie=cookie), 401, "the session ended on B is gone on A")
    again = expect(
        call(b, "POST", "/api/v1/auth/sign-in", {"email": "admin@example.org", "password": PASSWORD}, src="127.0.0.9"),
        200, "sign-in through B",
    )
    say("2. a session signed in through one instance is valid on the other (and signing out ends it on both)")
    return again.cookie()


def sign_in_limit(stack, a, b):
    wrong = {"email": "admin@example.org", "password": "not the password"}
    statuses = []
    for i in range(LIMIT + 2):
        # A forged X-Forwarded-For per attempt: Caddy does not trust the
        # client, so it replaces the header with the address it saw.
        r = call([a, b][i % 2], "POST", "/api/v1/auth/sign-in", wrong, src="127.0.0.3",
                 headers={"x-forwarded-for": f"198.51.100.{i + 1}"})
        statuses.append(r.status)
    check(
        statuses == [401] * LIMIT + [429, 429],
        f"{LIMIT} attempts through both instances, then refused on both: {statuses}",
    )
    # Straight to an instance, bypassing the proxy: the header is ignored,
    # the connection's address (the same client) counts.
    direct = call(stack.app_ports[0], "POST", "/api/v1/auth/sign-in", wrong, src="127.0.0.3",
                  headers={"x-forwarded-for": "198.51.100.200"})
    check(direct.status == 429, f"a forged header straight to an instance: {direct.status}")
    other = call(b, "POST", "/api/v1/auth/sign-in", wrong, src="127.0.0.4")
    check(other.status == 401, f"another client is not limited: {other.status}")
    keys = psql(stack.db_url, "SELECT key || '=' || hits FROM auth_attempts ORDER BY key").splitlines()
    check(any("127.0.0.3" in k for k in keys), f"counted under the proxy's client address: {keys}")
    check(not any("198.51.100" in k for k in keys), f"no forged address counted: {keys}")
    say(f"3. the sign-in limit ({LIMIT}) holds across both instances, counted by the address Caddy saw")


DOMAIN = "@people.example"


def invitation_tokens(msgs):
    tokens = {}
    for m in msgs:
        t = re.search(r"accept-invitation\?token=([A-Za-z0-9_\-]+)", text_of(m))
        check(t, f"an invitation link in {m['Subject']}")
        tokens[addr(m["To"])] = t.group(1)
    return tokens


def idle(stack):
    """Waits until no job is due (digests wait for later; they do not count)."""
    wait_for("the queue to empty", lambda: psql(
        stack.db_url, "SELECT count(*) FROM jobs WHERE done_at IS NULL AND failed_at IS NULL "
                      "AND run_at <= (extract(epoch FROM now()) * 1000)::bigint") == "0", timeout=60)


def jobs_survive_a_kill(stack, sink, a, b, admin):
    """200 invitations (a mentor with two places, 50 mentees who will ask
    them, and 149 more people), imported in four files through both
    instances; returns the invitation tokens by address."""
    expect(call(a, "POST", "/api/v1/programmes",
                {"name": "Spring", "slug": "spring", "kind": "one_to_one", "matching_mode": "mentees_request"},
                cookie=admin), 201, "create a programme")
    expect(call(b, "POST", "/api/v1/programmes/spring/status", {"status": "open"}, cookie=admin),
           200, "open it")
    idle(stack)
    sink.delay = 0.04  # 200 messages take several seconds: room for a kill
    rows = [f"mentor{DOMAIN},Mona Mentor,mentor,2"]
    rows += [f"mentee{i:03}{DOMAIN},Mentee {i:03},mentee," for i in range(199)]

    def queue(k):
        csv = "email,name,role,capacity\n" + "".join(r + "\n" for r in rows[k * 50:(k + 1) * 50])
        expect(call([a, b][k % 2], "POST", "/api/v1/programmes/spring/import", cookie=admin, raw=csv,
                    headers={"content-type": "text/csv"}), 200, f"import {k}")

    parallel(4, queue, range(4))
    say("   200 invitations queued")
    ours = lambda: sink.to(lambda t: addr(t).endswith(DOMAIN))
    wait_for("half the messages", lambda: len(ours()) >= 100, every=0.005)
    stack.procs[0].send_signal(signal.SIGKILL)
    stack.procs[0].wait()
    at_kill = len(ours())
    check(at_kill < 200, f"the kill came before the end ({at_kill} delivered)")
    say(f"   instance A killed after {at_kill} deliveries")
    stack.start(0)
    stack.wait_ready(0)
    say("   instance A restarted")
    like = f"'%{DOMAIN}'"
    queued = psql(stack.db_url, f"SELECT count(*) || '/' || count(DISTINCT to_addr) FROM outbox WHERE to_addr LIKE {like}")
    check(queued == "200/200", f"200 messages queued, once each: {queued}")
    jobs = psql(stack.db_url, "SELECT count(*) FROM jobs j JOIN outbox o ON j.payload = o.id::text "
                              f"WHERE j.kind = 'send_email' AND o.to_addr LIKE {like}")
    check(jobs == "200", f"one job per message: {jobs}")
    wait_for("every message", lambda: len({addr(m["To"]) for m in ours()}) >= 200, timeout=LEASE + 60)
    idle(stack)
    sink.delay = 0.0
    got = ours()
    ids = {}
    for m in got:
        ids.setdefault(addr(m["To"]), set()).add(str(m["Message-ID"]))
    check(len(ids) == 200, f"200 recipients: {len(ids)}")
    check(all(len(s) == 1 for s in ids.values()), "a message sent twice carries the same Message-ID")
    distinct = {mid for s in ids.values() for mid in s}
    check(len(distinct) == 200, f"200 distinct Message-IDs: {len(distinct)}")
    duplicates = len(got) - 200
    check(duplicates <= 1, f"at most the one job in flight at the kill is sent again: {duplicates}")
    unsent = psql(stack.db_url, f"SELECT count(*) FROM outbox WHERE to_addr LIKE {like} AND sent_at IS NULL")
    check(unsent == "0", f"every message marked sent: {unsent} not")
    say(f"4. 200 emails, instance A killed (SIGKILL) after {at_kill} and restarted: "
        f"200 distinct Message-IDs, {duplicates} sent twice (same Message-ID)")
    return invitation_tokens(got)


def capacity_race(stack, a, b, tokens):
    """The mentor and 50 of the mentees accept their invitations; each
    mentee asks the mentor; the mentor accepts all 50 at once."""
    chosen = [f"mentor{DOMAIN}"] + [f"mentee{i:03}{DOMAIN}" for i in range(50)]

    def accept(item):
        i, who = item
        r = expect(call([a, b][i % 2], "POST", "/api/v1/auth/accept-invitation",
                        {"token": tokens[who], "password": PASSWORD}), 200, f"{who} accepts the invitation")
        return who, (r.cookie(), r.json()["person_id"])

    people = dict(parallel(8, accept, enumerate(chosen)))
    mentor_cookie, mentor_id = people.pop(f"mentor{DOMAIN}")

    def ask(item):
        i, (cookie, _) = item
        r = expect(call([a, b][i % 2], "POST", "/api/v1/programmes/spring/requests",
                        {"mentor_ids": [mentor_id], "message": "Hello"}, cookie=cookie), 201, "a request")
        return r.json()["id"]

    requests = parallel(8, ask, enumerate(people.values()))
    say("   51 invitations accepted, 50 requests sent")
    gate = threading.Barrier(len(requests))

    def answer(item):
        i, rid = item
        gate.wait()
        return call([a, b][i % 2], "POST", f"/api/v1/requests/{rid}/accept", cookie=mentor_cookie).status

    statuses = parallel(len(requests), answer, enumerate(requests))
    check(sorted(statuses) == [200] * 2 + [409] * 48, f"exactly two accepts, the rest 409: {sorted(statuses)}")
    rooms = as_list(expect(call(b, "GET", "/api/v1/rooms", cookie=mentor_cookie), 200, "the mentor's rooms").json())
    check(len(rooms) == 2, f"the mentor has two rooms: {len(rooms)}")
    say("5. 50 concurrent accepts against a capacity of 2, split across both instances: exactly 2")


def main():
    tmp = tempfile.mkdtemp(prefix="rapport-scale-out-")
    name = f"rapport_test_scaleout_{os.getpid()}"
    parts = urllib.parse.urlsplit(ADMIN_URL)
    db_url = urllib.parse.urlunsplit(parts._replace(path="/" + name))
    psql(ADMIN_URL, f'CREATE DATABASE "{name}"')
    sink = Sink()
    smtp = Controller(sink, hostname="127.0.0.1", port=free_port())
    smtp.start()
    stack = Stack(tmp, db_url, smtp.port)
    ok = False
    try:
        stack.start_caddy()
        a, b = stack.proxy_ports
        migrations_race(stack)
        admin = session_across(stack, a, b)
        sign_in_limit(stack, a, b)
        tokens = jobs_survive_a_kill(stack, sink, a, b, admin)
        capacity_race(stack, a, b, tokens)
        for i in (0, 1):
            check(stack.procs[i].poll() is None, f"instance {i} still running")
        ok = True
    finally:
        stack.stop()
        smtp.stop()
        if not ok:
            print(stack.tail(), file=sys.stderr)
        psql(ADMIN_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    say(f"scale-out proven in {time.monotonic() - START:.1f}s")


if __name__ == "__main__":
    try:
        main()
    except AssertionError as e:
        print(f"scale-out FAILED: {e}", file=sys.stderr)
        sys.exit(1)
