"""Names vulture cannot see being used: read by ``test_dead_code.py`` beside ``salessim/``.

Vulture reports a definition when no code in ``salessim/`` uses its name. Each name below is
used all the same: by a library that calls it by convention, by a template, or as public API
that the tests, notebooks, docs or benchmarks use (they are not scanned, so their uses are
listed here). A name that is truly dead is deleted, not listed. The file is never imported.
"""

from vulture.whitelist_utils import Whitelist

_ = Whitelist()

# ---------------------------------------------------------------- libraries call these by convention
_.__getattr__          # salessim/__init__.py: module-level lazy attributes (PEP 562)
_.model_config         # pydantic: a model's settings
_.model_post_init      # pydantic: hook run after validation ...
_.__context            # ... and its context argument (unused, but part of the signature)
_._month_keys          # pydantic validators, registered by their decorators
_._month_start
_._distinct_days
_._references
_.formatter_class      # argparse: help formatting of each command
_.__class__            # apps/commands/comp.py: the parser is given a subclass that routes subcommands
_._ipython_display_    # IPython: how a panel shows itself in a notebook
_.writeable            # numpy: calendar arrays are made read-only (arr.flags.writeable = False)
_.formatter            # matplotlib: axis tick formatters
_.data_type            # openpyxl: cell type, fonts and frozen header of the Excel export
_.font
_.freeze_panes
_.disabled             # ipywidgets: widget state
_.bar_style
_.anchor               # views/report/templates/report.html.j2 reads these properties
_.png_uri
_.pairs                # ... and Text.pairs (the headings of a "dl" list)

# ---------------------------------------------------------------- scenario schema fields (set in TOML files)
_.extends              # the parent scenario: scenarios/files.py follows the chain from the raw TOML table
_.payment_delay_days   # back_office: documented in baseline.toml; the model does not use it yet

# ---------------------------------------------------------------- fields of returned records, for the reader
_.EMPTY                # calibration/readers.py: kind 0 of a date cell (the kinds array starts as np.zeros)
_.day_first_evidence   # calibration/readers.py DateOrder: why the day/month order was chosen
_.month_first_evidence
_.ambiguous
_.won_interval         # calibration/survival.py OutcomeTimes: intervals and test statistic
_.lost_interval
_.lr_statistic
_.one_stage_product_times  # calibration/fitting.py: the one-stage fits a two-stage timing replaced
_.rejected             # calibration/tables.py Activities: rows without a rep or a readable date
_.last_values          # apps/widgets/panel.py: the settings of the last view, beside last_view and last_error

# ---------------------------------------------------------------- public API used by tests, notebooks, docs, benchmarks
_.rep_product_monthly  # Result / Replications tables (tests, docs/model.md)
_.supervisor_monthly
_.pace_daily
_.pay_warnings
_.draw_written_off     # engine/payroll.py PayBreakdown field (test_pay_engine.py, test_pay_results.py)
_.daily_churn_hazard   # engine/key_clients.py: the hazard as a formula (test_mechanisms.py)
_.setup                # apps/notebook.py: helpers the notebooks call
_.show
_.banner
_.crm_sample
_.bundled
_.reading_table        # calibration/overview.py: tables of notebooks/calibrate_from_crm.ipynb
_.mapping_table
_.stage_table
_.fitted_table
_.plans_table
_.write_demo_export    # calibration/export.py (test_calibration_demo.py)
_.result_mood          # calibration/fitting.py (tests, docs/fit_market_mood.py)
_.time_family          # calibration/fitting.py (test_calibration_roundtrip.py)
_.analyse_function     # analyses/sensitivity.py (tests)
_.profit_grid          # analyses/growth.py (notebooks/headcount_vs_dealsize.ipynb, tests)
_.conclusion_markdown
_.department_gain
_.summary_bars         # views/charts.py (test_chart_style.py)
_.profit_heatmap       # views/growth_charts.py (notebook, tests)
_.revenue_profit_chart
_.restore              # views/exports.py: undoes the export's formula guard (tests, docs/report.md)
_.scaled_department    # scenarios/scaling.py (benchmarks/bench_experiments.py, docs/experiments.md)
_.has_decelerator      # scenarios/pay.py (test_pay_properties.py)
_.view_hits            # apps/widgets/panel.py: cache statistics (test_widgets.py)
_.last_error

# result fields read by callers of the analyses (tests, notebooks), not by the package itself
_.one_at_a_time  # Robustness: the one-at-a-time ends of each screened-in assumption (for readers of the result)
_.facts  # Plans: fact per replication x month x rep (test_calibration_plans.py)
_.check_plans  # Plans: each replication's leave-one-out check plan (test_calibration_plans.py)
