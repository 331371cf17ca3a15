"""The core reads what a field is from its declared role, never from a system's field name.

A new system's card whose fields are named in its own words (``fullname``, ``idno``,
``title_text``, ``people``) is declared with roles, once on a model and once in a form
description's ``fields:``; change detection, read-back, masking and deadlines then treat
those fields as they treat the shipped systems' ``xm``/``zjhm``/``ajmc``.
"""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from casebot.deadlines.compute import person_key, same_person
from casebot.domain import model
from casebot.domain.changes import diff, place_text, plan_update, row_identity
from casebot.domain.privacy import mask_mapping, names_in
from casebot.domain.roles import Role, Roles, identity_of, keys_with, roles_of
from casebot.domain.verify import differences
from casebot.errors import ConfigError
from casebot.kit.pageflow import field_specs


class NewPerson(BaseModel):
    fullname: str = model.personal(Role.NAME, default="")
    othername: str = model.personal(Role.ALIAS, default="")
    idno: str = model.personal(Role.ID_NUMBER, default="")
    home: str = model.personal(Role.ADDRESS, default="")
    job: str = ""


class NewCard(BaseModel):
    caseno: str = ""
    title_text: str = model.with_role(Role.TITLE, default="")
    summary: str = model.personal(Role.FREE_TEXT, default="")
    people: list[NewPerson] = model.with_role(Role.PERSONS, default_factory=list)


ROLES = roles_of(NewCard)
#: the same card declared the way a form description declares a target's fields
FORM = field_specs([
    {"name": "caseno", "label": "案号"},
    {"name": "title_text", "label": "案件名称", "role": "title"},
    {"name": "summary", "label": "案情", "role": "free_text"},
    {"name": "people", "label": "当事人", "type": "list", "role": "persons", "children": [
        {"name": "fullname", "label": "姓名", "role": "name"},
        {"name": "othername", "label": "曾用名", "role": "alias"},
        {"name": "idno", "label": "证件号", "role": "id_number"},
        {"name": "home", "label": "住址", "role": "address"},
        {"name": "job", "label": "职业"},
    ]},
])

ZHANG = {"fullname": "张三丰", "idno": "350502199003072415", "job": "工人"}
LI = {"fullname": "李四", "idno": "350502198805061234", "job": "农民"}
WANG = {"fullname": "王五", "idno": "", "job": "无"}


def _card(*people: dict[str, str], title: str = "张三丰等盗窃案") -> dict[str, object]:
    return {"caseno": "A1", "title_text": title, "people": [dict(p) for p in people]}


@pytest.mark.parametrize("roles", [ROLES, Roles.of_fields(FORM)], ids=["model", "form"])
def test_the_roles_are_read_from_the_declarations(roles: Roles) -> None:
    assert keys_with(ZHANG, Role.NAME, roles) == ["fullname"]
    assert keys_with(ZHANG, Role.ID_NUMBER, roles) == ["idno"]
    assert keys_with(_card(ZHANG), Role.TITLE, roles) == ["title_text"]
    assert keys_with(_card(ZHANG), Role.PERSONS, roles) == ["people"]
    assert identity_of(ZHANG, roles) == (Role.ID_NUMBER, "350502199003072415")
    assert identity_of(WANG, roles) == (Role.NAME, "王五")
    assert roles.personal("home") and roles.personal("summary") and not roles.personal("job")


def test_an_unknown_role_in_a_form_description_is_refused() -> None:
    with pytest.raises(ConfigError, match="nickname"):
        Roles.of_fields(field_specs([{"name": "x", "label": "x", "role": "nickname"}]))


def test_change_detection_keys_rows_by_the_declared_identity() -> None:
    old, new = _card(ZHANG, LI), _card(ZHANG, WANG, {**LI, "job": "司机"})
    changes = diff(old, new, roles=ROLES)
    kinds = {(c.kind, c.who) for c in changes.rows["people"]}
    # a person added in the middle is one row added, the next one edited in its own field only
    assert kinds == {("added", "name:王五"), ("edited", "id:350502198805061234")}
    edited = next(c for c in changes.rows["people"] if c.kind == "edited")
    assert edited.fields == {"job": ("农民", "司机")}
    assert row_identity(ZHANG, ROLES) == "id:350502199003072415"


def test_a_conflict_names_the_row_by_its_person_masked() -> None:
    written = _card(ZHANG)
    found = _card({**ZHANG, "job": "个体"})
    wanted = _card({**ZHANG, "job": "司机"})
    plan = plan_update(written, found, wanted, roles=ROLES)
    assert [c.path for c in plan.conflicts] == ["people[id:350502199003072415].job"]
    text = place_text("people[id:350502199003072415]", written, _card(), roles=ROLES,
                      before="本系统写入", after="系统中为")
    assert "张**" in text and "张三丰" not in text and "350502199003072415" not in text


def test_read_back_treats_the_title_as_a_title_and_masks_the_persons() -> None:
    card = _card(ZHANG, title="张三丰等盗窃案")
    back = _card({**ZHANG, "fullname": "张三峰", "idno": "350502199003072416"}, title="张三丰盗窃案")
    diffs = {field: (want, got) for field, want, got in differences(card, back, roles=ROLES)}
    assert diffs["title_text"] == ("7 字的案件名称", "6 字的案件名称")
    assert diffs["people[1].fullname"] == ("张**", "张**")
    assert diffs["people[1].idno"] == ("350502********2415", "350502********2416")


def test_privacy_masks_the_declared_fields() -> None:
    card = {**_card({**ZHANG, "home": "泉州市鲤城区某路1号", "othername": "张老三"}), "summary": "张三丰于某日盗窃"}
    masked = mask_mapping(card, roles=ROLES)
    person = masked["people"][0]
    assert person["fullname"] == "张**" and person["othername"] == "张**"
    assert person["idno"] == "350502********2415"
    assert person["home"] == "***"
    assert person["job"] == "工人" and masked["caseno"] == "A1"
    assert names_in(card, roles=ROLES) == {"张三丰", "张老三"}


def test_deadlines_match_persons_by_the_declared_identity() -> None:
    spaced = {"fullname": "张 三丰", "idno": "350502199003072415"}
    assert person_key(ZHANG, ROLES) == person_key(spaced, ROLES)
    assert person_key(ZHANG, ROLES) != person_key(LI, ROLES)
    assert same_person(ZHANG, spaced, ROLES)
    assert same_person({"fullname": "王五"}, {"fullname": "王 五"}, ROLES)
    assert not same_person(ZHANG, {**ZHANG, "idno": "350502199003072416"}, ROLES)


def test_the_shipped_records_declare_their_roles() -> None:
    """The roles the core falls back on are the models' own: the police's, the procuratorate's,
    the court's person fields, the card's."""
    roles = roles_of(model.PoliceCase, model.JudgedCase, model.ArrestDecision, model.ProcuratorateRecord,
                     model.CaseCard)
    assert Role.NAME in roles.of("xm") and Role.ALIAS in roles.of("bm")
    assert Role.ID_NUMBER in roles.of("zjhm") and Role.ID_NUMBER in roles.of("sfzh")
    assert Role.TITLE in roles.of("ajmc") and Role.FREE_TEXT in roles.of("ajzy")
    assert Role.PERSONS in roles.of("xyr") and Role.PERSONS in roles.of("bgr")
    assert Role.NAME in roles.of("name") and Role.ID_NUMBER in roles.of("id_number")
