"""What a post/redirect/get save answered: saved, refused (field by field), the login page, or a 5xx.

A plain HTML form posts, and the system answers with a redirect to the saved
record (a success message on it) or with the form again, each refused field
carrying its error beside its label. :class:`SaveOutcome` reads that answer
in one round trip and says it in casebot's terms:

- a 5xx answer to a save that was sent: the save may have been committed
  before the error (:class:`~casebot.errors.OutcomeUnknown`: the core looks
  for the record before writing again);
- the login page: the session ended before the save was taken
  (:class:`~casebot.errors.SessionExpired`);
- the success message: :class:`Saved` (its text and the URL landed on);
- field errors (or the page's error message): :class:`~casebot.errors.AlreadyExists`
  when one says the record exists (``duplicate``), else
  :class:`~casebot.errors.RejectedError` listing ``label：message``;
- anything else is not guessed at: :class:`~casebot.errors.OutcomeUnknown`.

A save posted by the page's script (AJAX) is answered with JSON: :func:`json_answer`
reads it, and an answer cut off mid-body, or not JSON at all, is an unknown outcome
(the save was sent and may have been committed), never a bug.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from casebot import errors

_READ = r"""([success, message, fieldError, field, fieldLabel, login]) => {
  const text = el => (el ? el.innerText : '').replace(/\s+/g, ' ').trim();
  const one = sel => sel ? document.querySelector(sel) : null;
  const fields = fieldError ? Array.from(document.querySelectorAll(fieldError)).map(e => {
    const box = field ? e.closest(field) : null;
    const label = box ? box.querySelector(fieldLabel) : null;
    return [text(label).replace(/^[*＊\s]+|[：:\s]+$/g, ''), text(e)];
  }).filter(p => p[1]) : [];
  return {login: !!one(login), success: text(one(success)), message: text(one(message)), fields: fields};
}"""


@dataclass(frozen=True)
class Saved:
    message: str
    url: str


@dataclass(frozen=True)
class SaveOutcome:
    """Selectors of a system's answers to a save (all CSS, in the page the save lands on)."""

    success: str
    login: str
    field_error: str = ""
    #: the element holding one field's label and its error (``.layui-form-item``, ``.form-group``, ``tr``)
    field: str = ""
    field_label: str = "label, th"
    message: str = ""
    #: text in an error that says the record already exists
    duplicate: str = ""
    system: str = "target"

    async def read(self, page: Any, response: Any = None) -> Saved:
        status = getattr(response, "status", None) if response is not None else None
        if status is not None and status >= 500:
            raise errors.OutcomeUnknown(f"{self.system}: 保存后系统返回 {status}，无法确认是否已保存")
        got = await page.evaluate(_READ, [self.success, self.message, self.field_error, self.field,
                                          self.field_label, self.login])
        if got["login"]:
            raise errors.SessionExpired(f"{self.system}: 会话已过期")
        if got["success"]:
            return Saved(got["success"], page.url)
        problems = [f"{label}：{text}" if label else text for label, text in got["fields"]]
        if got["message"] and not problems:
            problems = [got["message"]]
        if problems:
            if self.duplicate and any(self.duplicate in p for p in problems):
                raise errors.AlreadyExists(next(p for p in problems if self.duplicate in p))
            first = got["fields"][0][0] if got["fields"] else None
            raise errors.RejectedError("；".join(problems), field=first or None)
        raise errors.OutcomeUnknown(f"{self.system}: 保存后的页面既无成功提示也无错误（{_path(page.url)}）")


async def json_answer(response: Any, system: str) -> dict[str, Any]:
    """The JSON object an AJAX save was answered with (Playwright's ``Response``).

    A 5xx, or a body cut off, unreadable or not a JSON object: :class:`~casebot.errors.OutcomeUnknown`
    (the request was sent, the record may exist); a 401: :class:`~casebot.errors.SessionExpired`.
    """
    status = getattr(response, "status", None)
    if status is not None and status >= 500:
        raise errors.OutcomeUnknown(f"{system}: 保存后系统返回 {status}，无法确认是否已保存")
    if status == 401:
        raise errors.SessionExpired(f"{system}: 会话已过期")
    try:
        body = await response.body()
    except Exception as exc:  # the connection dropped before the whole answer came
        raise errors.OutcomeUnknown(f"{system}: 保存请求已发出，应答不完整，无法确认是否已保存") from exc
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise errors.OutcomeUnknown(f"{system}: 保存后的应答无法读取（{len(body)} 字节，不是完整的 JSON），"
                                    "无法确认是否已保存") from exc
    if not isinstance(data, dict):
        raise errors.OutcomeUnknown(f"{system}: 保存后的应答不是预期的格式，无法确认是否已保存")
    return data


def _path(url: str) -> str:
    return re.sub(r"^[a-z]+://[^/]+", "", url).split("?")[0]
