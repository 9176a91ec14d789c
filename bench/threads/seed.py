#!/usr/bin/env python3
"""Seeds growth threads for bench/threads/run through the product's own API
(every post goes through the same use case, visibility check and full-text
indexing as a member's): the demo data scaled up.

Input: BASE_URL, SLUG, POSTS, then a file of lines "email<TAB>token" (the
members, all enrolled in the programme SLUG, the first a mentor, the rest
alternating mentee/mentor as bench/threads/run enrols them).

1. Rooms: each mentee asks the mentor before them in the file, who accepts
   (so "my rooms" threads have readers). A failure is reported and skipped:
   the posts still get written.
2. Threads: four per member, one per visibility (only_me, my_rooms,
   programme, members).
3. POSTS posts, round-robin over the threads, eight at a time. Every post
   mentions "delegation" (the common term); posts 0, 1 and 2 of every
   100,000 mention "zeppelin" (the rare term).
"""
import http.client
import json
import sys
import threading
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

KINDS = ["challenge", "breakthrough", "question", "update"]
VISIBILITIES = ["only_me", "my_rooms", "programme", "members"]
SENTENCES = [
    "Practised delegation with the team this week and let go of the release checklist.",
    "Asked for feedback on my delegation after the planning meeting; it was kinder than I feared.",
    "Still unsure how much context delegation needs before it turns into micromanagement.",
    "A one-to-one went better once I listened first and only then talked about delegation.",
    "Wrote down what I will stop doing next quarter, and who picks it up through delegation.",
]

local = threading.local()


def call(base, token, method, path, body=None):
    if getattr(local, "conn", None) is None:
        u = urllib.parse.urlsplit(base)
        local.conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
    headers = {"Authorization": "Bearer " + token}
    data = None
    if body is not None:
        data = json.dumps(body)
        headers["Content-Type"] = "application/json"
    try:
        local.conn.request(method, path, body=data, headers=headers)
        r = local.conn.getresponse()
        text = r.read()
    except (http.client.HTTPException, OSError):
        local.conn = None
        raise
    if r.status >= 300:
        raise RuntimeError("%s %s answered %d: %s" % (method, path, r.status, text[:300]))
    return json.loads(text) if text else None


def main():
    base, slug, posts, members_file = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    members = [line.rstrip("\n").split("\t") for line in open(members_file) if line.strip()]
    tokens = [m[1] for m in members]
    ids = [call(base, t, "GET", "/api/v1/me")["id"] for t in tokens]

    rooms = 0
    for i in range(1, len(tokens), 2):
        try:
            req = call(base, tokens[i], "POST", "/api/v1/programmes/%s/requests" % slug,
                       {"mentor_ids": [ids[i - 1]], "message": "Would you mentor me on delegation?"})
            call(base, tokens[i - 1], "POST", "/api/v1/requests/%s/accept" % req["id"])
            rooms += 1
        except RuntimeError as e:
            print("room %d not opened: %s" % (i, e), file=sys.stderr)
    print("rooms opened: %d" % rooms, file=sys.stderr)

    threads = []  # (token, thread id)
    for t in tokens:
        for v in VISIBILITIES:
            body = {"title": "Learning in public: %s" % v.replace("_", " "), "visibility": v}
            if v == "programme":
                body["programme"] = slug
            threads.append((t, call(base, t, "POST", "/api/v1/threads", body)["id"]))
    print("threads: %d" % len(threads), file=sys.stderr)

    def post(n):
        token, thread = threads[n % len(threads)]
        text = SENTENCES[n % len(SENTENCES)] + " (entry %d)" % n
        if n % 100000 < 3:
            text += " Felt like steering a zeppelin."
        call(base, token, "POST", "/api/v1/threads/%s/posts" % thread,
             {"kind": KINDS[n % len(KINDS)], "body": text})

    done = 0
    with ThreadPoolExecutor(max_workers=8) as pool:
        for _ in pool.map(post, range(posts)):
            done += 1
            if done % 5000 == 0:
                print("posts: %d/%d" % (done, posts), file=sys.stderr)
    print("posts: %d" % posts, file=sys.stderr)


if __name__ == "__main__":
    main()
