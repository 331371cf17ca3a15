"""Sub-commands of the ``casebot`` CLI, one module per group (mounted by :mod:`casebot.cli`)."""
