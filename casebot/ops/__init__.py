"""Operating casebot unattended: doctor's checks, schedules, notifications, metrics, the console, deadlines.

May import: ``casebot.config`` and everything below it (domain, kit, ledger, mapping, deadlines, logs,
htmlenv, errors); never the run (the runner calls ops at a run's end, not the other way round).
"""
