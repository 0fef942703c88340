"""Chinese input words (Traditional and Simplified) → salesctl's own: stages, reasons, intents, kinds, numerals, dates.

Pure data and small functions, imported only when an input is not ASCII. Every word here is listed
in docs/chinese.md ("Input"); keep the two in step.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

from .errors import Invalid
from .i18n import N_

# Only the default vocabulary: a team's custom stages and reasons keep their own (ASCII) names.
STAGES = {
    "新線索": "new",
    "新线索": "new",
    "已聯繫": "contacted",
    "已联系": "contacted",
    "已報價": "quoted",
    "已报价": "quoted",
    "談單中": "negotiating",
    "谈单中": "negotiating",
    "待決策": "deciding",
    "待决策": "deciding",
    "已成交": "won",
    "成交": "won",
    "贏單": "won",
    "赢单": "won",
    "流失": "lost",
    "已流失": "lost",
    "輸單": "lost",
    "输单": "lost",
}
LOST_REASONS = {
    "價格": "price",
    "价格": "price",
    "太貴": "price",
    "太贵": "price",
    "預算": "budget",
    "预算": "budget",
    "沒預算": "budget",
    "没预算": "budget",
    "競爭對手": "competitor",
    "竞争对手": "competitor",
    "競品": "competitor",
    "竞品": "competitor",
    "未決策": "no-decision",
    "未决策": "no-decision",
    "無決定": "no-decision",
    "无决定": "no-decision",
    "時機": "timing",
    "时机": "timing",
    "無需求": "no-need",
    "无需求": "no-need",
    "不需要": "no-need",
    "無回應": "unresponsive",
    "无回应": "unresponsive",
    "失聯": "unresponsive",
    "失联": "unresponsive",
    "其他": "other",
    "其它": "other",
}
INTENTS = {
    "高": "hot",
    "高意向": "hot",
    "中": "warm",
    "中意向": "warm",
    "低": "cold",
    "低意向": "cold",
}
ACTIVITY_KINDS = {
    "電話": "call",
    "电话": "call",
    "郵件": "email",
    "邮件": "email",
    "電郵": "email",
    "电邮": "email",
    "微信": "message",
    "訊息": "message",
    "讯息": "message",
    "消息": "message",
    "短信": "message",
    "簡訊": "message",
    "會議": "meeting",
    "会议": "meeting",
    "拜訪": "visit",
    "拜访": "visit",
    "方案": "proposal",
    "提案": "proposal",
    "報價": "quote",
    "报价": "quote",
    "備註": "note",
    "备注": "note",
}


def english(table: dict[str, str], word: str) -> str:
    """The English name of a Chinese word in `table`, or the word itself (so the caller's error names it)."""
    return table.get(word.strip(), word)


# ---- numerals -----------------------------------------------------------------------------------

_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "兩": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_SMALL = {"十": 10, "百": 100, "千": 1000}
_BIG = {"萬": 10**4, "万": 10**4, "億": 10**8, "亿": 10**8}
NUMERAL = "[0-9" + "".join(_DIGITS) + "".join(_SMALL) + "]"
# A run of numeral characters starting with a Chinese digit or 十/百/千, not right after a digit: in
# "1.5萬" and "5千" the character is a unit, which money.py reads.
_CHINESE_NUMBER = re.compile(
    "(?<![0-9.])["
    + "".join(_DIGITS)
    + "".join(_SMALL)
    + "]["
    + "".join(_DIGITS)
    + "".join(_SMALL)
    + "".join(_BIG)
    + "]*"
)


def number(text: str) -> int | None:
    """ "三" → 3, "十二" → 12, "兩百萬" → 2000000, "一萬五" → 15000, "12" → 12; None when not a numeral."""
    if text.isascii():
        return int(text) if text.isdigit() else None
    total = section = 0
    digit: int | None = None
    unit = 1  # the last unit written: a digit after it without 零 counts one unit lower ("三千五" is 3500)
    zero = False
    for ch in text:
        if ch in _DIGITS:
            if digit not in (None, 0):  # "五五" is not a numeral
                return None
            digit, zero = _DIGITS[ch], zero or _DIGITS[ch] == 0
        elif ch in _SMALL:
            section += (1 if digit is None else digit) * _SMALL[ch]
            digit, unit, zero = None, _SMALL[ch], False
        elif ch in _BIG:
            if _BIG[ch] > 10**4:
                total = (total + section + (digit or 0)) * _BIG[ch]
            else:
                total += (section + (digit or 0)) * _BIG[ch]
            section, digit, unit, zero = 0, None, _BIG[ch], False
        else:
            return None
    if digit and not zero and unit > 10:
        digit *= unit // 10
    return total + section + (digit or 0)


def arabic(text: str) -> str:
    """Chinese numerals in an amount written as digits: "¥五萬" → "¥50000", "1.5萬" stays (萬 is a unit there)."""

    def digits(match: re.Match) -> str:
        value = number(match[0])
        return match[0] if value is None else str(value)

    return _CHINESE_NUMBER.sub(digits, text)


# ---- dates --------------------------------------------------------------------------------------

DATE_HINT = N_("try 明天, 週五, 下週三, 3天後, 12月2日, 明天下午3點")
_N = NUMERAL + "+"
_NAMED_DAYS = {
    "今天": "today",
    "今日": "today",
    "明天": "tomorrow",
    "明日": "tomorrow",
    "昨天": "yesterday",
    "昨日": "yesterday",
    "後天": "+2d",
    "后天": "+2d",
    "大後天": "+3d",
    "大后天": "+3d",
    "前天": "-2d",
    "大前天": "-3d",
    "月底": "eom",
    "本月底": "eom",
    "這個月底": "eom",
    "这个月底": "eom",
    "年底": "eoy",
    "下週": "next week",
    "下周": "next week",
    "下星期": "next week",
    "下禮拜": "next week",
    "下礼拜": "next week",
}
_EVENINGS = {"今晚": "今天晚上", "明晚": "明天晚上"}
_WEEK_WORD = "(?:週|周|星期|禮拜|礼拜)"
_WEEKDAY_CHARS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_ENGLISH_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_WEEKDAY = re.compile(
    f"(?P<which>下|這|这|本|上)?(?:個|个)?{_WEEK_WORD}(?P<day>[一二三四五六日天])"
)
_OFFSET = re.compile(
    f"(?P<n>{_N})(?:個|个)?(?P<unit>天|日|{_WEEK_WORD}|月|年|小時|小时|鐘頭|钟头)"
    "(?P<dir>後|后|以後|以后|之後|之后|前|以前|之前)"
)
_UNITS = {
    "天": "d",
    "日": "d",
    "月": "m",
    "年": "y",
    "小時": "h",
    "小时": "h",
    "鐘頭": "h",
    "钟头": "h",
}
_MONTH_DAY = re.compile(f"(?:(?P<y>[0-9]{{4}})年)?(?P<m>{_N})月(?P<d>{_N})(?:日|號|号)?")
_NEXT_MONTH_START = ("下個月初", "下个月初", "下月初")
# A time at the end: 上午10點, 下午3点半, 晚上8點30分, 10點, or 15:30 after a Chinese day.
_CLOCK = re.compile(
    "(?P<day>.*?)(?P<period>上午|早上|早晨|中午|下午|傍晚|晚上|凌晨)?"
    f"(?:(?P<h>{_N})(?:點|点|時|时)(?:(?P<half>半)|(?P<m>{_N})分?)?|(?P<hh>[0-9]{{1,2}}):(?P<mm>[0-9]{{2}}))"
)
_AFTERNOON = ("中午", "下午", "傍晚", "晚上")


def date_words(words: str, today: date, text: str, field: str) -> str:
    """A Chinese WHEN → the same WHEN in salesctl's English grammar: "明天下午3點" → "tomorrow 15:00"."""
    squeezed = "".join(words.split())
    for short, long in _EVENINGS.items():
        squeezed = squeezed.replace(short, long)
    day_text, clock = _split_clock(squeezed, text, field)
    if not day_text:
        if clock is None:
            raise Invalid(field, text, N_("is not a date"), DATE_HINT)
        return clock
    day = _day(day_text, today, text, field)
    return day if clock is None else f"{day} {clock}"


def _split_clock(words: str, text: str, field: str) -> tuple[str, str | None]:
    match = _CLOCK.fullmatch(words)
    if match is None:
        return words, None
    if match["hh"]:
        hour, minute = int(match["hh"]), int(match["mm"])
    else:
        hour, minute = number(match["h"]), 30 if match["half"] else number(match["m"] or "0")
        if hour is None or minute is None:
            raise Invalid(
                field, text, N_("has an impossible time"), N_("write 上午10點, 下午3點半 or 15:30")
            )
    if (
        match["period"] in _AFTERNOON
        and hour < 12
        and not (match["period"] == "中午" and hour >= 11)
    ):
        hour += 12
    elif match["period"] == "凌晨" and hour == 12:
        hour = 0
    if hour > 23 or minute > 59:
        raise Invalid(
            field,
            text,
            N_("has an impossible time"),
            N_("hours run 0-23 (1-12 after 上午/下午), minutes 0-59"),
        )
    return match["day"], f"{hour:02d}:{minute:02d}"


def _day(words: str, today: date, text: str, field: str) -> str:
    if (
        words.isascii()
    ):  # an English day with a Chinese time ("fri下午3點"): the English grammar reads it
        return words
    if words in _NAMED_DAYS:
        return _NAMED_DAYS[words]
    if words in _NEXT_MONTH_START:
        last = calendar.monthrange(today.year, today.month)[1]
        return (today.replace(day=last) + timedelta(days=1)).isoformat()
    if match := _WEEKDAY.fullmatch(words):
        weekday = _WEEKDAY_CHARS[match["day"]]
        if match["which"] is None:  # 週五 is the next Friday after today, as `fri` is
            return _ENGLISH_WEEKDAYS[weekday]
        monday = today - timedelta(days=today.weekday())
        weeks = {"下": 1, "上": -1}.get(
            match["which"], 0
        )  # 這/这/本: this week's, even if it has passed
        return (monday + timedelta(weeks=weeks, days=weekday)).isoformat()
    if match := _OFFSET.fullmatch(words):
        amount = number(match["n"])
        if amount is not None:
            sign = "-" if match["dir"].endswith("前") else "+"
            return f"{sign}{amount}{_UNITS.get(match['unit'], 'w')}"
    if match := _MONTH_DAY.fullmatch(words):
        month, day = number(match["m"]), number(match["d"])
        if month is not None and day is not None:
            return f"{match['y']}-{month}-{day}" if match["y"] else f"{month}-{day}"
    raise Invalid(field, text, N_("is not a date"), DATE_HINT)
