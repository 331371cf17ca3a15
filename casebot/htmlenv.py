"""The one way casebot renders HTML: autoescaped whatever the template's name, invisible characters shown.

Every page a person reads (the run report, the reconcile report, the ops console) is rendered by an
environment made here or configured by :func:`harden`: autoescape is on for every template, not chosen
by file name (Flask escapes only ``.html``, the templates are ``.html.j2``), so a page's text (a code,
a reason a target gave, a place of detention) is always text, never markup.
"""

from __future__ import annotations

import jinja2

from casebot.domain.identity import visible


def shown(value: object) -> object:
    """Every printed value: invisible (bidi, zero-width, control) characters shown as <U+XXXX>."""
    return visible(value) if isinstance(value, str) else value


def harden(env: jinja2.Environment) -> jinja2.Environment:
    """``env`` escaping everything it prints, whatever the template's name."""
    env.autoescape = True
    env.finalize = shown
    return env


def html_environment(package_path: str = "templates") -> jinja2.Environment:
    """An environment for casebot's HTML templates (``casebot/templates``)."""
    return harden(jinja2.Environment(loader=jinja2.PackageLoader("casebot", package_path), autoescape=True))
