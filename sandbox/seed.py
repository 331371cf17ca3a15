"""Realistic police cases for the sandbox, generated deterministically.

:func:`generate_cases` returns native case records of the police system
(SPEC section 1), as ``POST /_sandbox/cases`` takes them. The same ``seed``
always gives the same cases. Every case is *valid* for the clerk's rules
(right ID check digits, 性别 and 出生日期 agreeing with the ID when given,
known codes, measures dated on or before 移送起诉日期), yet carries the dirt a
real police database holds: names with ``·`` or full-width spaces, IDs with a
lower-case ``x``, full-width digits or spaces, old 15-digit IDs, 性别 missing /
``0`` / ``9``, empty 出生日期, and 简要案情 with newlines, quotes, ``<``, ``&``,
template-like text and more than 1000 characters.

Options (keyword arguments of :func:`generate_cases`):

``status``  force every case's 案件状态 (``侦查中``, ``已移送起诉``, ``撤案``)
``month``   ``yyyymm`` of every case's 案件编号 and 立案日期 (default: spread over 2026-01..2026-07)
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from sandbox.codes import table

__all__ = ["STATUSES", "generate_cases", "id_check_digit", "make_id"]

STATUSES = ("侦查中", "已移送起诉", "撤案")

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_FULLWIDTH_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")

SURNAMES = "林陈黄王张李吴蔡郑许洪庄苏施杨刘曾谢柯颜叶周徐高何傅卢邱骆龚戴潘肖"
#: given-name characters by sex code
GIVEN = {
    "1": ("伟", "强", "明", "华", "建", "国", "志", "文", "杰", "斌", "鑫", "磊", "俊", "峰", "辉", "勇",
          "海", "平", "东", "荣", "福", "锦", "清", "金", "水", "德", "生", "晨", "宇", "浩", "博", "鸿",
          "龙", "坤", "添", "阳"),
    "2": ("艺", "婷", "娟", "丽", "芳", "燕", "玲", "雪", "梅", "秀", "琴", "静", "晓", "慧", "颖", "萍",
          "红", "霞", "婉", "佳", "欣", "雅", "琳", "月"),
}
UYGHUR_NAMES = {"1": ("买买提·艾力", "阿不都·热合曼", "艾合买提·吐尔逊", "努尔·买买提"),
                "2": ("古丽·阿不都", "阿依古丽·买买提", "帕提古丽·吐尔逊")}
FOREIGN = {
    "VNM": (("阮·文雄", "1"), ("陈·氏花", "2"), ("黎·文俊", "1"), ("范·明德", "1"), ("武·氏兰", "2")),
    "MMR": (("吴·昂山", "1"), ("杜·玛玛", "2"), ("貌·丁温", "1")),
    "LAO": (("宋·蓬萨万", "1"), ("坎·塔", "2")),
    "PHL": (("玛丽亚·桑托斯", "2"), ("何塞·雷耶斯", "1")),
}
PASSPORT_PREFIX = {"VNM": "C", "MMR": "MA", "LAO": "P", "PHL": "P"}
FOREIGN_HOME = {"VNM": "越南河内市", "MMR": "缅甸仰光市", "LAO": "老挝万象市", "PHL": "菲律宾马尼拉市"}
#: regions people come from: Quanzhou's, and the provinces migrant workers often come from
HOME_REGIONS = {
    "350502": "福建省泉州市鲤城区", "350503": "福建省泉州市丰泽区", "350504": "福建省泉州市洛江区",
    "350505": "福建省泉州市泉港区", "350521": "福建省惠安县", "350524": "福建省安溪县",
    "350525": "福建省永春县", "350526": "福建省德化县", "350581": "福建省石狮市",
    "350582": "福建省晋江市", "350583": "福建省南安市", "350121": "福建省闽侯县",
    "360721": "江西省赣县", "430524": "湖南省隆回县", "510322": "四川省富顺县",
    "522121": "贵州省遵义县", "452123": "广西壮族自治区宾阳县", "411525": "河南省固始县",
}
STREETS = ("中山路", "温陵路", "丰泽街", "泉秀路", "刺桐路", "津头埔", "宝洲路", "田安路", "东街", "新华路",
           "世纪大道", "九一路", "湖心街", "崇德路", "霞洲路", "新门街", "泉安路", "安吉路")
VILLAGES = ("东园村", "西埔村", "后坑村", "前洋村", "洋边村", "塘头村", "溪美村", "下洋村")
OCCUPATIONS = ("无业", "务工", "农民", "个体经营", "公司职员", "司机", "厨师", "销售员", "装修工",
               "学生", "保安", "快递员", "网约车司机", "无固定职业")
EDUCATION = ("20", "30", "40", "50", "60", "60", "70", "70", "70", "80", "80", "90", "10")
#: the detention house of each police unit's region
HOUSE_OF_UNIT = {
    "350502000000": "泉州市看守所", "350503000000": "泉州市看守所", "350521000000": "惠安县看守所",
    "350526000000": "德化县看守所", "350581000000": "石狮市看守所", "350582000000": "晋江市看守所",
    "350583000000": "南安市看守所",
}
#: main charge -> charges often added to it
RELATED = {
    "032640": ("033120", "032750"), "032660": ("032872", "032531"), "032630": ("032340", "032640"),
    "032930": ("032920", "032340"), "033470": ("033540",), "032770": ("032775",),
    "033032": ("032380",), "031960": ("032660",), "032240": ("032660",), "032710": ("032640",),
    "032340": ("032930",), "032740": ("032380",),
}
#: how often each charge is the main one (others weight 1)
MAIN_WEIGHT = {"032640": 12, "032660": 8, "031331": 8, "033470": 4, "032340": 4, "032930": 3, "033032": 3,
               "032872": 4}

POLICE_NAMES = ("陈志强", "林建华", "黄文斌", "王明辉", "张国栋", "李晓峰", "吴俊杰", "蔡清水", "郑海平",
                "许德生", "洪锦荣", "庄伟东")

FACTS = {
    "032640": "{date}，犯罪嫌疑人{name}在{place}，趁被害人不备，窃得{item}一部（经鉴定价值人民币{money}元）。",
    "032660": "{date}，犯罪嫌疑人{name}通过微信冒充“客服”，以退款为由骗取被害人人民币{money}元。",
    "031331": ("{date}，犯罪嫌疑人{name}醉酒后驾驶小型轿车行驶至{place}，被执勤民警查获，"
               "经检测血液酒精含量为{bac}mg/100ml。"),
    "033470": "{date}，犯罪嫌疑人{name}在{place}向他人贩卖甲基苯丙胺（冰毒）{gram}克，被民警当场抓获。",
    "032340": "{date}，犯罪嫌疑人{name}在{place}因琐事与被害人发生争执，持械将被害人打伤，经鉴定为轻伤二级。",
    "032930": "{date}，犯罪嫌疑人{name}在{place}酒后无故殴打他人，情节恶劣。",
    "033032": "{date}，犯罪嫌疑人{name}在{place}开设赌场，组织他人以“百家乐”方式赌博，抽头渔利人民币{money}元。",
    "032872": ("{date}，犯罪嫌疑人{name}明知他人利用信息网络实施犯罪，仍提供银行卡{cards}张用于支付结算，"
               "流水金额人民币{money}元。"),
}
DEFAULT_FACT = "{date}，犯罪嫌疑人{name}在{place}实施违法犯罪行为，被民警抓获。"
ITEMS = ("苹果手机", "电动自行车", "笔记本电脑", "金项链", "华为手机", "钱包")
AWKWARD = (
    "被害人称：\"他说'马上还钱'，结果人跑了\"。",
    "涉案金额<5000元 & 已全部退赔。",
    "嫌疑人在聊天记录中写道：{{ 7*7 }} 以及 {% raw %} 等字样。",
    "现场提取的纸条上写有“<script>alert('x')</script>”字样。",
    "经查，A&B公司账户 <转入> 款项共计3笔；\n\t备注栏为“货款&服务费”。",
    "行1\n\n行3（空行在上）\n  行首有两个空格",
)


def id_check_digit(first17: str) -> str:
    """The GB 11643 check character of the first 17 digits."""
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def make_id(region: str, birth: date, seq: int) -> str:
    """A valid 18-digit ID: region + birth date + 3-digit sequence (odd male) + check digit."""
    body = f"{region}{birth:%Y%m%d}{seq:03d}"
    return body + id_check_digit(body)


def _age_on(birth: date, day: date) -> int:
    years = day.year - birth.year
    if (day.month, day.day) < (birth.month, birth.day):
        years -= 1
    return years


class _Gen:
    def __init__(self, seed: int, status: str | None, month: str | None) -> None:
        self.r = random.Random(seed)
        self.status = status
        self.month = month
        self.units = table("units")
        self.charges = {row["police_code"]: row["name"] for row in table("charges")}
        self.serials: dict[str, int] = {}
        self.measure_codes = [row["police_code"] for row in table("measures")]
        self.case_index = 0

    # -- helpers -----------------------------------------------------------
    def day(self, lo: date, hi: date) -> date:
        return lo + timedelta(days=self.r.randint(0, max(0, (hi - lo).days)))

    def name(self, sex: str) -> str:
        r = self.r
        surname = r.choice(SURNAMES)
        given = "".join(r.choice(GIVEN[sex]) for _ in range(r.choice((1, 2, 2, 2))))
        return surname + given

    def address(self, region: str) -> str:
        r = self.r
        prefix = HOME_REGIONS.get(region, "福建省泉州市")
        if r.random() < 0.5:
            return f"{prefix}{r.choice(STREETS)}{r.randint(1, 399)}号"
        return f"{prefix}{r.choice(VILLAGES)}{r.randint(1, 120)}号"

    # -- one suspect -------------------------------------------------------
    def suspect(self, case: dict[str, Any], idx: int, fasj: date, unit: str, *, minor: bool,
                foreign: bool, measure_plan: list[tuple[str, date]]) -> dict[str, Any]:
        r = self.r
        rybh = f"R{unit}{case['ajbh'][13:19]}{case['ajbh'][19:]}{idx:02d}"
        local_region = unit[:6]
        xzz = self.address(local_region)
        if foreign:
            gj = r.choice(tuple(FOREIGN))
            xm, sex = r.choice(FOREIGN[gj])
            birth = self.day(date(1975, 1, 1), date(2000, 12, 31))
            prefix = PASSPORT_PREFIX[gj]
            passport = prefix + "".join(r.choice("0123456789") for _ in range(8 - len(prefix)))
            if r.random() < 0.3:  # typed in lower case or with stray spaces
                passport = r.choice((passport.lower(), f" {passport} "))
            person = {
                "rybh": rybh, "xm": xm, "bm": "", "xb": sex, "csrq": birth.isoformat(),
                "zjzl": "414", "zjhm": passport, "gj": gj, "mz": "",
                "whcd": r.choice(("60", "70", "80", "90")), "zy": r.choice(("务工", "无业", "无固定职业")),
                "hjdqh": "", "hjdxz": f"{FOREIGN_HOME[gj]}{r.randint(1, 300)}号", "xzz": xzz,
            }
        else:
            sex = r.choice("1112")
            if minor:
                # 14..17 years old on fasj
                birth = self.day(fasj - timedelta(days=int(17.9 * 365.25)), fasj - timedelta(days=int(14.1 * 365.25)))
            else:
                birth = self.day(date(1962, 1, 1), fasj - timedelta(days=int(19 * 365.25)))
            region = r.choice(tuple(HOME_REGIONS)) if r.random() < 0.45 else local_region
            dirt = r.random()
            old15 = birth.year < 1990 and dirt < 0.08
            seq = r.randint(0, 499) * 2 + (1 if sex == "1" else 0)
            if not old15 and 0.08 <= dirt < 0.16:
                # an ID whose check character is X, typed with a lower-case x
                for _ in range(200):
                    if make_id(region, birth, seq)[-1] == "X":
                        break
                    seq = (seq + 2) % 1000
            zjhm = make_id(region, birth, seq)
            if old15:
                zjhm = zjhm[:6] + zjhm[8:17]
            elif zjhm.endswith("X") and dirt < 0.16:
                zjhm = zjhm[:-1] + "x"
            elif dirt < 0.22:
                zjhm = zjhm.translate(_FULLWIDTH_DIGITS)
            elif dirt < 0.28:
                zjhm = f"{zjhm[:6]} {zjhm[6:14]} {zjhm[14:]}"
            elif dirt < 0.31:
                zjhm = f" {zjhm}\u3000"
            ethnic = "01"
            xm = self.name(sex)
            roll = r.random()
            if roll < 0.05:
                xm, ethnic = r.choice(UYGHUR_NAMES[sex]), "05"
            elif roll < 0.12:
                ethnic = r.choice(("22", "03", "08", "06", "15"))
            name_dirt = r.random()
            if name_dirt < 0.08 and len(xm) >= 2 and "·" not in xm:
                xm = xm[0] + "\u3000" + xm[1:]
            elif name_dirt < 0.13:
                xm = r.choice((f" {xm}", f"{xm} ", f"{xm}\u3000"))
            xb_roll = r.random()
            xb = sex if xb_roll >= 0.2 else r.choice(("", "0", "9"))
            csrq = birth.isoformat() if r.random() >= 0.15 else ""
            person = {
                "rybh": rybh, "xm": xm, "bm": self.name(sex) if r.random() < 0.12 else "", "xb": xb,
                "csrq": csrq, "zjzl": "111", "zjhm": zjhm, "gj": "CHN", "mz": ethnic,
                "whcd": "70" if minor else r.choice(EDUCATION),
                "zy": "学生" if minor and r.random() < 0.6 else r.choice(OCCUPATIONS),
                "hjdqh": region, "hjdxz": self.address(region), "xzz": xzz,
            }
        measures = [{"cslx": code, "zxrq": d.isoformat()} for code, d in measure_plan]
        person["qzcs"] = measures
        latest = measure_plan[-1][0] if measure_plan else ""
        person["jycs"] = HOUSE_OF_UNIT.get(unit, "泉州市看守所") if latest in ("05", "06") else ""
        return person

    def measures(self, start: date, end: date) -> list[tuple[str, date]]:
        """A realistic sequence of measures dated in [start, end], strictly increasing dates."""
        r = self.r
        # cycle through every code so that every measure occurs in a seeded set
        lead = self.measure_codes[self.case_index % len(self.measure_codes)]
        patterns = {
            "01": [("01", "02"), ("01", "05", "02")],
            "02": [("02",), ("05", "02")],
            "03": [("03",), ("05", "03")],
            "04": [("04",), ("05", "04")],
            "05": [("05",), ("05", "06")],
            "06": [("05", "06"), ("06",)],
        }
        seq = list(r.choice(patterns[lead]))
        if r.random() < 0.08:
            return []
        span = (end - start).days
        if span < len(seq):
            seq = seq[-max(1, span):] if span > 0 else seq[-1:]
        if span <= 0:
            return [(seq[-1], start)]
        days = sorted(r.sample(range(span + 1), len(seq)))
        return [(code, start + timedelta(days=d)) for code, d in zip(seq, days, strict=True)]

    # -- one case ----------------------------------------------------------
    def case(self) -> dict[str, Any]:
        r = self.r
        unit_row = r.choice(self.units)
        unit = unit_row["police_unit_code"]
        yyyymm = self.month or f"2026{r.randint(1, 7):02d}"
        year, mon = int(yyyymm[:4]), int(yyyymm[4:])
        month_start = date(year, mon, 1)
        month_end = (date(year + mon // 12, mon % 12 + 1, 1) - timedelta(days=1))
        key = unit + yyyymm
        self.serials[key] = self.serials.get(key, 0) + 1
        ajbh = f"A{unit}{yyyymm}{self.serials[key]:04d}"

        lasj = self.day(month_start, month_end)
        fasj = lasj - timedelta(days=r.choice((0, 0, 1, 2, 3, 5, 10, 20, 45)))
        status = self.status or r.choices(STATUSES, weights=(2, 12, 1))[0]
        yssj = lasj + timedelta(days=r.randint(25, 100)) if status == "已移送起诉" else None

        main = r.choices(list(self.charges), weights=[MAIN_WEIGHT.get(c, 1) for c in self.charges])[0]
        ay = [main]
        if main in RELATED and r.random() < 0.3:
            extra = list(RELATED[main])
            r.shuffle(extra)
            ay += extra[: r.randint(1, len(extra))]

        roll = r.random()
        count = 1 if roll < 0.65 else 2 if roll < 0.85 else 3 if roll < 0.95 else 4
        case: dict[str, Any] = {"ajbh": ajbh}
        end = yssj or (lasj + timedelta(days=r.randint(5, 40)))
        suspects = []
        for i in range(1, count + 1):
            minor = r.random() < 0.1
            foreign = r.random() < 0.07
            plan = self.measures(lasj, end)
            suspects.append(self.suspect(case, i, fasj, unit, minor=minor, foreign=foreign, measure_plan=plan))
        self.case_index += 1

        first = suspects[0]["xm"].strip().replace("\u3000", "")
        surname = first.split("·")[0][:1] if "·" in first else first[:1]
        crime = self.charges[main].removesuffix("罪")
        ajmc = f"{surname}某某{crime}案" if count == 1 else f"{surname}某某等{count}人{crime}案"

        place = f"泉州市{unit_row['region_name']}{r.choice(STREETS)}{r.randint(1, 300)}号"
        fact = FACTS.get(main, DEFAULT_FACT).format(
            date=f"{fasj.year}年{fasj.month}月{fasj.day}日", name=first, place=place, item=r.choice(ITEMS),
            money=r.randint(800, 90000), bac=r.randint(81, 260), gram=round(r.uniform(0.5, 60), 2),
            cards=r.randint(2, 9))
        parts = [fact]
        if count > 1:
            parts.append(f"经查，{first}伙同他人共{count}人共同作案。")
        aw = r.random()
        if aw < 0.3:
            parts.append(r.choice(AWKWARD))
        if aw < 0.08 or self.case_index % 17 == 5:
            # a long account (more than 1000 characters)
            para = ("经侦查查明：犯罪嫌疑人多次在辖区内流窜作案，作案手段相近，"
                    "民警通过调取沿线监控视频、走访群众、比对通讯记录，逐步锁定犯罪嫌疑人身份。")
            parts.extend(f"{i}. {para}" for i in range(1, r.randint(16, 22)))
        jyaq = "\n".join(parts)

        case.update({
            "ajmc": ajmc, "ajlb": "刑事案件", "ay": ay, "zbdw": unit, "zbdwmc": unit_row["police_unit_name"],
            "zbr": "、".join(r.sample(POLICE_NAMES, 2)),
            "fasj": fasj.isoformat(), "lasj": lasj.isoformat(),
            "yssj": yssj.isoformat() if yssj else None, "ajzt": status, "jyaq": jyaq, "xyr": suspects,
        })
        return case


def generate_cases(n: int, seed: int = 42, **opts: Any) -> list[dict[str, Any]]:
    """``n`` valid, varied native police cases, the same for the same ``seed`` and options."""
    status = opts.pop("status", None)
    month = opts.pop("month", None)
    if opts:
        raise TypeError(f"unknown options: {', '.join(sorted(opts))}")
    if status is not None and status not in STATUSES:
        raise ValueError(f"status must be one of {', '.join(STATUSES)}")
    if month is not None:
        month = str(month)
        if len(month) != 6 or not month.isdigit() or not 1 <= int(month[4:]) <= 12:
            raise ValueError("month must be yyyymm")
    gen = _Gen(seed, status, month)
    return [gen.case() for _ in range(n)]
