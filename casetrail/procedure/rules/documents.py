"""Rules every document obeys: its kind is in use, its stage is right, officers are present and
identified, and every required signature is there or its refusal is recorded.

Pure functions of `CaseFacts` and the draft or document; each cites its article.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Final

from casetrail.policy.catalogue import DocumentKind
from casetrail.procedure.citations import cite
from casetrail.procedure.errors import RuleViolation
from casetrail.procedure.facts import CaseFacts, DocFacts, Draft

MINIMUM_OFFICERS: Final = 2
STAGE_LABELS: Final = {
    "start": "程序启动",
    "investigation": "调查取证",
    "review": "审查决定",
    "decided": "送达执行",
    "enforcement": "执行",
    "closing": "结案",
}
# The catalogue's stages each case stage admits: 程序启动 while the filing is reviewed.
CATALOGUE_STAGES: Final = {
    "filing_review": {"start"},
    "investigation": {"investigation"},
    "review": {"review"},
    "decided": {"decided", "enforcement"},
    "closed": {"closing"},
}
# Acts of investigation that need the filing approval first (rule 5); 核查 before filing is not
# a document of this catalogue.
INVESTIGATIVE_STAGES: Final = frozenset({"investigation", "review"})
# Which stage and procedure a kind is made in is the catalogue's (each kind's `stages`).
STAGE_ARTICLE: Final = "文书目录（各种文书的适用阶段和程序）"


def kind_refusal(
    code: str, title: str, catalogue: Mapping[str, DocumentKind]
) -> RuleViolation | None:
    """The agency's profile lists the kind; 查封、扣押 kinds are off for statistics agencies.

    Seed A art. 4 (文书格式按规定); 行政强制法 第22条 (查封、扣押 only where law grants it);
    REFERENCE.md rule 15.
    """
    if code in catalogue:
        return None
    seizure = code.startswith("seizure")
    return RuleViolation(
        rule="15" if seizure else "catalogue",
        article="《行政强制法》第二十二条" if seizure else "文书目录",
        field="kind",
        message=f"{title}：本机关的制度配置未启用这种文书",
    )


def stage_problem(facts: CaseFacts, draft: Draft) -> RuleViolation | None:
    """A document is made in the stage its kind belongs to (Seed B art. 2: the five stages)."""
    kind = draft.kind
    if facts.procedure not in kind.procedures:
        label = "简易程序" if facts.procedure == "summary" else "普通程序"
        return RuleViolation(
            rule="stage",
            article=STAGE_ARTICLE,
            field="kind",
            message=f"{kind.title}：不适用于{label}案件",
        )
    if "any" in kind.stages or set(kind.stages) & CATALOGUE_STAGES.get(facts.stage, set()):
        return None
    allowed = "、".join(STAGE_LABELS.get(s, s) for s in kind.stages)
    return RuleViolation(
        rule="stage",
        article=STAGE_ARTICLE,
        field="kind",
        message=f"{kind.title}：只能在{allowed}阶段制作，本案当前不在该阶段",
    )


def filing_problem(facts: CaseFacts, draft: Draft) -> RuleViolation | None:
    """No investigative act in ordinary procedure before the filing is approved (立案).

    行政处罚法 第54条; Seed A art. 6; REFERENCE.md rule 5. An emergency start (紧急先行) may act
    first and backfill the approval (rule 6).
    """
    if facts.procedure != "ordinary" or facts.start_type == "emergency":
        return None
    if facts.filed_on is not None or not (set(draft.kind.stages) & INVESTIGATIVE_STAGES):
        return None
    return RuleViolation(
        rule="5",
        article="《行政处罚法》第五十四条",
        field="kind",
        message=f"{draft.kind.title}：立案审批通过前不得进行调查取证",
    )


def _officer_ids(kind: DocumentKind, fields: dict[str, object] | object) -> list[int]:
    if not isinstance(fields, dict) or "officers" not in fields:
        return []
    value = fields["officers"]
    return [int(v) for v in value] if isinstance(value, list) else []


def officers_problem(facts: CaseFacts, draft: Draft) -> RuleViolation | None:
    """At least two enforcement officers, each with a certificate valid on the day of the act.

    行政处罚法 第42条、第55条; 统计法 第38条 第2款; Seed B art. 5; REFERENCE.md rules 1 and 3.
    """
    if "officers" not in {f.name for f in draft.kind.fields if f.type == "officers"}:
        return None
    ids = _officer_ids(draft.kind, dict(draft.fields))
    article = "《行政处罚法》第四十二条、第五十五条"
    if len(set(ids)) < MINIMUM_OFFICERS:
        return RuleViolation(
            rule="1",
            article=article,
            field="officers",
            message=f"{draft.kind.field('officers').label}：执法人员不得少于{MINIMUM_OFFICERS}人",
        )
    day = _act_day(draft)
    invalid = [
        facts.officers[i].name if i in facts.officers else f"编号{i}"
        for i in ids
        if i not in facts.officers or not facts.officers[i].certificate_valid_on(day)
    ]
    if invalid:
        return RuleViolation(
            rule="3",
            article="《统计法实施条例》第三十六条；《行政处罚法》第四十二条",
            field="officers",
            message=f"{'、'.join(invalid)}：{day.isoformat()}没有有效的执法证件",
        )
    return None


def _act_day(draft: Draft) -> date:
    """The day of the act: its start time where the kind records one, else today."""
    for name in ("started_at", "stated_at", "held_at", "decided_at"):
        value = draft.fields.get(name)
        if isinstance(value, str) and value:
            return date.fromisoformat(value[:10])
    return draft.on


def certificates_shown_problem(facts: CaseFacts, doc: DocFacts) -> RuleViolation | None:
    """A transcript (笔录) records that the officers showed their certificates and that the
    person acknowledged them; otherwise it cannot be finalised.

    行政处罚法 第55条（出示执法证件）、第52条; Seed B art. 5; REFERENCE.md rule 2.
    """
    kind = facts.catalogue.get(doc.kind)
    if kind is None or not kind.transcript:
        return None
    for name, what in (
        ("certificates_shown", "执法人员出示执法证件"),
        ("identity_acknowledged", "当事人或被询问人对出示证件的确认"),
    ):
        if name in doc.fields and doc.fields[name] is not True:
            return RuleViolation(
                rule="2",
                article="《行政处罚法》第五十五条",
                field=name,
                message=f"{kind.title}：未记录{what}，不能定稿",
            )
    return None


def required_signers(kind: DocumentKind, doc: DocFacts) -> list[tuple[str, str]]:
    """(signer code, label) pairs this document needs; officer fields expand per officer."""
    needed: list[tuple[str, str]] = []
    for spec in kind.signers:
        if spec.person:
            needed.append((spec.code, spec.label))
        elif spec.officer_field:
            value = doc.fields.get(spec.officer_field)
            ids = value if isinstance(value, list) else [value] if value else []
            needed.extend((f"{spec.code}:{i}", spec.label) for i in ids)
        else:
            needed.append((spec.code, spec.label))
    return needed


def _signed_codes(doc: DocFacts) -> set[str]:
    codes: set[str] = set()
    for s in doc.signatures:
        codes.add(s.signer)
        if s.officer_id is not None:
            codes.add(f"{s.signer}:{s.officer_id}")
    return codes


def missing_signatures(kind: DocumentKind, doc: DocFacts) -> list[str]:
    """Labels of the signatures still missing (a recorded refusal counts as present)."""
    present = _signed_codes(doc) | {r.signer for r in doc.refusals if r.witnessed}
    return [label for code, label in required_signers(kind, doc) if code not in present]


def signatures_problem(facts: CaseFacts, doc: DocFacts) -> RuleViolation | None:
    """Every required signer has signed, or the refusal is recorded with reason, time and a
    witness or second officer; else the document cannot be finalised.

    Seed A art. 9; Seed B art. 6–7, 12; 行政处罚法 第64条(八); REFERENCE.md rules 8 and 9.
    """
    kind = facts.catalogue.get(doc.kind)
    if kind is None:
        return None
    missing = missing_signatures(kind, doc)
    if not missing:
        return None
    return RuleViolation(
        rule="9",
        article=cite(facts.profile, "R9"),
        field="signatures",
        message=f"{kind.title}：缺少{'、'.join(dict.fromkeys(missing))}的签名或拒签记录，不能定稿",
    )


def first_problem(checks: Iterable[RuleViolation | None]) -> RuleViolation | None:
    return next((c for c in checks if c is not None), None)
