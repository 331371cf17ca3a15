"""Fail points: named places in a run where a test can kill the process for real.

``CASEBOT_FAILPOINT=after_save:3`` makes the process SIGKILL itself the third
time it passes ``after_save``. Unset (always, outside the crash tests), a fail
point costs one dictionary lookup. Like the ``fail`` crate's failpoints, they
let a crash test stop the robot at exactly the moments that matter: before the
save, right after it, while the ledger is written.
"""

from __future__ import annotations

import os
import signal

_spec = os.environ.get("CASEBOT_FAILPOINT", "")
_name, _, _nth = _spec.partition(":")
_count = 0


def point(name: str) -> None:
    global _count
    if not _name or name != _name:
        return
    _count += 1
    if _count >= int(_nth or 1):
        os.kill(os.getpid(), signal.SIGKILL)

