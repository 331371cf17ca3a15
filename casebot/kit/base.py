"""The adapter seam: what casebot asks of an external system.

An adapter drives one system's web pages through a Playwright
:class:`~playwright.async_api.BrowserContext` it is given. It never launches a
browser, never retries and never sleeps for a fixed time; it waits for what
the page shows and translates Playwright's errors into casebot's own
(:mod:`casebot.errors`) at its boundary.

The seam is a set of template methods: the public methods the core calls
(``read``, ``list_records``, ``find_existing``, ``write``, ``read_back``,
``open_form``) are ``@final`` and run the protected method an adapter writes
(``_read``, ``_list_records``, ...) inside :meth:`Adapter._guard`, the one place
where Playwright's errors become casebot's:

- a real timeout (what was awaited did not come) is :class:`~casebot.errors.PageTimeout`
  and a lost connection :class:`~casebot.errors.ServerError`: transient, retried by the core;
- a selector that matches several elements (strict mode), or an element gone from
  the page, is :class:`~casebot.errors.PageChanged`: the page is not what the adapter
  was written for, retrying will not help;
- any other error is a bug: it is re-raised as it is, not retried.

An adapter never calls ``_guard`` itself, never retries and never sleeps.

- a :class:`Source` lists and reads records;
- a :class:`Target` declares its fields, finds an existing record by its key,
  writes a card and reads a record back.

One class may be both (the procuratorate is a target for the police hop and a
source of 起诉 facts for the court hop).
"""

from __future__ import annotations

import contextlib
import re
import weakref
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any, ClassVar, Literal, TypeVar, final

from casebot import errors
from casebot.domain.changes import CardDiff
from casebot.domain.keys import full_width, same_key, search_terms
from casebot.domain.matching import DEFAULT_WINDOW_DAYS, Candidate, Identity, Match, classify
from casebot.domain.roles import Roles, declare, known, role
from casebot.kit import logins
from casebot.kit.system import Credentials, SystemConfig  # noqa: F401 - re-exported: adapters import them from here
from casebot.kit.widgets import FormCheck, checking

FieldType = Literal["text", "date", "code", "codes", "choice", "list"]

T = TypeVar("T")

#: the page each browser context shows in front. Adapters of several systems share
#: one context; a page left behind another is throttled by the browser (no
#: animation frames), which turns every click's stability check into seconds.
_FRONT: weakref.WeakKeyDictionary[Any, Any] = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class FieldSpec:
    """One field of a target's card, as the target system shows it."""

    name: str
    label: str
    type: FieldType = "text"
    required: bool = False
    code_table: str | None = None
    max_length: int | None = None
    children: tuple[FieldSpec, ...] = ()
    #: a value the system assigns itself (not written by the robot)
    assigned: bool = False
    #: what the field is, for the core (:mod:`casebot.domain.roles`): ``name``, ``alias``, ``id_number``,
    #: ``birth_date``, ``address``, ``free_text``, ``title``, ``persons`` (a list of person rows), ``secret``
    role: str | None = None

    def __post_init__(self) -> None:
        if self.role is not None:
            role(self.role)  # an unknown role is a ConfigError naming the vocabulary

    def child(self, name: str) -> FieldSpec:
        for c in self.children:
            if c.name == name:
                return c
        raise KeyError(name)


@dataclass(frozen=True)
class RecordRef:
    """A record found in a list page, by its key (and its region, from a source that ``lists_regions``)."""

    key: str
    #: the 行政区划 code (units.csv ``region``) of the record, for routes chosen by region
    region: str | None = None
    #: what the list shows of when the record last changed (the police 修改时间), if it shows it:
    #: a run takes a written case again only when this moved on
    version: str | None = None


@dataclass
class Listing:
    """A target's records as its list shows them, read once per run and shared by the run's contexts
    (:meth:`Target._listing`): what the matching policy looks at before each first write, in memory.

    The records are keyed by the target's own number; the run's own writes are added as they are
    saved (with the ID numbers of their card, which a list row does not show).
    """

    records: dict[str, Candidate]
    #: every record of the kind is in the list (a list cut short settles nothing: per-card searches)
    complete: bool = True


class SharedListings:
    """The run's listings of its targets, one per target and kind, shared by the run's workers."""

    def __init__(self) -> None:
        import asyncio

        self._lock = asyncio.Lock
        self._locks: dict[str, Any] = {}
        #: key -> the listing, or None when the target cannot list (per-card searches)
        self.listings: dict[str, Listing | None] = {}

    def lock(self, key: str) -> Any:
        return self._locks.setdefault(key, self._lock())


class Adapter(ABC):
    """Base of every adapter. One instance drives one browser context."""

    #: entry-point name, e.g. ``"court"``
    name: ClassVar[str]
    #: the record kinds the system offers beyond this class's own, each driven by a class of its own
    #: (a route's ``source_kind`` / ``target_kind``), e.g. ``{"arrest_review": ArrestReviewAdapter}``
    kinds: ClassVar[dict[str, type[Adapter]]] = {}
    #: the system's own name, shown to clerks
    title: ClassVar[str]

    def __init__(self, context: Any, config: SystemConfig) -> None:
        self.context = context
        self.config = config
        self._page: Any = None
        self._logged_in = False
        #: a page of the system was reached and logged in to, at least once (a system down before is back)
        self.reached = False
        #: set by ``casebot login`` when a person is at the terminal: shown the captcha, returns what they typed
        self.ask_captcha: Callable[[Any], Awaitable[str]] | None = None
        #: the run's logins, shared between its browser contexts (set by the run's worker; None: this
        #: context logs in on its own)
        self.shared_logins: logins.SharedLogins | None = None
        #: the run's listings of its targets (set by the run's worker; None: every look searches)
        self.shared_listings: SharedListings | None = None

    @classmethod
    def of_kind(cls, kind: str | None) -> type[Adapter]:
        """The class driving records of ``kind`` in this system (None: this one)."""
        if not kind:
            return cls
        if kind not in cls.kinds:
            known = ", ".join(sorted(cls.kinds)) or "none"
            raise errors.ConfigError(f"adapter {cls.name!r} has no record kind {kind!r} (kinds: {known})")
        return cls.kinds[kind]

    # -- override -------------------------------------------------------
    @abstractmethod
    async def login(self, page: Any) -> None:
        """*override*: log in on ``page``; raise HumanRequired for a captcha."""

    @abstractmethod
    async def is_login_page(self, page: Any) -> bool:
        """*override*: whether ``page`` shows the login form (session gone)."""

    # -- contract ---------------------------------------------------------
    @final
    async def page(self) -> Any:
        """The adapter's page, logged in. Created on first use."""
        if self._page is None or self._page.is_closed():
            self._page = await self.context.new_page()
            self._page.set_default_timeout(self.config.timeout_ms)
            self._logged_in = False
        if _FRONT.get(self.context) is not self._page:
            await self._guard(self._page.bring_to_front())
            _FRONT[self.context] = self._page
        if not self._logged_in:
            await self._guard(self._do_login(self._page))
        return self._page

    async def _do_login(self, page: Any) -> None:
        shared = self.shared_logins
        if shared is None:
            async with logins.capped(self.config):
                await self.login(page)
            self._logged_in = True
            self.reached = True
            return
        # one login per system and run: a session another context of the run opened is taken first
        async with shared.lock(self.config.name):
            await shared.offer(self.context, self.config.name)
            before = await self.context.cookies()
            async with logins.capped(self.config):
                await self.login(page)
            shared.keep(self.context, self.config.name, before, await self.context.cookies())
        self._logged_in = True
        self.reached = True

    @property
    @final
    def current_page(self) -> Any:
        """The page the adapter works in, or None before its first use (for failure screenshots)."""
        return self._page

    @final
    async def reset_page(self) -> None:
        """Drop the current page (after a transient error): the next call starts afresh."""
        if self._page is not None:
            with contextlib.suppress(Exception):
                await self._page.close()
        self._page = None
        self._logged_in = False

    @final
    async def submit_login_form(self, page: Any, *, username: str, password: str, submit: str,
                                captcha: str | None = None, wait_until: str = "domcontentloaded") -> Any:
        """Type the configured credentials into the login form and submit it; returns the response.

        A captcha on the form, or no configured account, needs a human.
        """
        asked = bool(captcha) and await page.locator(captcha).count() > 0
        if asked and self.ask_captcha is None:
            raise errors.HumanRequired(self.name, "登录页要求输入验证码")
        creds = self.config.credentials
        if creds is None:
            raise errors.HumanRequired(self.name, "未配置登录账号")
        logins.submitting(self.config)  # LoginBlocked if these credentials were refused before
        await page.locator(username).fill(creds.username)
        await page.locator(password).fill(creds.password)
        if asked and self.ask_captcha is not None:
            await page.locator(captcha).fill(await self.ask_captcha(page))
        async with page.expect_navigation(wait_until=wait_until) as nav:
            await page.locator(submit).click()
        return await nav.value

    @final
    async def _guard(self, awaitable: Awaitable[T]) -> T:
        """Run one step of the adapter, translating Playwright's errors into casebot's (see the module)."""
        from playwright.async_api import Error as PWError
        from playwright.async_api import TimeoutError as PWTimeout

        try:
            return await awaitable
        except errors.SessionExpired:
            self._logged_in = False  # the next page() logs in again
            raise
        except errors.OptionMissing as exc:
            raise exc.in_system(self.title) from None
        except errors.CasebotError:
            raise
        except PWTimeout as exc:
            raise errors.PageTimeout(f"{self.name}: {_first_line(exc)}") from exc
        except PWError as exc:
            mapped = playwright_error(self.name, exc, title=self.title, configured=self.config.name)
            if mapped is None:
                raise  # not recognised: a bug, reported as it is and not retried
            raise mapped from exc

    @final
    def raise_for_status(self, response: Any) -> None:
        """ServerError when a navigation's response is a 5xx (no response: nothing to say)."""
        status = getattr(response, "status", None) if response is not None else None
        if status is not None and status >= 500:
            raise errors.ServerError(f"{self.name}: 系统返回 {status}")

    @final
    async def check_response(self, page: Any, response: Any = None) -> None:
        """After a navigation: raise ServerError on a 5xx, SessionExpired on the login page."""
        self.raise_for_status(response)
        if await self.is_login_page(page):
            self._logged_in = False
            raise errors.SessionExpired(f"{self.name}: 会话已过期")


class Source(Adapter):
    """A system casebot reads records from."""

    #: the name of the key field in the records this source yields
    key_field: ClassVar[str]
    #: the kind of record ``read`` returns, as mappings name it (``police_case``, ``procuratorate_record``)
    record_kind: ClassVar[str | None] = None
    #: whether the records it lists carry their region (``RecordRef.region``), for routes chosen by region
    lists_regions: ClassVar[bool] = False

    @final
    async def list_records(self, **filters: Any) -> AsyncIterator[RecordRef]:
        """Every record matching ``filters``, following the list's pages (each step guarded)."""
        records = self._list_records(**filters).__aiter__()
        while True:
            try:
                ref = await self._guard(records.__anext__())
            except StopAsyncIteration:
                return
            yield ref

    @final
    async def read(self, key: str) -> dict[str, Any]:
        """One record, as a dict in the system's own field names."""
        return await self._guard(self._read(key))

    @abstractmethod
    def _list_records(self, **filters: Any) -> AsyncIterator[RecordRef]:
        """*override*: every record matching ``filters``, following the list's pages."""

    @abstractmethod
    async def _read(self, key: str) -> dict[str, Any]:
        """*override*: one record, as a dict in the system's own field names."""


class Target(Adapter):
    """A system casebot writes cards into."""

    #: the fields of the card this target takes
    fields: ClassVar[tuple[FieldSpec, ...]]
    #: the card field the target's search page can find a record by
    key_field: ClassVar[str]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        fields = cls.__dict__.get("fields")
        if fields:
            declare(Roles.of_fields(fields))

    @classmethod
    def field_roles(cls) -> Roles:
        """What each field of this target's card is (:mod:`casebot.domain.roles`): the roles its fields
        declare, over the ones the domain's models declare."""
        return known() | Roles.of_fields(getattr(cls, "fields", ()))

    @final
    async def find_existing(self, card: dict[str, Any]) -> str | None:
        """The record id of an existing record with the card's key, else None."""
        return await self._guard(self._find_existing(card))

    @final
    async def write(self, card: dict[str, Any]) -> str:
        """Enter and save the card; the system's record id."""
        record_id = await self._guard(self._write(card))
        self._listed_write(card, record_id)
        return record_id

    @final
    async def read_back(self, record_id: str) -> dict[str, Any]:
        """The saved record, in the same shape as the card."""
        return await self._guard(self._read_back(record_id))

    @final
    async def find_match(self, card: dict[str, Any]) -> Match:
        """Whether the card's case is already in the system, typed by hand or not (SPEC rule 9):
        a certain match (adopt it), a probable one (a clerk decides) or none."""
        return await self._guard(self._find_match(card))

    @final
    async def update(self, record_id: str, card: dict[str, Any], changes: CardDiff) -> str:
        """Apply ``changes`` (towards ``card``) to the record through the system's edit pages; its id."""
        return await self._guard(self._update(record_id, card, changes))

    @final
    async def open_form(self) -> list[str]:
        """Open every form ``write`` fills, without saving (for ``doctor``): labels of fields not found."""
        return await self._guard(self._open_form())

    #: for ``doctor``: the card of a record the route wrote last, which a target whose forms open on a
    #: record (:attr:`entries`: a decision on a suspect, a judgment on a person card) opens them on
    form_card: dict[str, Any] | None = None

    @final
    async def check_form(self, card: dict[str, Any] | None = None) -> FormCheck:
        """:meth:`open_form`, noting where each missing control was described (file, form, selector), a
        screenshot of the page where the first was missed, and the options each picker or select offers.
        ``card``: a card written (:attr:`form_card`), for forms that open on a record."""
        self.form_card = card
        with checking() as check:
            check.labels = await self.open_form()
        return check

    @classmethod
    @final
    def field_specs(cls) -> dict[str, FieldSpec]:
        return {f.name: f for f in cls.fields}

    @abstractmethod
    async def _find_existing(self, card: dict[str, Any]) -> str | None:
        """*override*: the record id of an existing record with the card's key, else None."""

    @abstractmethod
    async def _write(self, card: dict[str, Any]) -> str:
        """*override*: enter and save the card; return the system's record id.

        Raise RejectedError with the system's message when it refuses,
        AlreadyExists when it says the record exists, OutcomeUnknown when the
        save was sent but its answer is lost.
        """

    @abstractmethod
    async def _read_back(self, record_id: str) -> dict[str, Any]:
        """*override*: the saved record, in the same shape as the card."""

    def drift(self) -> dict[str, tuple[str, str]]:
        """*override*: fields found by label where their selector no longer matched (label -> old, found)."""
        return {}

    async def _open_form(self) -> list[str]:
        """*override*: open every form ``_write`` fills without saving; labels of fields not found."""
        return []

    async def _find_match(self, card: dict[str, Any]) -> Match:
        """The matching policy (SPEC rule 9), the same for every target: adapters offer searches, the
        base decides (:func:`casebot.domain.matching.classify`).

        By the card's key; unless that found the case, by the first person's ID number, or (none on
        the card) by the case's unit + main charge + a date window. A target that offers no searches
        (:meth:`_match_identity` gives None) is matched by its key only.
        """
        if self.entries:
            return await self._match_entry(card)
        ident = self._match_identity(card)
        if ident is None:
            record_id = await self._find_existing(card)
            return Match("certain", record_id) if record_id else Match("none")
        window = self.match_window_days
        listed = await self._listed_match(card, ident)
        if listed is not None:
            return listed
        terms = self._key_terms(ident.key)
        found = list(await self._search_by_key(terms[0])) if terms else []
        match = classify(ident, found, window_days=window)
        if match.kind == "certain":
            return match
        first_id = self._first_id(card)
        if first_id:
            # one search: a record typed by hand has its first person (each search costs a page)
            found += await self._search_by_id(first_id)
        elif ident.unit and ident.charge and ident.date:
            day = date.fromisoformat(ident.date)
            found += await self._search_by_case(ident, (day - timedelta(days=window)).isoformat(),
                                                (day + timedelta(days=window)).isoformat())
        if not found:
            # typed by hand in full width (a search page matches the text as typed): the same searches so spelled
            for term in terms[1:]:
                found += await self._search_by_key(term)
            wide = full_width(first_id)
            if not found and wide != first_id:
                found += [replace(c, identity=replace(c.identity, ids=frozenset({first_id})))
                          for c in await self._search_by_id(wide)]
        return classify(ident, found, window_days=window)

    #: how many days apart a record typed by hand may be dated and still be the same case
    match_window_days: ClassVar[int] = DEFAULT_WINDOW_DAYS
    #: the target's records are entries on a page of their own (a decision registered on a suspect, a
    #: judgment on a person card): an entry already made with the same document is this card's; one made
    #: with another document is a person's, for a clerk to settle (never written over)
    entries: ClassVar[bool] = False

    async def _match_entry(self, card: dict[str, Any]) -> Match:
        held = await self._entry_held(card)
        if held is None:
            return Match("none")
        record_id, document = held
        if same_key(document, self._entry_key(card)):
            return Match("certain", record_id)
        return Match("probable", None, (Candidate(record_id, Identity(key=document), "key"),))

    def _entry_key(self, card: dict[str, Any]) -> str:
        """*override* (with :attr:`entries`): the document the card's entry is made with."""
        raise NotImplementedError

    async def _entry_held(self, card: dict[str, Any]) -> tuple[str, str] | None:
        """*override* (with :attr:`entries`): the entry already made where the card goes, as (record id,
        its document), or None."""
        raise NotImplementedError

    def _match_identity(self, card: dict[str, Any]) -> Identity | None:
        """*override* to offer searches: what identifies the card's case (key, ID numbers, names, charge,
        unit, date); None (the default): the target is matched by its key only (:meth:`_find_existing`)."""
        return None

    def _first_id(self, card: dict[str, Any]) -> str:
        """*override*: the first person's ID number on the card, to search by ("" when none)."""
        return ""

    def _key_terms(self, key: str) -> list[str]:
        """What to type into the search box for the case key, in turn (:func:`casebot.domain.keys.search_terms`: the
        key's most selective part, then the same in full width); *override* when the key is made of parts."""
        return search_terms(key)

    # -- looking once per run: the target's list, read once and matched in memory -------------------
    @property
    def _listing_key(self) -> str:
        return f"{self.config.name}:{type(self).__name__}"

    async def _listed_match(self, card: dict[str, Any], ident: Identity) -> Match | None:
        """The match the run's listing of the target settles, or None when it cannot (per-card searches).

        The listing is read on the first look of the run; before each look it is brought up to date
        (:meth:`_fresh_listing`: a record typed by hand since it was read, or saved by another
        workstation, is in it). It settles a card when it holds every record of the kind and, for a
        card the list finds nothing for, when no record of the same charge and unit may hold one of
        the card's ID numbers under another name (a list row shows names, not ID numbers): those
        are searched for as before.
        """
        shared = self.shared_listings
        if shared is None:
            return None
        key = self._listing_key
        async with shared.lock(key):
            if key not in shared.listings:
                shared.listings[key] = await self._listing()
            listing = shared.listings[key]
            if listing is None or not listing.complete:
                return None
            listing = await self._fresh_listing(listing)
            shared.listings[key] = listing
        if not listing.complete:
            return None
        match = classify(ident, listing.records.values(), window_days=self.match_window_days)
        if match.kind != "none":
            return match
        unsure = [c for c in listing.records.values() if not c.identity.ids and c.identity.charge == ident.charge
                  and c.identity.unit == ident.unit and ident.charge and ident.unit]
        if unsure and self._first_id(card):
            return None  # the ID number may be on one of them: searched for page by page
        return match

    def _listed_write(self, card: dict[str, Any], record_id: str) -> None:
        """A record this run saved joins the run's listing (with its card's identity, ID numbers included)."""
        listing = self.shared_listings.listings.get(self._listing_key) if self.shared_listings else None
        ident = self._match_identity(card) if listing is not None else None
        if listing is not None and ident is not None and record_id:
            listing.records[record_id] = Candidate(record_id, ident, "key")

    async def _listing(self) -> Listing | None:
        """*override*: every record of the kind the target's list shows, as candidates (read once per run),
        or None when the target cannot list them cheaply (the default: each card is searched for)."""
        return None

    async def _fresh_listing(self, listing: Listing) -> Listing:
        """*override* (with :meth:`_listing`): ``listing`` brought up to date. Return it as it is only when a
        look at the target shows nothing added or removed since it was read; else read it again
        (:func:`merged_listing` keeps the ID numbers of the run's own records). The default reads it again."""
        return merged_listing(listing, await self._listing())

    async def _search_by_key(self, term: str) -> list[Candidate]:
        """*override* (with :meth:`_match_identity`): the records the search page finds by ``term``, one of
        :meth:`_key_terms` of the case key."""
        return []

    async def _search_by_id(self, number: str) -> list[Candidate]:
        """*override*: the records the search page finds by a person's ID number."""
        return []

    async def _search_by_case(self, ident: Identity, date_from: str, date_to: str) -> list[Candidate]:
        """*override*: the records of ``ident``'s unit and main charge dated within the window."""
        return []

    async def _update(self, record_id: str, card: dict[str, Any], changes: CardDiff) -> str:
        """*override*: apply ``changes`` through the system's edit pages (only what changed)."""
        raise errors.RejectedError(f"{self.title}的适配器不支持修改已写入的记录", case=str(card.get(self.key_field)))


def merged_listing(old: Listing, new: Listing | None) -> Listing:
    """A listing read again (``new``), keeping what ``old`` knew of the same records (the ID numbers
    of the run's own writes); a target that can no longer list gives an incomplete listing."""
    if new is None:
        return Listing({}, complete=False)
    for record_id, cand in new.records.items():
        known = old.records.get(record_id)
        if known is not None and known.identity.ids - cand.identity.ids:
            new.records[record_id] = replace(cand, identity=replace(
                cand.identity, ids=cand.identity.ids | known.identity.ids))
    return new


#: Playwright messages meaning the page is not the one the adapter was written for
_STRICT = re.compile(r"strict mode violation: (.*?) resolved to (\d+) elements")
_GONE = ("Element is not attached to the DOM", "element was detached", "Node is detached from document",
         "Element is detached", "did not match any elements", "No node found")
#: ... meaning the system's server cannot be reached at all (nothing was sent), in a person's words
_UNREACHABLE = {"ERR_CONNECTION_REFUSED": "服务器拒绝连接（服务未运行？）",
                "ERR_CONNECTION_TIMED_OUT": "连接超时（服务器或网络无应答）",
                "ERR_ADDRESS_UNREACHABLE": "网络不通（地址不可达）",
                "ERR_NETWORK_UNREACHABLE": "网络不通",
                "ERR_INTERNET_DISCONNECTED": "工作站未连网",
                "ERR_NAME_NOT_RESOLVED": "域名无法解析（网址写错或 DNS 故障）",
                "ERR_NAME_RESOLUTION_FAILED": "域名无法解析（DNS 故障）"}
_NET_ERROR = re.compile(r"net::(ERR_[A-Z_]+)")
#: ... and meaning the connection, or the browser, went away
_LOST = ("net::ERR", "Target page, context or browser has been closed", "Target closed")


def playwright_error(system: str, exc: BaseException, *, title: str | None = None,
                     configured: str | None = None) -> errors.CasebotError | None:
    """The casebot error a Playwright error (other than a timeout) means, or None when not recognised.

    ``system``: the adapter's name; ``title``: the system's own name; ``configured``: its name in the
    configuration (a system unreachable is told by it)."""
    msg = str(exc)
    strict = _STRICT.search(msg)
    if strict:
        return errors.PageChanged(system, f"唯一的 {strict.group(1)}（实际匹配 {strict.group(2)} 个元素）")
    if any(s in msg for s in _GONE):
        return errors.PageChanged(system, f"页面元素（{_first_line(exc)}）")
    net = _NET_ERROR.search(msg)
    if net and net.group(1) in _UNREACHABLE:
        code = net.group(1)
        return errors.SystemUnreachable(configured or system, title or system, code, _UNREACHABLE[code])
    if any(s in msg for s in _LOST):
        return errors.ServerError(f"{system}: {_first_line(exc)}")
    return None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__

