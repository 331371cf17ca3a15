"""The ``casebot`` command: parse, call, print. One module per group, mounted by :mod:`casebot.cli.main`.

May import anything; nothing imports it. What a command decides lives in the wing it calls.
"""
