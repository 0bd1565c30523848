"""Client reports: one self-contained HTML page with the answer, charts and tables, plus formula-safe exports.

``salessim report SCENARIO [VARIANTS...] --out report.html`` on the command line, or::

    from salessim.views.report import build_report
    rep = build_report("baseline", ["double_headcount_two_supervisors"], n=20, seed=1)
    rep.write_html("report.html")
    rep.write_xlsx("report.xlsx")      # every table, one sheet each, formula-neutralised

* :mod:`.build`: runs the scenarios (paired replications) and lays out the sections;
* :mod:`.describe`: a scenario in plain words, and what a variant changes;
* :mod:`.assumptions`: the model's assumptions and limits, in brief;
* :mod:`.content`: sections, charts and tables (numbered; the table of contents lists them);
* :mod:`.html`: the page (Jinja2 template in ``templates/``; CSS and charts inline).
"""

from __future__ import annotations

from salessim.views.report.build import Report, build_report, scenario_files

__all__ = ["Report", "build_report", "scenario_files"]
