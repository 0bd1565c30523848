"""The model's assumptions and limits, in brief, for a client report.

A summary of ``docs/model.md`` (sections 2, 3, 7 and 8) in words a business reader can
check against their own department. Kept here, next to the report, so the report is
self-contained; edit it when the model's documentation changes.
"""

from __future__ import annotations

#: (heading, sentence) pairs: how the model works, in brief.
HOW_IT_WORKS: tuple[tuple[str, str], ...] = (
    ("What is simulated",
     "Each working day of each rep and head of sales: calls to prospects, first contact with inbound leads, "
     "meetings (with travel), proposals, negotiations, contacts with key clients, admin, and the head's coaching "
     "and call listening. Deals move through their stages with delays on the client's side; won deals queue for an "
     "invoice and some are never paid."),
    ("Supervision",
     "A head's hours are limited. When a head cannot give each rep the attention they need, reps' activity drifts "
     "down towards the level of a rep left alone (the source documents: 20-30% of normal)."),
    ("Deal size",
     "Each client could buy up to a potential amount; each rep proposes at most their personal threshold, the "
     "largest sum they dare ask. Larger proposals win a little less often and take longer. Training raises "
     "thresholds."),
    ("Pay and behaviour",
     "Pay is computed from the simulated results by the scheme's rules. Reps split their free time between "
     "products and key clients by what an hour of each pays them; paying on signed rather than paid contracts "
     "makes them sign risky clients who never pay."),
    ("Key clients",
     "Existing key clients reorder each month when contacted on time, reorder less when neglected, and are more "
     "likely to leave for a competitor the longer they are neglected."),
    ("Uncertainty",
     "Every run is one possible year. The report gives the mean of many runs (replications) with a 95% "
     "confidence interval: the range in which the long-run average lies, given the runs made. Shaded bands on the "
     "monthly charts show how much a single month varies between runs; they are wider than the interval of the mean."),
    ("Comparisons",
     "Scenarios are compared on the same replications with the same random numbers (common random numbers), so "
     "the difference between them reflects the change made, not luck. 'No detectable difference' means the 95% "
     "interval of the difference includes zero: more replications may still find a small effect."),
)

#: What the model leaves out or simplifies (docs/model.md, section 8, and the data section).
LIMITS: tuple[str, ...] = (
    "Most rates and durations are not in the source documents: they are documented defaults (marked [assumed] in "
    "the scenario files) unless the scenario was calibrated from your own CRM export. Treat the answers as "
    "relative (option A against option B) more than as absolute forecasts.",
    "Time within a day is not modelled: a day's work happens in a fixed order, and events land at the start of "
    "the day.",
    "Reps know their absences (vacations, training, a coming departure) when they book meetings.",
    "When a rep leaves, their pipeline stays with the seat and the replacement inherits it.",
    "Clients' familiarity with a product is department-wide, not per rep.",
    "Heads of sales do not take vacations; a head's own head does not change the attention reps receive.",
    "Routine calls are drawn in aggregate; meetings, stage changes, supervisor attention and invoices are "
    "individual events.",
    "Market conditions (prices, competitors, demand) stay as the scenario describes them for the whole period.",
)

#: How the model was checked (docs/model.md, section 7).
CHECKS: tuple[str, ...] = (
    "Against closed-form results: with constant rates and no capacity limit, the model's funnel matches the "
    "expected counts; the invoice queue matches queueing theory (Erlang C).",
    "Invariants: every lead ends in exactly one state; no rep works more hours than the calendar gives; the same "
    "seed gives identical results, run serially or in parallel.",
    "The source documents' claims (doubling the team under one head, a second head, a new product group, forcing "
    "it, raising deal size, commission above gross profit) are reproduced with seeded replications and "
    "confidence intervals.",
)
