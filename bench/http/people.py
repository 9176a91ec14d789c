#!/usr/bin/env python3
"""Writes the people file `bench/http/run` imports: N rows in the columns
`rapport import people` reads (docs/guide-managers.md).

Names and skills are drawn from small lists with a fixed seed, so a first
name ("maria") and a skill ("coaching") are common, while exactly one person
carries the rare surname "Quillfeather" and one the rare skill "falconry":
the directory search runs for both kinds of term. Every tenth person is a
mentor with a capacity of 3; the others are mentees.

Usage: people.py N [EXTRA_EMAIL...] > people.csv (each extra email gets a
row too: the accounts the benchmark signs in with).
"""
import random
import sys

FIRST = ["Maria", "Mariana", "Ana", "John", "Wei", "Fatima", "Olu", "Priya", "Lars",
         "Sofia", "Kenji", "Amara", "Diego", "Elif", "Noah", "Chloe", "Ivan", "Leila"]
LAST = ["Silva", "Smith", "Chen", "Okafor", "Patel", "Jensen", "Rossi", "Tanaka",
        "Mensah", "Garcia", "Kaya", "Brown", "Novak", "Haddad", "Martin", "Costa"]
SKILLS = ["Coaching", "Hiring", "Strategy", "Public speaking", "Negotiation",
          "Rust", "Python", "Delegation", "Feedback", "Roadmapping", "Budgeting"]


def main():
    n = int(sys.argv[1])
    extras = sys.argv[2:]
    rng = random.Random(20)
    out = sys.stdout
    out.write("email,name,role,skills_offered,skills_wanted,capacity\n")
    rare_name, rare_skill = n // 2, n // 3
    for i in range(n):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        if i == rare_name:
            last = "Quillfeather"
        offered = rng.sample(SKILLS, 2)
        if i == rare_skill:
            offered = ["Falconry"]
        wanted = rng.sample(SKILLS, 1)
        mentor = i % 10 == 0
        out.write("p%d@bench.example,%s %s,%s,%s,%s,%s\n" % (
            i, first, last, "mentor" if mentor else "mentee", "; ".join(offered),
            "; ".join(wanted), "3" if mentor else ""))
    for email in extras:
        out.write("%s,,mentee,Coaching,Strategy,\n" % email)


if __name__ == "__main__":
    main()
