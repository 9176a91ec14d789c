"""Checks Rapport's .ics files with an independent parser (icalendar from
PyPI) and Python's own zone database, against what the Rust test expects.

Usage: check_ics.py SPEC.json. SPEC is a list of files:
  {"file": path, "method": "PUBLISH" | "REQUEST" | "CANCEL",
   "events": [{"uid", "sequence", "status", "start_utc", "end_utc",
               "local": [zone, "YYYY-MM-DD HH:MM"] (optional),
               "summary", "description_contains" (optional),
               "attendee" (optional mailto address)}]}
Prints one line per file checked; exits non-zero naming the first problem.
"""

import datetime as dt
import json
import re
import sys
import zoneinfo

import icalendar


def fail(path, msg):
    sys.exit(f"{path}: {msg}")


def utc_text(value):
    return value.strftime("%Y%m%dT%H%M%SZ")


def check_file(spec):
    path = spec["file"]
    raw = open(path, "rb").read()
    # RFC 5545 3.1: CRLF line ends, lines of at most 75 octets, folded ones
    # continued by a space.
    if not raw.endswith(b"\r\n"):
        fail(path, "the file does not end with CRLF")
    lines = raw.split(b"\r\n")[:-1]
    for n, line in enumerate(lines, 1):
        if b"\n" in line or b"\r" in line:
            fail(path, f"line {n} has a bare LF or CR")
        if len(line) > 75:
            fail(path, f"line {n} is {len(line)} octets long (75 at most)")
    text = raw.decode("utf-8")
    cal = icalendar.Calendar.from_ical(text)
    if str(cal.get("VERSION")) != "2.0":
        fail(path, f"VERSION is {cal.get('VERSION')!r}")
    if not cal.get("PRODID"):
        fail(path, "no PRODID")
    if str(cal.get("METHOD")) != spec["method"]:
        fail(path, f"METHOD is {cal.get('METHOD')!r}, expected {spec['method']}")
    events = {str(e.get("UID")): e for e in cal.walk("VEVENT")}
    if len(events) != len(spec["events"]):
        fail(path, f"{len(events)} events, expected {len(spec['events'])}")
    unfolded = re.sub(r"\r\n[ \t]", "", text)
    for want in spec["events"]:
        uid = want["uid"]
        e = events.get(uid)
        if e is None:
            fail(path, f"no event with UID {uid}")
        if int(e.get("SEQUENCE")) != want["sequence"]:
            fail(path, f"{uid}: SEQUENCE {e.get('SEQUENCE')}, expected {want['sequence']}")
        if str(e.get("STATUS")) != want["status"]:
            fail(path, f"{uid}: STATUS {e.get('STATUS')}, expected {want['status']}")
        for prop, key in (("DTSTART", "start_utc"), ("DTEND", "end_utc"), ("DTSTAMP", None)):
            value = e.decoded(prop)
            if not isinstance(value, dt.datetime) or value.utcoffset() != dt.timedelta(0):
                fail(path, f"{uid}: {prop} is not a UTC date-time: {value!r}")
            if not re.search(rf"^{prop}:\d{{8}}T\d{{6}}Z\r?$", unfolded, re.M):
                fail(path, f"{uid}: {prop} is not written in UTC with Z")
            if key and utc_text(value) != want[key]:
                fail(path, f"{uid}: {prop} {utc_text(value)}, expected {want[key]}")
        if "local" in want:
            zone, wall = want["local"]
            local = e.decoded("DTSTART").astimezone(zoneinfo.ZoneInfo(zone))
            if local.strftime("%Y-%m-%d %H:%M") != wall:
                fail(path, f"{uid}: starts {local:%Y-%m-%d %H:%M} in {zone}, expected {wall}")
        if str(e.get("SUMMARY")) != want["summary"]:
            fail(path, f"{uid}: SUMMARY {e.get('SUMMARY')!r}, expected {want['summary']!r}")
        if "description_contains" in want:
            description = str(e.get("DESCRIPTION"))
            if want["description_contains"] not in description:
                fail(path, f"{uid}: DESCRIPTION {description!r} lacks {want['description_contains']!r}")
        attendees = e.get("ATTENDEE")
        attendees = [] if attendees is None else attendees if isinstance(attendees, list) else [attendees]
        if "attendee" in want:
            if [str(a) for a in attendees] != [f"mailto:{want['attendee']}"]:
                fail(path, f"{uid}: ATTENDEE {attendees!r}, expected only {want['attendee']}")
            if not str(e.get("ORGANIZER", "")).startswith("mailto:"):
                fail(path, f"{uid}: an invitation needs a mailto ORGANIZER")
        elif attendees or e.get("ORGANIZER"):
            fail(path, f"{uid}: a download or feed names no addresses")
    print(f"ok {path}: METHOD:{spec['method']}, {len(events)} event(s)")


def main():
    specs = json.load(open(sys.argv[1]))
    for spec in specs:
        check_file(spec)


if __name__ == "__main__":
    main()
