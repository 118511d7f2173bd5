"""How a field's stored value is printed on a document: dates, times and money in Chinese.

Pure: imports nothing from Django. Times are printed in China Standard Time whatever the
offset they were stored with, so a document reads the same on every machine.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

CHINA = ZoneInfo("Asia/Shanghai")
_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SMALL_UNITS = ("仟", "佰", "拾", "")
_GROUP_UNITS = ("亿", "万", "")


def chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def chinese_datetime(moment: datetime) -> str:
    local = moment.astimezone(CHINA)
    return f"{chinese_date(local.date())}{local.hour}时{local.minute:02d}分"


def _group(number: int) -> str:
    """Four digits in capitals, with 零 for inner gaps (e.g. 1005 → 壹仟零伍)."""
    out, gap = "", False
    for unit, digit in zip(_SMALL_UNITS, f"{number:04d}", strict=True):
        if digit == "0":
            gap = bool(out)
            continue
        if gap:
            out += "零"
            gap = False
        out += _DIGITS[int(digit)] + unit
    return out


def _yuan(number: int) -> str:
    if number == 0:
        return "零"
    groups = [(number // 10**8) % 10**4, (number // 10**4) % 10**4, number % 10**4]
    out, gap = "", False
    for unit, value in zip(_GROUP_UNITS, groups, strict=True):
        if value == 0:
            gap = bool(out)
            continue
        if out and (gap or value < 1000):
            out += "零"
        out += _group(value) + unit
        gap = False
    return out


def money_in_capitals(amount: Decimal) -> str:
    """人民币大写, as on a decision: 50000 → 伍万元整, 100.5 → 壹佰元伍角."""
    cents = int((amount * 100).to_integral_value())
    yuan, jiao, fen = cents // 100, (cents // 10) % 10, cents % 10
    out = _yuan(yuan) + "元"
    if jiao == 0 and fen == 0:
        return out + "整"
    if jiao:
        out += _DIGITS[jiao] + "角"
    elif yuan:
        out += "零"
    if fen:
        out += _DIGITS[fen] + "分"
    return out


def money(text: str) -> str:
    """A stored amount ("50000.00") as printed: 50,000.00元（人民币伍万元整）."""
    amount = Decimal(text)
    return f"{amount:,.2f}元（人民币{money_in_capitals(amount)}）"
