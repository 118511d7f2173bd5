"""What a document template is given: the sheet (文书版面数据), plain values ready to print.

A `Sheet` is built from the records (`records.py`) and handed to the kind's template
(`render.py`). Everything on it is already text in Chinese, so a designer editing a template
never formats a date or looks up a name. Pure: imports nothing from Django.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

State = Literal["final", "draft", "blank"]


@dataclass(frozen=True)
class Row:
    """One field of the document as printed (``value`` is empty when it is blank)."""

    name: str
    label: str
    type: str
    value: str
    raw: object = None
    details: tuple[tuple[str, str], ...] = ()  # a party's ID, address, representative
    choices: tuple[str, ...] = ()  # a choice field's options, for the blank form

    @property
    def multiline(self) -> bool:
        return self.type == "textarea"


@dataclass(frozen=True)
class Mark:
    """One signature in a signer block."""

    name: str
    note: str  # how it was signed: 系统登录签名, 屏幕手写签名, …
    signed_at: str
    image: str = ""  # data: URI of the handwritten or scanned signature, when an image


@dataclass(frozen=True)
class Refusal:
    """A recorded refusal to sign (Seed A art. 9 第2款)."""

    person: str
    reason: str
    refused_at: str
    witness: str


@dataclass(frozen=True)
class SignerBlock:
    code: str
    label: str
    person: bool
    marks: tuple[Mark, ...] = ()
    refusals: tuple[Refusal, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.marks and not self.refusals


@dataclass(frozen=True)
class Sheet:
    kind: str
    title: str
    agency: str
    number: str
    numbered: bool
    case_number: str
    rows: tuple[Row, ...]
    signers: tuple[SignerBlock, ...]
    seal: bool
    transcript: bool
    state: State
    dated: str = ""  # the date under the seal (the finalisation's, in China time)
    moment: datetime | None = None  # PDF metadata dates (the finalisation's)
    code: str = ""
    verify_url: str = ""
    parties: tuple[str, ...] = ()  # the case's parties, printed on blank forms
    fields: dict[str, Row] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "fields", {row.name: row for row in self.rows})

    @property
    def final(self) -> bool:
        return self.state == "final"

    @property
    def draft(self) -> bool:
        return self.state == "draft"

    @property
    def blank(self) -> bool:
        return self.state == "blank"

    @property
    def moment_iso(self) -> str:
        return self.moment.isoformat() if self.moment else ""
