//! What the demo's rooms say: agreements, goals, agendas, notes, messages and
//! reflections, written for the demo (no generated filler). `demo::rooms`
//! picks from these with its seeded generator, so every room reads
//! differently and every demo reads the same.

/// What a mentee wants from the relationship, one per agreement.
pub(super) const MENTEE_WANTS: &[&str] = &[
    "I want to find out whether leading a team is for me before I apply for the open Team Leader role. I'd like an honest view of the parts nobody puts in the job description.",
    "Confidence in difficult conversations. I avoid them, and my team notices. I'd like to practise with someone who has had many of them.",
    "Help turning my technical reputation into influence: getting other teams to adopt what we build without having to escalate.",
    "A sounding board while I take over the on-call rota and the hiring loop from my lead, who is on leave until spring.",
    "I'd like to get better at prioritising. Everything feels urgent, and I say yes to too much.",
    "To prepare for my first performance-review cycle as a reviewer, and to learn how to give feedback that is useful rather than just kind.",
    "Perspective from outside my department. I've only ever worked in one team here and I want to understand how the rest of the company decides things.",
    "I want to learn to delegate without feeling I am dumping work on people, and to stop being the bottleneck in my team.",
];

/// What each side expects of the other.
pub(super) const EXPECTATIONS: &[&str] = &[
    "We both come prepared: the mentee brings one real situation to each session, the mentor brings questions rather than answers. Either of us can move a session with two days' notice.",
    "Honesty over comfort. The mentor says when something sounds like a blind spot; the mentee says when advice doesn't fit their situation. We reply to messages within a few working days.",
    "The mentee owns the agenda and sends it the day before. The mentor shares what worked and what didn't in their own career, including the mistakes.",
    "We keep sessions to the hour and end with one concrete thing to try before the next one. If a session stops being useful, we say so and change the format.",
];

/// What stays between the members.
pub(super) const CONFIDENTIALITY: &[&str] = &[
    "What we discuss stays between us. Neither of us mentions names or situations to anyone else without asking first. The only exception is a risk to someone's safety.",
    "Everything is confidential, including who we talk about. Our managers know we meet, not what we discuss.",
    "We don't share details outside the room. If the mentee wants the mentor to raise something with someone, we agree on the exact words together first.",
];

/// How the members intend to end well.
pub(super) const ENDINGS: &[&str] = &[
    "In the last session we look back at the goals, name what changed, and decide together whether to keep in touch informally.",
    "Either of us can end early without giving a reason, with a short message. We close with a review of what worked, so the next pair of ours goes better.",
    "We end with a reflection each, shared in the room, and one piece of advice for the mentee's next step.",
];

/// A goal a mentee (or peer) sets: title, description, success criteria,
/// and milestones.
pub(super) struct GoalWords {
    pub title: &'static str,
    pub description: &'static str,
    pub criteria: &'static str,
    pub milestones: [&'static str; 3],
}

pub(super) const GOALS: &[GoalWords] = &[
    GoalWords {
        title: "Run my team's weekly planning on my own",
        description: "My lead runs planning today and I'd like to take it over by the end of the quarter.",
        criteria: "I run four planning sessions in a row without my lead stepping in, and the team says they are at least as useful.",
        milestones: ["Shadow two planning sessions and write down the structure", "Co-run one session with my lead", "Run planning alone and ask for feedback"],
    },
    GoalWords {
        title: "Give clear, kind feedback in the moment",
        description: "I save feedback for reviews, when it is too late to be useful. I want to give it within a day, in person.",
        criteria: "Five pieces of feedback given within 24 hours, each followed by a short check on how it landed.",
        milestones: ["Learn and practise the situation-behaviour-impact model", "Give two pieces of positive feedback this week", "Give one piece of corrective feedback and debrief it in a session"],
    },
    GoalWords {
        title: "Build a relationship with the Sales leads",
        description: "Our roadmap keeps colliding with Sales commitments. I want to understand their pressures before the next planning cycle.",
        criteria: "A monthly check-in with two Sales leads, and no surprise commitments in the next quarter's plan.",
        milestones: ["Ask for two introductions through my mentor", "Hold a first coffee chat with each lead", "Agree a shared calendar of launch dates"],
    },
    GoalWords {
        title: "Decide whether to apply for the Team Leader role",
        description: "The role opens in the new year. I want to make the decision on evidence, not on nerves.",
        criteria: "A written pros and cons list, three conversations with current Team Leaders, and a decision I can explain.",
        milestones: ["Talk to three Team Leaders about their week", "Try leading the sprint retrospective", "Write the decision down and share it in the room"],
    },
    GoalWords {
        title: "Delegate the release process",
        description: "I do every release myself. Two teammates could do it with some help, and I'd get a day a week back.",
        criteria: "Two teammates run releases alone, with a written checklist, for a month.",
        milestones: ["Write the release checklist", "Pair on two releases with each teammate", "Hand over and stay out of the channel for a week"],
    },
    GoalWords {
        title: "Speak at the engineering all-hands",
        description: "I have a story worth telling about how we cut our build times, and I freeze in front of large groups.",
        criteria: "A ten-minute talk given at the all-hands, rehearsed twice in front of a friendly audience.",
        milestones: ["Outline the talk and share it with my mentor", "Rehearse in front of my team", "Give the talk"],
    },
    GoalWords {
        title: "Say no to work that isn't mine",
        description: "I end up owning every orphaned task. I want a way to decline, or redirect, without damaging relationships.",
        criteria: "A simple triage rule I can explain, used for a month, and my overtime back to normal.",
        milestones: ["List every request I took on last month", "Agree the triage rule with my manager", "Use it for four weeks and review"],
    },
    GoalWords {
        title: "Prepare for my first round of performance reviews",
        description: "I review three people this cycle. I want each of them to leave the conversation knowing exactly where they stand.",
        criteria: "Three reviews written and delivered, each with two concrete examples and one clear next step.",
        milestones: ["Collect examples for each person over a month", "Draft one review and discuss it with my mentor", "Deliver the reviews"],
    },
];

/// Session agendas: the first one, then the rest.
pub(super) const FIRST_AGENDA: &str = "- Introductions: our paths so far\n- What you want from these months\n- Draft the agreement together\n- Pick the first thing to work on";

pub(super) const AGENDAS: &[&str] = &[
    "- What happened since last time\n- The planning session on Tuesday: what went well, what didn't\n- Next step on the goal",
    "- Review the open action items\n- A hard conversation coming up: rehearse the opening\n- Reading for next time",
    "- Check in: energy and workload\n- Feedback I gave this week and how it landed\n- Plan for the next two weeks",
    "- The decision about the Team Leader role\n- Who else to talk to\n- Open action items",
    "- A stakeholder who keeps escalating: how to handle it\n- Progress on milestones\n- Anything else",
    "- Look back at the first month\n- Are the goals still the right ones?\n- Adjust the cadence if needed",
    "- Delegation: what I can hand over next\n- A mistake I made and what I learned\n- Next session's focus",
];

/// Shared notes written after a held session.
pub(super) const SESSION_NOTES: &[&str] = &[
    "Talked through last week's planning session. The structure worked; the team went quiet when priorities clashed. **Next time:** name the trade-off out loud and ask who disagrees.",
    "We rehearsed the conversation about missed deadlines twice. Opening with the impact rather than the person felt much better the second time.",
    "Good progress on the goal: the first milestone is done. We agreed the second is the harder one and gave it an extra two weeks.",
    "Discussed saying no. The mentor's rule of thumb: *if it doesn't fit this quarter's goals, it goes to the backlog with a date, not into my week*.",
    "Mostly a check-in session: a heavy fortnight with the incident review. We kept it short and moved the goal work to next time.",
    "Looked at the review drafts. The examples are strong; the next steps are vague. Rewrite each one as something the person can do in a month.",
    "Mapped the people who influence the roadmap. Two of them we have never spoken to. Introductions to follow.",
    "Reflected on the all-hands rehearsal. The story is good; the slides are too dense. Cut them to five and tell it without notes.",
];

/// Action items from a session.
pub(super) const ACTION_ITEMS: &[&str] = &[
    "Send the planning template to the team before Monday",
    "Book a coffee with the Sales lead for the north region",
    "Write down three examples for each review",
    "Read the chapter on delegation the mentor recommended",
    "Draft the release checklist and share it in the room",
    "Ask my manager for the triage rule conversation",
    "Try the feedback model twice and note how it went",
    "Shadow a Team Leader's one-to-one (with permission)",
    "Outline the all-hands talk on one page",
    "Introduce the mentee to the head of Customer Success",
];

/// Feedback comments on a held session (blind: only the writer and the
/// programme's managers read them).
pub(super) const FEEDBACK: &[&str] = &[
    "Useful. I left with a clear next step.",
    "Good session, though we ran out of time for the goal.",
    "The rehearsal helped more than any advice would have.",
    "A bit unfocused today; my fault, I came without an agenda.",
    "",
    "",
    "Really valuable to hear how others handled the same thing.",
];

/// Messages that open a room, by the mentor (or first peer), then the reply.
pub(super) const OPENERS: &[(&str, &str)] = &[
    (
        "Hello! Really glad we were matched. I read your goals and there is a lot I recognise from my first year leading a team. Shall we find an hour next week to get to know each other?",
        "Thank you, I'm glad too! Next week works. Mornings are easiest for me; I've shared my availability in my profile.",
    ),
    (
        "Hi, welcome! Before we meet, could you jot down one situation from the last month you'd have liked to handle differently? It makes a great starting point.",
        "Hi! Happy to. I have one in mind already, a planning meeting that went sideways. Looking forward to talking it through.",
    ),
    (
        "Great to meet you here. I suggest we use the first session to draft our agreement together, then pick one goal to start with.",
        "Sounds good. I've started a list of what I'd like from these months and will bring it along.",
    ),
];

/// Messages between sessions: (from the mentee or a peer, the reply).
pub(super) const BETWEEN: &[(&str, &str)] = &[
    (
        "Quick update: I tried opening with the impact in yesterday's conversation and it went much better than I feared.",
        "That's great to hear. Note what you said while it's fresh; we can look at it next time.",
    ),
    (
        "I finished the chapter you recommended. The part about trust being built in small moments really stuck.",
        "It's one of my favourites. Try spotting one of those moments this week.",
    ),
    (
        "Could we push Thursday by half an hour? An incident review landed on top of it.",
        "No problem, I've moved it. Good luck with the review.",
    ),
    (
        "I had the coffee with the Sales lead. Much friendlier than I expected, and I learnt why the dates keep moving.",
        "Excellent. Keep that channel warm: a short note after each launch goes a long way.",
    ),
    (
        "Small win: I said no to the dashboard request and pointed to the backlog. Nobody was upset.",
        "Well done. That's exactly the habit we talked about.",
    ),
    (
        "I'm nervous about Friday's review conversation. Any last tips?",
        "Lead with the examples, pause after the hard part, and let them speak first about next steps. You're well prepared.",
    ),
    (
        "Sharing the release checklist draft in our notes. Comments welcome.",
        "Looks solid. I'd add a line on who to call if the rollback fails.",
    ),
];

/// Private notes a mentee keeps for themselves.
pub(super) const MENTEE_PRIVATE: &[&str] = &[
    "Things I didn't say in the session: I'm not sure I actually want the promotion, or whether I just feel I should.",
    "Remember: I get defensive when someone questions an estimate. Notice it, breathe, ask a question back.",
    "Questions for next time: how did they decide to stop coding? Do they miss it?",
];

/// Private notes a mentor keeps for themselves.
pub(super) const MENTOR_PRIVATE: &[&str] = &[
    "They are more capable than they think. Keep asking rather than telling; they find the answer themselves.",
    "Watch for overcommitting: three new responsibilities in two weeks. Raise it gently next time.",
    "I recognise my younger self here. Careful not to project my own path onto theirs.",
];

/// Notes shared with the room.
pub(super) const ROOM_NOTES: &[&str] = &[
    "## Reading list\n\n- *The Making of a Manager*, Julie Zhuo\n- *Radical Candor*, Kim Scott (chapters 1–3)\n- *An Elegant Puzzle*, Will Larson, on team sizing",
    "## Feedback model we use\n\n1. **Situation**: when and where\n2. **Behaviour**: what you saw, not what you assume\n3. **Impact**: what it caused\n\nThen ask: *how do you see it?*",
    "## Triage rule\n\nIf a request doesn't serve this quarter's goals, it goes to the backlog with a date and a named owner. If it's urgent, it replaces something, out loud.",
];

/// Goal comments by the mentor (or the other peer).
pub(super) const GOAL_COMMENTS: &[&str] = &[
    "Nice progress. The second milestone is where most people stall; let's plan it carefully.",
    "Could the success criteria be more concrete? How will you know you've got there?",
    "This one matters. Happy to make the introductions we talked about.",
];

/// Why a session was cancelled.
pub(super) const CANCEL_REASONS: &[&str] = &[
    "Quarter-end crunch on my side; let's find a new slot next week.",
    "Off sick today, sorry. I'll propose a new time when I'm back.",
];

/// The pause note of the paused room.
pub(super) const PAUSE_NOTE: &str =
    "Parental leave until the end of January. We'll pick up where we left off when I'm back.";

/// A completion proposal and its confirmation.
pub(super) const COMPLETION_NOTE: &str = "We've reached the end of the three months we agreed, and both goals are done. Thank you for everything.";

/// Why a peer pair ended early.
pub(super) const PEER_END_NOTE: &str = "One of the pair moved to a role with much heavier travel and can't keep the monthly rhythm. Both would like to join a circle next spring.";

/// Closing reflections (private to their writer).
pub(super) const MENTEE_REFLECTIONS: &[&str] = &[
    "I came in wanting answers and left with better questions. The biggest change is that I now give feedback the same week, and it's become normal in my team.",
    "Three months felt short, but it was enough to make the decision I'd been avoiding. I've applied for the role, and whatever happens I know why I want it.",
];

pub(super) const MENTOR_REFLECTIONS: &[&str] = &[
    "A rewarding pairing. I learnt as much about my own habits as I taught. Next time I'd set the goals a little earlier.",
    "They did the hard work; I mostly asked questions. Seeing them run planning on their own was the highlight.",
];

/// Pulse comments, in the member's own words (managers read them through
/// the room's health; nobody else does).
pub(super) const PULSE_GOOD: &[&str] = &[
    "Feels like a real conversation every time.",
    "",
    "We've found a good rhythm.",
    "",
];

pub(super) const PULSE_STRAINED: &str = "I often leave sessions feeling my situation wasn't quite heard. Maybe our styles are just different.";

pub(super) const PULSE_NOT_WORKING: &str = "I don't think this is the right fit for what I need now. No hard feelings; I'd like to try someone with more product experience.";

/// The manager's note when the demo's poor fit is re-matched (kept in the
/// old room's history; neutral words, no blame).
pub const REMATCH_NOTE: &str =
    "Both of you put real effort in. A fresh pairing should suit the goals better; \
     the goals move to the new room and notes can be carried over.";
