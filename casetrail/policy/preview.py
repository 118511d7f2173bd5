"""The key settings of a profile, as an administrator checks them before putting an agency under
it (issue 17, item 1): label and value, in Chinese, in the order of a case."""

from __future__ import annotations

from casetrail.policy.model import PolicyProfile


def profile_preview(profile: PolicyProfile) -> list[tuple[str, str]]:
    limit = profile.decision_limit
    if limit.basis == "statute":
        decision = f"立案之日起{limit.statute_days}日（行政处罚法 第60条）"
    else:
        decision = f"立案后{limit.statistics_months}个月，可延长{limit.extension_months}个月"
    return [
        ("配置", f"{profile.key}（{profile.name}）"),
        ("依据", f"{profile.regulation_title}（{profile.regulation_issued_on.isoformat()}）"),
        ("引用简称", profile.citation_name),
        ("案号格式", profile.case_number_format),
        ("线索核查至立案", profile.filing_check.label),
        ("紧急启动补办", profile.emergency_backfill.label),
        ("音像记录储存", profile.av_storage.label),
        ("陈述申辩", profile.statement.label),
        ("决定期限", decision),
        ("决定书送达", profile.decision_service.label),
        ("罚款缴纳", profile.fine_payment.label),
        ("异地备份最长间隔", f"{profile.offsite_backup_max_age_days}日"),
        ("电子送达决定书", "允许" if profile.electronic_service_of_decision else "不允许"),
        ("使用的文书", f"{len(profile.documents)}种"),
        *(("须确认", warning) for warning in profile.warnings()),
    ]
