"""The adapter seam and its kit: what casebot asks of an external system, and what helps an adapter answer.

- :mod:`~casebot.kit.base`: :class:`Adapter`, :class:`Source`, :class:`Target` (public methods ``@final``,
  retries and the matching policy in the base; adapters override protected hooks);
- :mod:`~casebot.kit.pageflow`: the form base every shipped adapter stands on (:class:`FormPages`: a system
  described by its ``form.yaml``: login, pages, notice, forms, the card; :class:`FormTarget`: posting forms,
  wizards, cards entered in dialogs, lists and record pages read back), and :mod:`~casebot.kit.spa` for
  single-page apps;
- :mod:`~casebot.kit.logins`, :mod:`~casebot.kit.secrets`: capped logins and where passwords come from;
- :mod:`~casebot.kit.system`: what an adapter is told about its system (URL, credentials, timeout);
- :mod:`~casebot.kit.browser`: which Chromium (or Edge channel) to launch, and the one way to launch it;
- :mod:`~casebot.kit.widgets`: one widget per kind of control (and per UI kit);
- :mod:`~casebot.kit.plugins`, :mod:`~casebot.kit.bundles`: adapters found by entry point, with what their
  packages bring (mappings, widgets).

May import: the domain, ``casebot.errors`` and ``casebot.logs``.
"""
