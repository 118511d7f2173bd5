"""The rule registry's citations: each rule's statute articles are fixed here; its regulation
articles come from the agency's profile (``[rule_articles]``).

A rule is named by its number in ../shared/REFERENCE.md ("Rules the system must enforce"):
``R1`` … ``R47``; where one numbered rule covers acts that each regulation cites separately (the
service methods of rule 29), the part is named after a dot (``R29.postal``). A case cites its
own agency's regulation and never another's: a rule the profile gives no article cites only its
statute, and a rule with no statute names the regulation alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from casetrail.policy.profiles import PolicyProfile


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    statute: tuple[str, ...] = ()


_FINES: Final = "《行政处罚法》"
_RULES: Final = (
    Rule("R1", "两名执法人员", (f"{_FINES}第四十二条", "《统计法》第三十八条第二款")),
    Rule("R2", "出示执法证件", (f"{_FINES}第五十五条",)),
    Rule("R3", "统计执法证", ("《统计法实施条例》第三十六条",)),
    Rule("R4", "申请、举报登记", ("《统计法实施条例》第三十八条",)),
    Rule("R5", "立案审批", (f"{_FINES}第五十四条",)),
    # The approval backfilled is the filing's (第54条); 行政强制法 第19条's 24 hours is for
    # 强制措施, which statistics agencies do not take.
    Rule("R6", "紧急先行启动的补办", (f"{_FINES}第五十四条",)),
    Rule("R7", "追责时效", (f"{_FINES}第三十六条",)),
    # 第55条 第2款: the party must not refuse the investigation (行政强制法 第18条 is for 强制措施).
    Rule("R8", "拒绝调查、到场或签字的记录", (f"{_FINES}第五十五条第二款",)),
    Rule("R9", "当事人签字确认", (f"{_FINES}第六十四条第（八）项",)),
    Rule(
        "R10",
        "音像资料的制作说明和文字记录",
        ("《最高人民法院关于行政诉讼证据若干问题的规定》第十二条",),
    ),
    Rule("R11", "音像资料的储存期限和标注"),
    Rule("R12", "记录不得删改", ("《电子签名法》第五条、第八条",)),
    Rule("R13", "异地备份", ("《档案法实施条例》第四十一条",)),
    Rule("R14", "先行登记保存", (f"{_FINES}第五十六条", "《统计法》第三十八条第（五）项")),
    Rule("R15", "统计机关无查封、扣押职权", ("《行政强制法》第二十二条",)),
    Rule("R16", "不受理调查证据申请的理由"),
    Rule("R17", "调查终结报告", (f"{_FINES}第五十七条",)),
    Rule("R18", "法制审核", (f"{_FINES}第五十八条",)),
    Rule("R19", "集体讨论", (f"{_FINES}第五十七条第二款",)),
    Rule("R20", "内部审批：承办人、审核人、批准人", (f"{_FINES}第五十七条",)),
    Rule("R21", "事先告知", (f"{_FINES}第四十四条、第六十二条",)),
    Rule("R22", "复核，不得加重处罚", (f"{_FINES}第四十五条",)),
    Rule("R23", "听证权利", (f"{_FINES}第六十三条、第六十四条",)),
    Rule("R24", "听证笔录", (f"{_FINES}第六十四条第（八）项、第六十五条",)),
    Rule("R25", "决定书的内容", (f"{_FINES}第五十九条",)),
    Rule("R26", "作出决定的期限", (f"{_FINES}第六十条",)),
    Rule("R27", "简易程序", (f"{_FINES}第五十一条、第五十二条、第六十八条、第七十一条",)),
    Rule("R28", "决定书的送达", (f"{_FINES}第六十一条",)),
    Rule("R29", "各送达方式的记录", ("《民事诉讼法》第八十七条至第九十四条",)),
    Rule("R29.direct", "直接送达", ("《民事诉讼法》第八十七条、第八十八条",)),
    Rule("R29.left_at_address", "留置送达", ("《民事诉讼法》第八十九条",)),
    Rule("R29.entrusted", "委托送达", ("《民事诉讼法》第九十一条",)),
    Rule("R29.postal", "邮寄送达", ("《民事诉讼法》第九十一条",)),
    Rule("R29.forwarded", "转交送达", ("《民事诉讼法》第九十二条至第九十四条",)),
    Rule("R30", "电子送达", (f"{_FINES}第六十一条第二款", "《民事诉讼法》第九十条")),
    Rule("R31", "公告送达", ("《民事诉讼法》第九十五条",)),
    Rule("R32", "履行情况", (f"{_FINES}第六十六条、第六十七条、第七十二条、第七十三条",)),
    Rule("R33", "责令改正的核查", (f"{_FINES}第二十八条",)),
    Rule("R34", "催告", ("《行政强制法》第三十五条、第三十六条、第三十八条",)),
    Rule("R35", "申请人民法院强制执行", ("《行政强制法》第五十三条、第五十四条",)),
    Rule("R36", "夜间、法定节假日不得强制执行", ("《行政强制法》第四十三条",)),
    Rule("R37", "处罚决定公示", (f"{_FINES}第四十八条",)),
    Rule("R38", "涉嫌犯罪的移送", (f"{_FINES}第五十七条第（四）项、第八十二条",)),
    Rule("R39", "检查频次", ("《统计执法监督检查办法》",)),
    Rule("R40", "结案和立卷归档", ("《档案法》第十四条",)),
    Rule("R41", "未关联案件的音像记录的保存", ("国办发〔2018〕118号",)),
    Rule("R42", "调阅权限和专人管理", ("《个人信息保护法》第五十一条",)),
    Rule("R43", "复制申请", ("《个人信息保护法》第五十五条",)),
    Rule("R44", "涉密材料不上传", ("《保守国家秘密法》第三十一条第（三）项",)),
    Rule("R45", "数据境内存储和日志", ("《个人信息保护法》第三十六条",)),
    Rule("R46", "工作日历", (f"{_FINES}第八十五条",)),
    Rule("R47", "考核统计", ("国办发〔2018〕118号",)),
)
RULES: Final[Mapping[str, Rule]] = MappingProxyType({rule.id: rule for rule in _RULES})


def cite(profile: PolicyProfile, rule: str) -> str:
    """The citation of *rule* for a case under *profile*: this regulation's articles, then the
    statute ("<简称>第十条；《行政处罚法》第五十八条")."""
    statute = RULES[rule].statute
    own = profile.rule_citation(rule)
    return "；".join(part for part in (own, *statute) if part) or profile.citation_name


def statute_of(rule: str) -> str:
    """The statute alone, for a check made before any agency is known (who is asking)."""
    return "；".join(RULES[rule].statute)
