"""How the contract suite makes a system fail: its own fault switch, or a proxy in front of it.

The suite (:mod:`casebot.testing`) asks for faults by what they mean, through
a :class:`Faults` object (the ``faults`` fixture):

- :class:`SwitchFaults` for a system with a fault switch (the sandbox's
  ``/_sandbox/faults``: ``set_faults(**plan)``);
- :class:`ProxyFaults` for any other: the adapter is pointed at a
  :class:`~casebot.testing.faultproxy.FaultProxy` in front of the system (use the
  :class:`ThroughFaultProxy` mixin), which can fail every request, drop the
  session's cookies, or pass the save on and lose its answer. A system's own
  refusals, notices and captchas cannot come from a proxy: a contract class
  declares them ``opt_outs`` instead (see ``TargetContract.opt_outs``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, ClassVar, Protocol

import pytest

from casebot.testing.faultproxy import Fault, FaultProxy


class Faults(Protocol):
    def server_error(self) -> None:
        """Every request answered with a 5xx."""

    def session_expiry(self) -> None:
        """The session ends: the next requests land on the login page."""

    def commit_then_error(self) -> None:
        """A save is carried out, then its answer is lost."""

    def reject(self) -> None:
        """The system's own checks refuse every save."""

    def notices(self) -> None:
        """A blocking notice over every page."""

    def captcha(self) -> None:
        """The login page asks for a captcha."""

    def clear(self) -> None:
        """No faults."""


class SwitchFaults:
    """Faults through a system's own switch: ``set_faults(**plan)`` with the sandbox's plan keys."""

    def __init__(self, set_faults: Callable[..., Any]) -> None:
        self.set = set_faults

    def server_error(self) -> None:
        self.set(error_rate=1.0)

    def session_expiry(self) -> None:
        self.set(session_max_requests=1)

    def commit_then_error(self) -> None:
        self.set(commit_then_error_rate=1.0)

    def reject(self) -> None:
        self.set(reject_rate=1.0)

    def notices(self) -> None:
        self.set(notice_rate=1.0)

    def captcha(self) -> None:
        self.set(captcha=True)

    def clear(self) -> None:
        self.set()


class ProxyFaults:
    """Faults through a :class:`~casebot.testing.faultproxy.FaultProxy`; ``save`` is the path prefix saves post to."""

    def __init__(self, proxy: FaultProxy, save: str) -> None:
        self.proxy = proxy
        self.save = save

    def server_error(self) -> None:
        self.proxy.inject(Fault("server_error"))

    def session_expiry(self) -> None:
        self.proxy.inject(Fault("drop_session"))

    def commit_then_error(self) -> None:
        self.proxy.inject(Fault("commit_then_error", method="POST", path=self.save))

    def _system_only(self, what: str) -> None:
        raise NotImplementedError(f"a proxy cannot make the system {what}: declare it in opt_outs")

    def reject(self) -> None:
        self._system_only("refuse a save")

    def notices(self) -> None:
        self._system_only("show notices")

    def captcha(self) -> None:
        self._system_only("ask for a captcha")

    def clear(self) -> None:
        self.proxy.clear()


class ThroughFaultProxy:
    """Mixin for a contract class: the adapter talks to the system through a fault proxy.

    Give ``upstream_url`` (the system) and ``save_path`` (where its saves post);
    ``system_config`` then gets ``fault_proxy.url`` as its URL.
    """

    save_path: ClassVar[str] = "/"

    @pytest.fixture
    def upstream_url(self) -> str:
        raise NotImplementedError("override the upstream_url fixture: the system's own URL")

    @pytest.fixture
    def fault_proxy(self, upstream_url: str) -> Iterator[FaultProxy]:
        with FaultProxy(upstream_url) as proxy:
            yield proxy

    @pytest.fixture
    def faults(self, fault_proxy: FaultProxy) -> Faults:
        return ProxyFaults(fault_proxy, self.save_path)
