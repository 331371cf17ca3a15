"""The adapter seam and its kit: what casebot asks of an external system, and what helps an adapter answer.

- :mod:`~casebot.kit.base`: :class:`Adapter`, :class:`Source`, :class:`Target` (public methods ``@final``,
  retries and the matching policy in the base; adapters override protected hooks);
- :mod:`~casebot.kit.pageflow`: the form base (:class:`FormTarget`: fields in ``form.yaml``);
- :mod:`~casebot.kit.logins`, :mod:`~casebot.kit.secrets`: capped logins and where passwords come from;
- :mod:`~casebot.kit.browser`: which Chromium (or Edge channel) to launch;
- :mod:`~casebot.kit.widgets`: one widget per kind of control (and per UI kit);
- :mod:`~casebot.kit.plugins`, :mod:`~casebot.kit.bundles`: adapters found by entry point, with what their
  packages bring (mappings, widgets).

May import: the domain, ``casebot.errors`` and ``casebot.logs``.
"""
