"""One package per external system. Each registers itself in the ``casebot.adapters`` entry-point group."""
