"""Rules of audio-visual evidence (音像记录): what must be recorded with it, and by when.

Pure functions: they take facts and return a `RuleViolation` (or a date, or a flag), never touch
the database, and are called by `casetrail.cases.actions.evidence` and, over history, by the
compliance report. Seed A art. 13–14; Seed B art. 7(7), 26; REFERENCE.md rules 10, 11, 44.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from types import MappingProxyType
from typing import Final

from casetrail.policy.profiles import AV_LABELS, Period, PolicyProfile
from casetrail.procedure.citations import cite
from casetrail.procedure.errors import RuleViolation
from casetrail.procedure.workdays import Due, WorkdayCalendar, add_period

# The registry rules these checks cite (casetrail.procedure.citations), with the agency's articles.
METADATA_RULE: Final = "R10"
STORAGE_RULE: Final = "R11"
SECRET_RULE: Final = "R44"

# Seed A art. 2 / Seed B art. 2: 拍照、录音、录像、视频监控 (the same codes as `RecordingKind`).
AV_KINDS: Final[Mapping[str, str]] = MappingProxyType(
    {"photo": "照片", "audio": "录音", "video": "录像", "surveillance": "视频监控"}
)
# Which kinds of stored file (as `casetrail.evidence.sniff` judges them) each AV kind may be.
# Sound recorded by a camera is a video file; a PDF is a document, never an AV record.
_FILE_KINDS: Final[Mapping[str, frozenset[str]]] = MappingProxyType(
    {
        "photo": frozenset({"photo"}),
        "audio": frozenset({"audio", "video"}),
        "video": frozenset({"video"}),
        "surveillance": frozenset({"video"}),
    }
)
_FILE_KIND_LABELS: Final = {"photo": "图像", "audio": "音频", "video": "视频", "document": "文档"}


@dataclass(frozen=True)
class AvMetadata:
    """What a person states about an AV record when registering it."""

    kind: str
    method: str
    recorded_start_at: datetime | None
    maker_name: str
    proves: str
    transcript: str = ""


def _missing(profile: PolicyProfile, field: str, label: str, why: str) -> RuleViolation:
    article = cite(profile, METADATA_RULE)
    return RuleViolation(
        rule="B7.7", article=article, field=field, message=f"{label}：必须填写（{why}）"
    )


def av_metadata_problem(meta: AvMetadata, *, profile: PolicyProfile) -> RuleViolation | None:
    """Method, time, maker and what it proves are recorded; sound carries its transcript.

    Seed B art. 7(7): 收集录音、录像等视听资料的，应当记录制作方法、制作时间、制作人和证明对象等，
    其中声音资料应当附有该声音内容的文字记录. REFERENCE.md rule 10.
    """
    if meta.kind not in AV_KINDS:
        allowed = "、".join(f"{code}（{label}）" for code, label in AV_KINDS.items())
        return RuleViolation(
            rule="B7.7",
            article=cite(profile, METADATA_RULE),
            field="kind",
            message=f"类型：应为{allowed}之一，实际为“{meta.kind}”",
        )
    why = "视听资料应当记录制作方法、制作时间、制作人和证明对象"
    if not meta.method.strip():
        return _missing(profile, "method", "制作方法", why)
    if meta.recorded_start_at is None:
        return _missing(profile, "recorded_start_at", "制作时间（录制开始时间）", why)
    if not meta.maker_name.strip():
        return _missing(profile, "maker", "制作人", why)
    if not meta.proves.strip():
        return _missing(profile, "proves", "证明对象", why)
    if meta.kind == "audio" and not meta.transcript.strip():
        return _missing(profile, "transcript", "文字记录", "声音资料应当附有该声音内容的文字记录")
    return None


def file_kind_problem(kind: str, file_kind: str, *, profile: PolicyProfile) -> RuleViolation | None:
    """The stated kind matches the file: a photo is an image, a video a video file, and so on.

    Seed A art. 2 (拍照、录音、录像、视频监控); Seed B art. 7(7).
    """
    if file_kind in _FILE_KINDS.get(kind, frozenset()):
        return None
    what = _FILE_KIND_LABELS.get(file_kind, file_kind)
    return RuleViolation(
        rule="B7.7",
        article=cite(profile, METADATA_RULE),
        field="kind",
        message=f"类型：登记为{AV_KINDS.get(kind, kind)}，但文件内容是{what}，两者不符",
    )


def chronology_problem(
    start: datetime,
    end: datetime | None,
    stored_at: datetime,
    tolerance_minutes: int,
    *,
    profile: PolicyProfile,
) -> RuleViolation | None:
    """The recording ends after it starts, and was not made after it was stored."""
    if end is not None and end < start:
        return RuleViolation(
            rule="B7.7",
            article=cite(profile, METADATA_RULE),
            field="recorded_end_at",
            message="录制结束时间：早于录制开始时间，请核对",
        )
    if start > stored_at + timedelta(minutes=tolerance_minutes):
        return RuleViolation(
            rule="B7.7",
            article=cite(profile, METADATA_RULE),
            field="recorded_start_at",
            message="录制开始时间：晚于文件储存时间，请核对（制作时间应如实记录）",
        )
    return None


def storage_due(recorded_on: date, period: Period, calendar: WorkdayCalendar) -> Due:
    """The last day by which a finished AV record must be stored in the system.

    Seed A art. 14: 音像记录制作完成后，应在2个工作日内将信息储存至行政执法信息系统或者专用存储器;
    Seed B art. 26: 5个工作日. The number and unit come from the agency's profile (`av_storage`).
    """
    return add_period(calendar, recorded_on, period.days, period.unit)


def labels_problem(labels: Mapping[str, str], profile: PolicyProfile) -> RuleViolation | None:
    """Every label the profile requires is filled in (案号、当事人姓名或者名称、承办人姓名).

    Seed A art. 14: 标明案号、当事人姓名或者名称、承办人姓名等信息. REFERENCE.md rule 11.
    """
    for code in profile.av_required_labels:
        if not labels.get(code, "").strip():
            return RuleViolation(
                rule="A14",
                article=cite(profile, STORAGE_RULE),
                field=f"label_{code}",
                message=f"标注：缺少{AV_LABELS.get(code, code)}，音像记录无法按规定标明",
            )
    return None


def is_late(stored_on: date, due: Due) -> bool:
    return stored_on > due.due_on


def late_storage_problem(
    stored_on: date, due: Due, late_reason: str, *, profile: PolicyProfile
) -> RuleViolation | None:
    """A late file is accepted — evidence is never refused for lateness — but states why.

    Seed A art. 14; Seed B art. 26, art. 30(二) (未按规定保存音视频资料 is a violation the
    supervisor assesses, so the reason is part of the record). REFERENCE.md rule 11.
    """
    if not is_late(stored_on, due) or late_reason.strip():
        return None
    return RuleViolation(
        rule="A14",
        article=cite(profile, STORAGE_RULE),
        field="late_reason",
        message=(
            f"逾期理由：该音像记录应于{due.due_on:%Y年%m月%d日}前储存，"
            f"现于{stored_on:%Y年%m月%d日}储存，已逾期，必须说明逾期理由（逾期的记录仍予接收）"
        ),
    )


def time_discrepancy(
    stated_start: datetime, embedded_created_at: datetime | None, tolerance_minutes: int
) -> str | None:
    """A flag when the file's own creation time and the stated start disagree; never a fix.

    Body cameras with a wrong clock are common, and which time is right is for a person to
    judge (Seed B art. 7(7): 制作时间). The stated time is kept as stated.
    """
    if embedded_created_at is None:
        return None
    gap = abs(embedded_created_at - stated_start)
    if gap <= timedelta(minutes=tolerance_minutes):
        return None
    embedded = embedded_created_at.astimezone(stated_start.tzinfo)
    return (
        f"文件内嵌拍摄时间 {embedded:%Y-%m-%d %H:%M:%S%z} 与登记的录制开始时间 "
        f"{stated_start:%Y-%m-%d %H:%M:%S%z} 相差 {_describe(gap)}，超过允许误差 "
        f"{tolerance_minutes} 分钟；请核实设备时钟（系统不作更正）"
    )


def _describe(gap: timedelta) -> str:
    minutes = int(gap.total_seconds() // 60)
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return f"{hours} 小时 {rest} 分钟"
    return f"{hours} 小时" if hours else f"{minutes} 分钟"


def classified_problem(confidentiality: str, *, profile: PolicyProfile) -> RuleViolation | None:
    """No file of a case marked as involving state secrets enters this (non-classified) system.

    保守国家秘密法 第31条(三): 不得使用非涉密信息系统、非涉密信息设备存储或者处理国家秘密;
    Seed A art. 13 exempts 涉及国家秘密 from AV recording. REFERENCE.md rule 44.
    """
    if confidentiality != "state_secret":
        return None
    return RuleViolation(
        rule="R44",
        article=cite(profile, SECRET_RULE),
        field="case",
        message=(
            "案件：本案标记为涉及国家秘密，不得向本系统上传音像文件；"
            "请按保密规定在涉密载体中保存，本系统只登记其存放位置等目录信息"
        ),
    )
