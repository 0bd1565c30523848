"""Writes the calibration corpus: exports in the shapes real CRMs and hand-kept spreadsheets produce.

Run ``.venv/bin/python tests/corpus/make_corpus.py`` to regenerate the files beside it (seeded: the
same files every time). Each export is a synthetic department written in one real shape; none
matches the shared sample's column names. ``tests/functional/test_calibration_corpus.py`` runs each one
through ``salessim calibrate`` with no mapping file. What each file shows:

* ``crm_opportunities/``: the public "CRM sales opportunities" shape (opportunity_id, sales_agent,
  product, account, deal_stage Won / Lost / Engaging / Prospecting, engage_date, close_date,
  close_value) with its side tables sales_teams.csv (sales_agent, manager, regional_office) and
  products.csv (product, series, sales_price); 'Prospecting' deals have no engage_date, the
  pipeline writes 'GTXPro' where the price list has 'GTX Pro', and five test rows are dated
  years after everything else;
* ``generic_spreadsheet.csv``: a hand-kept sheet whose headers match no preset nor any known
  name (Who, Where we are, First call, Signed or lost on, Amount €, What, Client);
* ``two_languages.csv``: Russian and English headers and stage names in one amoCRM-like export
  (';', decimal commas, day-first dates);
* ``open_without_created.csv``: a HubSpot-like export whose early-stage deals have no Create Date;
* ``stray_test_rows.csv``: a Salesforce-like report (month-first dates) with test rows dated in
  2025 and in 2016, years after and before its 2021-2022 history;
* ``gap_in_the_middle.csv``: a Pipedrive-like export with three empty months (a CRM migration);
* ``product_spellings/``: deals whose product names differ from the price list's in case, spaces
  and punctuation ('gtx basic', 'MG  Special', 'GTX-Pro');
* ``ended_early.csv``: a history that stops five months before the export date (given with --as-of).

Shapes added when real exports were found to break the command (each broke it before the fix named):

* ``pipedrive_status_and_stage.csv``: Pipedrive's newer export without the "Deal - " prefix: a pipeline
  ``Stage`` beside the ``Status`` (open / won / lost), ``Won time`` / ``Lost time`` and an ``Expected close
  date`` (the Stage was read as the outcome: every deal open);
* ``status_and_result.csv``: a ``Status`` (Open / Closed) and a ``Result`` (Won / Lost, empty while open)
  (every deal open);
* ``lost_reason.csv``: an Odoo-like export whose lost deals stay in their open stage with a ``Lost Reason``
  (a win rate of 100%);
* ``stage_history.csv``: a stage-history report, one row per stage a deal passed (the first row of each
  deal was kept: every deal open);
* ``yes_no_flags.csv``: a ``Stage`` that says just "Closed", beside yes/no ``Closed`` and ``Won`` columns
  (the yes/no "Closed" was read as the close date);
* ``german_whole_euros.csv``: Windows-1252, ';', German stage names (Gewonnen / Verloren), whole amounts
  "1.412 €" (read as Windows-1251 for its euro signs, no stage read as won or lost, 1.412 for 1,412);
* ``french_months.csv``: BOM, ';', French stage names and dates with French month names ("24 avr. 2017"),
  amounts "1 234,56 €" (no stage won or lost, two thirds of the dates unreadable);
* ``zones_and_custom_stages.csv``: created dates with a zone ("2024-03-05 14:05:00 UTC"), close dates in
  Excel's d-mmm-yy ("5-Mar-24"), stages "Won (100%)", "Closed - No Decision", "Closed - Disqualified", zero
  amounts written "$ -" (every created date or close date unreadable; custom lost stages read as open);
* ``owners_last_first/``: owners written "Last, First" and as e-mail addresses, with a teams table that
  writes "First Last" (every rep missing from the teams table);
* ``grouped_report.csv``: a report grouped by stage, as a formatted report writes it: a header row per group
  ("Stage: Closed Won (412 records)"), the group's rows with the Stage empty, a subtotal row after each group
  (every row but the group headers rejected for its missing stage; the fit ran on nothing, and said so only
  in its plans of 0).
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
PRODUCTS = {"GTX Basic": (550, "GTX", 0.62), "GTX Pro": (4821, "GTX", 0.60), "MG Special": (55, "MG", 0.65),
            "MG Advanced": (3393, "MG", 0.58), "GTX Plus Pro": (5482, "GTX", 0.61), "GTX Plus Basic": (1096, "GTX", 0.63),
            "GTK 500": (26768, "GTK", 0.55)}
FIRST = ["Moses", "Darcel", "Zane", "Maureen", "Vicki", "Hayden", "Anna", "Kary", "Cecily", "Boris", "Rosie",
         "Versie", "Marty", "Gladys", "Corliss", "James", "Jonathan", "Kami", "Reed", "Cassey", "Donn", "Elease"]
LAST = ["Frase", "Schlecht", "Levy", "Marcano", "Laflamme", "Neloms", "Snelling", "Hendrixson", "Lampkin", "Faz",
        "Papadopoulos", "Hillebrand", "Freudenburg", "Colclough", "Cosme", "Ascencio", "Berthelot", "Bicknell",
        "Clapper", "Cress", "Cantrell", "Gluck"]


def people(n: int, offset: int = 0) -> list[str]:
    return [f"{FIRST[(i + offset) % len(FIRST)]} {LAST[(i * 7 + offset) % len(LAST)]}" for i in range(n)]


def department(seed: int, start: dt.date, end: dt.date, per_month: float, reps: list[str], products: list[str],
               skip: tuple[dt.date, dt.date] | None = None) -> list[dict]:
    """Deals created on weekdays from ``start`` to ``end``; each closes after a lognormal time (15% never do);
    closes after ``end`` are still open at the export date ``end``."""
    rng = np.random.default_rng(seed)
    days = [start + dt.timedelta(d) for d in range((end - start).days + 1)]
    days = [d for d in days if d.weekday() < 5 and not (skip and skip[0] <= d <= skip[1])]
    n = int(rng.poisson(per_month * len(days) / 21.7))
    skill = {r: math.exp(rng.normal(0, 0.25)) for r in reps}
    out = []
    for k in range(n):
        created = days[int(rng.integers(len(days)))]
        rep = reps[int(rng.integers(len(reps)))]
        prod = products[int(rng.integers(len(products)))]
        price, _, p = PRODUCTS.get(prod, (1000, "X", 0.6))
        odds = p / (1 - p) * skill[rep]
        won = rng.random() < odds / (1 + odds)
        stall = rng.random() < 0.15
        cycle = int(round(math.exp(rng.normal(math.log(35), 0.7))))
        closed = None if stall else created + dt.timedelta(cycle)
        if closed is not None and (closed > end or closed.weekday() > 4):
            closed = closed + dt.timedelta(7 - closed.weekday()) if closed.weekday() > 4 else closed
        if closed is not None and skip and skip[0] <= closed <= skip[1]:
            closed = skip[1] + dt.timedelta(1)
        outcome = "open" if closed is None or closed > end else ("won" if won else "lost")
        value = round(price * math.exp(rng.normal(0, 0.25))) if outcome == "won" else (0 if outcome == "lost" else None)
        out.append({"id": f"{seed % 97:02d}{k:05d}", "created": created, "closed": closed if outcome != "open" else None,
                    "outcome": outcome, "rep": rep, "product": prod, "value": value,
                    "account": f"{['Acme', 'Globex', 'Initech', 'Umbrella', 'Hooli', 'Vandelay'][k % 6]} "
                               f"{['Corp', 'Ltd', 'Group'][k % 3]}"})
    out.sort(key=lambda d: d["created"])
    return out


def write(path: Path, header: list[str], rows: list[list], delimiter: str = ",", encoding: str = "utf-8") -> None:
    with open(path, "w", newline="", encoding=encoding) as fh:
        w = csv.writer(fh, delimiter=delimiter)
        w.writerow(header)
        w.writerows(rows)


def iso(d: dt.date | None) -> str:
    return d.isoformat() if d else ""


def crm_opportunities() -> None:
    folder = HERE / "crm_opportunities"
    folder.mkdir(exist_ok=True)
    reps = people(14)
    managers = ["Dustin Brinkmann", "Cara Losch", "Rocco Neubert", "Summer Sewald"]
    offices = ["Central", "East", "West", "West"]
    end = dt.date(2017, 12, 29)
    deals = department(1, dt.date(2016, 10, 20), end, 190, reps, list(PRODUCTS))
    rows = []
    for d in deals:
        recent = (end - d["created"]).days < 21
        stage = {"won": "Won", "lost": "Lost"}.get(d["outcome"], "Prospecting" if recent else "Engaging")
        prod = "GTXPro" if d["product"] == "GTX Pro" else d["product"]
        rows.append([f"O{d['id']}", d["rep"], prod, d["account"] if d["id"][-1] != "3" else "", stage,
                     "" if stage == "Prospecting" else iso(d["created"]), iso(d["closed"]),
                     "" if d["value"] is None else f"{d['value']}"])
    # five test rows, dated years after everything else
    for k in range(5):
        rows.append([f"TEST{k}", reps[k], "GTX Basic", "Test Account", "Won", f"2025-11-1{k}", f"2026-01-0{k + 1}",
                     "1"])
    write(folder / "sales_pipeline.csv", ["opportunity_id", "sales_agent", "product", "account", "deal_stage",
                                          "engage_date", "close_date", "close_value"], rows)
    write(folder / "sales_teams.csv", ["sales_agent", "manager", "regional_office"],
          [[r, managers[i % 4], offices[i % 4]] for i, r in enumerate(reps)])
    write(folder / "products.csv", ["product", "series", "sales_price"],
          [[p, s, f"{price:.0f}"] for p, (price, s, _) in PRODUCTS.items()])


def generic_spreadsheet() -> None:
    deals = department(2, dt.date(2023, 1, 9), dt.date(2024, 3, 29), 45, people(5, 3), ["Audit", "Training", "Setup"])
    stage = {"won": "Won", "lost": "Lost"}
    rows = [[d["rep"], stage.get(d["outcome"], ["Proposal", "Negotiation"][int(d["id"]) % 2]),
             d["created"].strftime("%d/%m/%Y"), d["closed"].strftime("%d/%m/%Y") if d["closed"] else "",
             "" if d["value"] is None or d["outcome"] != "won" else f"{d['value'] * 3}", d["product"], d["account"]]
            for d in deals]
    write(HERE / "generic_spreadsheet.csv", ["Who", "Where we are", "First call", "Signed or lost on", "Amount €",
                                             "What", "Client"], rows)


def two_languages() -> None:
    deals = department(3, dt.date(2022, 2, 1), dt.date(2023, 4, 28), 70, people(6, 5), ["Лицензия", "Внедрение"])
    stage = {"won": "Успешно реализовано", "lost": "Закрыто и не реализовано"}
    rows = [[d["id"], d["rep"], stage.get(d["outcome"], ["Переговоры", "Proposal sent"][int(d["id"]) % 2]),
             d["created"].strftime("%d.%m.%Y"), d["closed"].strftime("%d.%m.%Y") if d["closed"] else "",
             "" if d["value"] is None else f"{d['value'] * 90:,.2f}".replace(",", " ").replace(".", ","), d["product"]]
            for d in deals]
    write(HERE / "two_languages.csv", ["ID", "Ответственный", "Stage", "Дата создания", "Close date", "Сумма",
                                       "Product"], rows, delimiter=";")


def open_without_created() -> None:
    end = dt.date(2024, 6, 28)
    deals = department(4, dt.date(2023, 3, 1), end, 60, people(7, 1), ["Starter", "Growth", "Enterprise"])
    stage = {"won": "Closed Won", "lost": "Closed Lost"}
    rows = []
    for d in deals:
        early = d["outcome"] == "open" and (end - d["created"]).days < 30
        st = stage.get(d["outcome"], "Appointment Scheduled" if early else "Contract Sent")
        rows.append([d["id"], f"Deal {d['id']}", st, "" if early else d["created"].strftime("%Y-%m-%d %H:%M"),
                     d["closed"].strftime("%Y-%m-%d %H:%M") if d["closed"] else "", d["rep"],
                     "" if d["value"] is None else str(d["value"]), d["product"]])
    write(HERE / "open_without_created.csv", ["Record ID", "Deal Name", "Deal Stage", "Create Date", "Close Date",
                                              "Deal owner", "Amount", "Associated Product"], rows)


def stray_test_rows() -> None:
    deals = department(5, dt.date(2021, 1, 4), dt.date(2022, 3, 31), 55, people(6, 9), ["Cloud", "On-prem"])
    stage = {"won": "Closed Won", "lost": "Closed Lost"}
    us = "%m/%d/%Y"
    rows = [[d["id"], d["rep"], stage.get(d["outcome"], "Negotiation/Review"), d["created"].strftime(us),
             d["closed"].strftime(us) if d["closed"] else "", "" if d["value"] is None else str(d["value"]),
             d["product"]] for d in deals]
    rows += [["T1", "Test User", "Closed Won", "03/02/2025", "03/05/2025", "1", "Cloud"],
             ["T2", "Test User", "Closed Lost", "03/02/2025", "03/09/2025", "0", "Cloud"],
             ["T3", "Test User", "Prospecting", "04/15/2025", "", "", "Cloud"],
             ["T4", "Admin", "Closed Won", "01/07/2016", "01/09/2016", "5", "On-prem"],
             ["T5", "Admin", "Closed Won", "01/08/2016", "01/10/2016", "5", "On-prem"]]
    write(HERE / "stray_test_rows.csv", ["Opportunity ID", "Opportunity Owner", "Stage", "Created Date", "Close Date",
                                         "Amount", "Product Name"], rows)


def gap_in_the_middle() -> None:
    deals = department(6, dt.date(2022, 1, 3), dt.date(2023, 6, 30), 60, people(5, 11), ["Basic", "Premium"],
                       skip=(dt.date(2022, 7, 1), dt.date(2022, 9, 30)))
    rows = [[d["id"], d["rep"], d["outcome"], d["created"].strftime("%Y-%m-%d %H:%M:%S"),
             d["closed"].strftime("%Y-%m-%d %H:%M:%S") if d["closed"] else "", "" if d["value"] is None else
             str(d["value"]), "EUR", d["product"]] for d in deals]
    write(HERE / "gap_in_the_middle.csv", ["Deal - ID", "Deal - Owner", "Deal - Status", "Deal - Deal created",
                                           "Deal - Deal closed on", "Deal - Value", "Deal - Currency",
                                           "Deal - Product name"], rows)


def product_spellings() -> None:
    folder = HERE / "product_spellings"
    folder.mkdir(exist_ok=True)
    names = ["GTX Basic", "GTX Pro", "MG Special"]
    deals = department(7, dt.date(2023, 1, 2), dt.date(2024, 2, 29), 50, people(5, 13), names)
    spelled = {"GTX Basic": ["GTX Basic", "gtx basic"], "GTX Pro": ["GTX-Pro", "GTX Pro"],
               "MG Special": ["MG  Special", "MG Special"]}
    stage = {"won": "Won", "lost": "Lost"}
    rows = [[d["id"], d["rep"], stage.get(d["outcome"], "In progress"), iso(d["created"]), iso(d["closed"]),
             "" if d["value"] is None else str(d["value"]), spelled[d["product"]][int(d["id"]) % 2]] for d in deals]
    write(folder / "deals.csv", ["deal_id", "owner", "status", "created_at", "closed_at", "amount", "product"], rows)
    write(folder / "price_list.csv", ["product", "list_price"],
          [[p, str(PRODUCTS[p][0])] for p in names])


def ended_early() -> None:
    deals = department(8, dt.date(2023, 2, 1), dt.date(2024, 4, 30), 50, people(4, 17), ["Service"])
    rows = [[d["id"], d["rep"], {"won": "Won", "lost": "Lost"}.get(d["outcome"], "Open"), iso(d["created"]),
             iso(d["closed"]), "" if d["value"] is None else str(d["value"])] for d in deals]
    write(HERE / "ended_early.csv", ["id", "sales rep", "status", "created", "closed", "value"], rows)


# --------------------------------------------------------------------------- shapes that broke the command
def _outcome_stage(d: dict, won: str, lost: str, open_stages: list[str]) -> str:
    return {"won": won, "lost": lost}.get(d["outcome"]) or open_stages[int(d["id"]) % len(open_stages)]


def pipedrive_status_and_stage() -> None:
    end = dt.date(2024, 5, 31)
    deals = department(9, dt.date(2023, 3, 1), end, 55, people(5, 2), ["Basic", "Premium"])
    rows = []
    for k, d in enumerate(deals):
        closed = d["closed"].strftime("%Y-%m-%d 10:%M:00".replace("%M", f"{k % 60:02d}")) if d["closed"] else ""
        rows.append([k + 1, f"Deal {k + 1}", d["rep"], "" if d["value"] is None else d["value"], "EUR", d["outcome"],
                     ["Qualified", "Contact Made", "Proposal Made", "Negotiations Started"][k % 4],
                     d["created"].strftime("%Y-%m-%d 09:15:00"),
                     (d["closed"] or end + dt.timedelta(days=30)).isoformat(),
                     closed if d["outcome"] == "won" else "", closed if d["outcome"] == "lost" else "",
                     "Price" if d["outcome"] == "lost" else "", d["account"]])
    write(HERE / "pipedrive_status_and_stage.csv",
          ["ID", "Title", "Owner", "Value", "Currency", "Status", "Stage", "Deal created", "Expected close date",
           "Won time", "Lost time", "Lost reason", "Organization"], rows)


def status_and_result() -> None:
    deals = department(10, dt.date(2023, 1, 2), dt.date(2024, 2, 29), 50, people(5, 4), ["Licence", "Support"])
    rows = [[d["id"], d["rep"], "Open" if d["outcome"] == "open" else "Closed",
             {"won": "Won", "lost": "Lost"}.get(d["outcome"], ""), iso(d["created"]), iso(d["closed"]),
             "" if d["value"] is None else str(d["value"]), d["product"]] for d in deals]
    write(HERE / "status_and_result.csv", ["Opportunity", "Sales Rep", "Status", "Result", "Created", "Closed",
                                           "Value", "Product"], rows)


def lost_reason() -> None:
    deals = department(11, dt.date(2023, 2, 1), dt.date(2024, 3, 29), 50, people(5, 6), ["Implementation"])
    rows = []
    for d in deals:
        stage = "Won" if d["outcome"] == "won" else ["New", "Qualified", "Proposition"][int(d["id"]) % 3]
        lost = d["outcome"] == "lost"
        rows.append([f"{d['account']} implementation", d["account"], d["rep"], "Sales", stage,
                     "" if d["value"] is None else str(d["value"] or 1000), 0 if lost else 50,
                     d["created"].strftime("%Y-%m-%d 11:00:00"), iso(d["closed"]), "False" if lost else "True",
                     ["Too expensive", "Not enough stock"][int(d["id"]) % 2] if lost else ""])
    write(HERE / "lost_reason.csv", ["Opportunity", "Customer", "Salesperson", "Sales Team", "Stage",
                                     "Expected Revenue", "Probability", "Created on", "Closed Date", "Active",
                                     "Lost Reason"], rows)


def stage_history() -> None:
    deals = department(12, dt.date(2023, 1, 2), dt.date(2024, 1, 31), 45, people(5, 8), ["Cloud", "On-prem"])
    us = "%m/%d/%Y"
    rows = []
    for d in deals:
        path = ["Prospecting", "Qualification", "Proposal/Price Quote"][:1 + int(d["id"]) % 3]
        if d["outcome"] != "open":
            path.append("Closed Won" if d["outcome"] == "won" else "Closed Lost")
        for st in path:
            last = st == path[-1]
            close = d["closed"] if last and d["closed"] else d["created"] + dt.timedelta(days=60)
            rows.append([d["id"], d["rep"], st, "" if d["value"] is None else str(d["value"]), close.strftime(us),
                         d["created"].strftime(us), d["product"]])
    write(HERE / "stage_history.csv", ["Opportunity ID", "Opportunity Owner", "Stage", "Amount", "Close Date",
                                       "Created Date", "Product"], rows)


def yes_no_flags() -> None:
    deals = department(13, dt.date(2023, 4, 3), dt.date(2024, 4, 30), 50, people(4, 10), ["Service"])
    us = "%m/%d/%Y"
    rows = [[d["id"], d["rep"], _outcome_stage(d, "Closed", "Closed", ["Discovery", "Demo", "Proposal"]),
             "TRUE" if d["outcome"] != "open" else "FALSE", "TRUE" if d["outcome"] == "won" else "FALSE",
             d["created"].strftime(us), (d["closed"] or dt.date(2024, 6, 28)).strftime(us),
             "" if d["value"] is None else str(d["value"])] for d in deals]
    write(HERE / "yes_no_flags.csv", ["Deal ID", "Owner", "Stage", "Closed", "Won", "Created", "Close Date", "Amount"],
          rows)


def german_whole_euros() -> None:
    deals = department(14, dt.date(2023, 1, 2), dt.date(2024, 3, 29), 50, people(5, 12), ["GTX Pro", "GTK 500"])
    names = {"Donn Cress": "Jürgen Müller"}
    rows = [[d["id"], names.get(d["rep"], d["rep"]), _outcome_stage(d, "Gewonnen", "Verloren",
                                                                     ["Angebot", "In Bearbeitung"]),
             d["created"].strftime("%d.%m.%Y"), d["closed"].strftime("%d.%m.%Y") if d["closed"] else "",
             "" if d["value"] is None else f"{d['value']:,} €".replace(",", "."), d["product"]] for d in deals]
    write(HERE / "german_whole_euros.csv", ["Verkaufschance", "Verkäufer", "Phase", "Erstellt am", "Abschlussdatum",
                                            "Betrag", "Produkt"], rows, delimiter=";", encoding="cp1252")


FRENCH_MONTHS = ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."]


def french_months() -> None:
    deals = department(15, dt.date(2023, 1, 2), dt.date(2024, 2, 29), 50, people(5, 14), ["Audit", "Formation"])

    def fr(x: dt.date | None) -> str:
        return f"{x.day} {FRENCH_MONTHS[x.month - 1]} {x.year}" if x else ""
    rows = [[d["rep"], _outcome_stage(d, "Gagnée", "Perdue", ["Qualification", "Proposition"]), fr(d["created"]),
             fr(d["closed"]), "" if d["value"] is None else
             f"{d['value'] * 1.5:,.2f}".replace(",", "\u00a0").replace(".", ",") + "\u00a0€", d["product"]]
            for d in deals]
    write(HERE / "french_months.csv", ["Commercial", "Étape", "Date de création", "Date de clôture", "Montant",
                                       "Produit"], rows, delimiter=";", encoding="utf-8-sig")


def zones_and_custom_stages() -> None:
    deals = department(16, dt.date(2023, 3, 1), dt.date(2024, 3, 29), 55, people(5, 16), ["Starter", "Growth"])
    rows = []
    for d in deals:
        k = int(d["id"])
        stage = _outcome_stage(d, ["Won (100%)", "Stage: 6 - Closed Won"][k % 2],
                               ["Lost (0%)", "Closed - No Decision", "Closed - Disqualified"][k % 3],
                               ["Stage: 2 - Qualify (20%)", "Stage: 4 - Negotiate (60%)"])
        value = "" if d["value"] is None else (" $-   " if d["value"] == 0 else f" ${d['value']:,.2f} ")
        rows.append([d["id"], d["rep"], stage, d["created"].strftime("%Y-%m-%d 14:05:00 UTC"),
                     d["closed"].strftime("%-d-%b-%y") if d["closed"] else "", value, d["product"]])
    write(HERE / "zones_and_custom_stages.csv", ["Deal #", "Owner", "Sales Stage", "Created", "Closed On", "Amount",
                                                 "Product Line"], rows)


def owners_last_first() -> None:
    folder = HERE / "owners_last_first"
    folder.mkdir(exist_ok=True)
    reps = people(6, 18)
    deals = department(17, dt.date(2023, 1, 2), dt.date(2024, 1, 31), 50, reps, ["Basic", "Premium"])
    rows = []
    for d in deals:
        first, last = d["rep"].split(" ", 1)
        owner = f"{last}, {first}" if int(d["id"]) % 2 else f"{first.lower()}.{last.lower()}@example.com"
        rows.append([d["id"], owner, {"won": "Won", "lost": "Lost"}.get(d["outcome"], "Open"), iso(d["created"]),
                     iso(d["closed"]), "" if d["value"] is None else str(d["value"]), d["product"]])
    write(folder / "deals.csv", ["Opportunity", "Owner", "Status", "Opportunity Created On", "Closed On", "Amount",
                                 "Product"], rows)
    write(folder / "teams.csv", ["Rep", "Manager", "Region"],
          [[r, ["Ada Boss", "Cy Chief"][i % 2], ["North", "South"][i % 2]] for i, r in enumerate(reps)])


def grouped_report() -> None:
    deals = department(18, dt.date(2023, 2, 1), dt.date(2024, 2, 29), 50, people(5, 20), ["Cloud", "Support"])
    us = "%m/%d/%Y"
    rows = []
    for stage, outcome in (("Closed Lost", "lost"), ("Closed Won", "won"), ("Negotiation/Review", "open")):
        group = [d for d in deals if d["outcome"] == outcome]
        rows.append([f"Stage: {stage} ({len(group)} records)", "", "", "", "", "", ""])
        for d in group:
            rows.append(["", d["rep"], d["product"], "" if d["value"] is None else str(d["value"]),
                         {"won": "100", "lost": "0"}.get(outcome, "60"),
                         (d["closed"] or dt.date(2024, 4, 30)).strftime(us), d["created"].strftime(us)])
        rows.append(["Subtotal", "", "", str(sum(d["value"] or 0 for d in group)), "", "", ""])
    rows.append(["Grand Total", "", "", str(sum(d["value"] or 0 for d in deals)), "", "", ""])
    write(HERE / "grouped_report.csv", ["Stage", "Opportunity Owner", "Product", "Amount", "Probability (%)",
                                        "Close Date", "Created Date"], rows)


if __name__ == "__main__":
    for make in (crm_opportunities, generic_spreadsheet, two_languages, open_without_created, stray_test_rows,
                 gap_in_the_middle, product_spellings, ended_early, pipedrive_status_and_stage, status_and_result,
                 lost_reason, stage_history, yes_no_flags, german_whole_euros, french_months, zones_and_custom_stages,
                 owners_last_first, grouped_report):
        make()
    print(f"wrote the corpus to {HERE}")
