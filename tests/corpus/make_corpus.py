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


if __name__ == "__main__":
    for make in (crm_opportunities, generic_spreadsheet, two_languages, open_without_created, stray_test_rows,
                 gap_in_the_middle, product_spellings, ended_early):
        make()
    print(f"wrote the corpus to {HERE}")
