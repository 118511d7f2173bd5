"""`casetrail demo`: three agencies with their profiles (洛阳市统计局 over 栾川县统计局, and
兴隆台区统计局), one user per role, cases in progress.

Everything is built by calling the real actions, so the demo's ledger is as real as any.
Running it again changes nothing.
"""

from __future__ import annotations

import io
import struct
import zlib
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from casetrail import clock
from casetrail.cases.actions.accounts import do_create_user
from casetrail.cases.actions.evidence import do_register_recording
from casetrail.cases.actions.setup import (
    do_create_agency,
    do_grant_role,
    do_register_officer,
    do_set_legal_review,
)
from casetrail.cases.actions.start import (
    ApplicationInput,
    PartyInput,
    do_decide_filing,
    do_open_case,
)
from casetrail.cases.management.demo_procedure import Walk
from casetrail.cases.models import Agency, Case, Officer, Role
from casetrail.evidence.ingest import ingest_stream
from casetrail.evidence.storage import primary_store, replica_store
from casetrail.ledger.checkpoints import publish
from casetrail.ledger.selectors import agency_log

DEMO_PASSWORD = "casetrail-demo"


@dataclass(frozen=True)
class DemoPerson:
    username: str
    name: str
    roles: tuple[str, ...]
    certificate: str = ""
    legal_review: bool = False  # 法律职业资格: one of the agency's 法制审核人员


# Who issues each agency's 统计执法证 (rule 3: 国家统计局 or the provincial bureau).
ISSUERS = {"栾统": "河南省统计局", "兴统": "辽宁省统计局"}

# In creation order: a parent before the agencies below it. 洛阳市统计局 runs under 栾川's
# profile only because the demo ships no city regulation; it supervises 栾川 (PARENTS).
AGENCIES = {
    "洛统": ("洛阳市统计局", "luoyang-tjj", "luanchuan-2020"),
    "栾统": ("栾川县统计局", "luanchuan-tjj", "luanchuan-2020"),
    "兴统": ("兴隆台区统计局", "xinglongtai-tjj", "xinglongtai-2019"),
}
PARENTS = {"栾统": "洛统"}

PEOPLE = {
    # 洛阳市统计局's supervisor sees 栾川's cases through the hierarchy, with no role there.
    "洛统": [DemoPerson("yangfan", "杨帆", ("supervisor",))],
    "栾统": [
        DemoPerson("zhangwei", "张伟", ("officer",), "豫统执41032400011"),
        DemoPerson("lina", "李娜", ("officer",), "豫统执41032400012"),
        DemoPerson("wangqiang", "王强", ("reviewer", "officer"), "豫统执41032400013", True),
        DemoPerson("liujing", "刘静", ("head",), "豫统执41032400001"),
        DemoPerson("chenjie", "陈杰", ("archivist",)),
        DemoPerson("admin", "系统管理员", ("admin",)),
        DemoPerson("ingest-lc", "栾川采集站", ("ingest",)),
    ],
    "兴统": [
        DemoPerson("zhaolei", "赵磊", ("officer",), "辽统执21110300021"),
        DemoPerson("sunli", "孙丽", ("officer",), "辽统执21110300022"),
        DemoPerson("zhoumin", "周敏", ("reviewer",), "辽统执21110300023", True),
        DemoPerson("wuhao", "吴昊", ("head",), "辽统执21110300002"),
    ],
}
SUPERVISOR = DemoPerson("zhengjian", "郑建", ("supervisor",))


class Command(BaseCommand):
    help = "载入演示数据：三个统计局（洛阳市局为上级）、各岗位用户、进行中的案件（可重复运行）"

    def handle(self, *args: Any, **options: Any) -> None:
        if Agency.objects.exists():
            self.stdout.write("演示数据已存在，未作改动。")
        else:
            self._load()
        self._print_logins()

    def _load(self) -> None:
        agencies: dict[str, Agency] = {}
        for short, (name, code, key) in AGENCIES.items():
            agencies[short] = do_create_agency(
                acting_user=None,
                name=name,
                short_name=short,
                code=code,
                profile_key=key,
                parent=agencies[PARENTS[short]] if short in PARENTS else None,
            )
        for short, people in PEOPLE.items():
            for person in people:
                self._person(person, agencies[short])
        supervisor = self._person(SUPERVISOR, agencies["栾统"])
        do_grant_role(
            acting_user=None, officer=supervisor, agency=agencies["兴统"], role=Role.SUPERVISOR
        )
        self._cases(agencies)
        self._decided_case(agencies["栾统"])
        self._recording()
        if replica_store() is not None:
            call_command("replicate", stdout=io.StringIO(), stderr=io.StringIO())
        for agency in agencies.values():
            publish(agency_log(agency))
        self.stdout.write(self.style.SUCCESS("演示数据已载入，并已发布各机关的首个签名检查点。"))

    def _person(self, person: DemoPerson, agency: Agency) -> Officer:
        user = do_create_user(
            acting_user=None,
            username=person.username,
            name=person.name,
            password=DEMO_PASSWORD,
            is_staff=person.username == "admin",
        )
        today = clock.today()
        officer = do_register_officer(
            acting_user=None,
            agency=agency,
            user=user,
            name=person.name,
            certificate_number=person.certificate,
            certificate_valid_from=today - timedelta(days=700) if person.certificate else None,
            certificate_valid_to=today + timedelta(days=1000) if person.certificate else None,
            certificate_issuer=ISSUERS.get(agency.short_name, "") if person.certificate else "",
        )
        for role in person.roles:
            do_grant_role(acting_user=None, officer=officer, agency=agency, role=role)
        if person.legal_review:
            do_set_legal_review(acting_user=None, officer=officer, agency=agency, qualified=True)
        return officer

    def _cases(self, agencies: dict[str, Agency]) -> None:
        def officer(username: str) -> Officer:
            return Officer.objects.get(user__username=username)

        company = PartyInput(
            kind="organisation",
            name="栾川县某某矿业有限公司",
            uscc="91410324MA3K2L5P55",
            legal_representative="刘某某",
            address="河南省洛阳市栾川县城关镇某路18号",
            phone="0379-66821234",
        )
        first = do_open_case(
            acting_user=officer("zhangwei").user,
            agency=agencies["栾统"],
            start_type="ex_officio",
            procedure="ordinary",
            cause="提供不真实统计资料",
            summary="2026年第三季度工业产值报表与财务账册不符。",
            parties=[company],
            co_handlers=[officer("lina")],
            opinion="涉嫌违反《统计法》第四十四条，建议立案调查。",
        )
        do_decide_filing(
            acting_user=officer("wangqiang").user,
            case=first,
            step="reviewer",
            decision="approve",
            opinion="事实初步清楚，同意立案。",
        )
        person = PartyInput(
            kind="person",
            name="王某",
            sex="male",
            id_type="resident_id",
            id_number="410324198503121235",
            address="河南省洛阳市栾川县某村",
            phone="13903791234",
        )
        do_open_case(
            acting_user=officer("lina").user,
            agency=agencies["栾统"],
            start_type="emergency",
            procedure="ordinary",
            cause="拒绝、阻碍统计检查",
            parties=[person],
            co_handlers=[officer("zhangwei")],
            opinion="当事人正在转移统计台账，先行启动检查。",
            emergency_reason="现场发现当事人正在转移原始记录，情况紧急。",
        )
        shop = PartyInput(
            kind="organisation",
            name="盘锦某某商贸有限公司",
            uscc="91211103MA0Y8C3DXF",
            legal_representative="赵某",
            address="辽宁省盘锦市兴隆台区某街道6号",
        )
        do_open_case(
            acting_user=officer("zhaolei").user,
            agency=agencies["兴统"],
            start_type="on_application",
            procedure="ordinary",
            cause="迟报统计资料",
            parties=[shop],
            co_handlers=[officer("sunli")],
            opinion="申请事项属实，建议立案。",
            application=ApplicationInput(
                applicant="兴隆台区某街道办事处",
                received_on=clock.today() - timedelta(days=1),
                request="反映该公司连续两期迟报统计资料，请求依法处理。",
            ),
        )

    def _decided_case(self, agency: Agency) -> None:
        """A case walked through investigation to its decision, with finalised documents."""

        def officer(username: str) -> Officer:
            return Officer.objects.get(user__username=username)

        case = do_open_case(
            acting_user=officer("zhangwei").user,
            agency=agency,
            start_type="ex_officio",
            procedure="ordinary",
            cause="提供不真实统计资料",
            summary="双随机抽查发现工业产值报表与财务账册不符。",
            parties=[
                PartyInput(
                    kind="organisation",
                    name="栾川县某某钼业有限公司",
                    uscc="91410324MA3K2L5P55",
                    legal_representative="刘某某",
                    address="河南省洛阳市栾川县赤土店镇某村",
                )
            ],
            co_handlers=[officer("lina")],
            opinion="涉嫌提供不真实统计资料，建议立案。",
        )
        do_decide_filing(
            acting_user=officer("wangqiang").user,
            case=case,
            step="reviewer",
            decision="approve",
            opinion="同意立案。",
        )
        do_decide_filing(
            acting_user=officer("liujing").user,
            case=case,
            step="approver",
            decision="approve",
            opinion="同意立案。",
        )
        Walk(
            Case.objects.get(pk=case.pk),
            (officer("zhangwei"), officer("lina")),
            officer("wangqiang"),
            officer("liujing"),
            demo_png(),
        ).run()

    def _recording(self) -> None:
        """A scene photo of the first case, stored and registered like any upload."""
        case = Case.objects.order_by("pk").first()
        officer = Officer.objects.get(user__username="zhangwei")
        assert case is not None
        ingested = ingest_stream(
            io.BytesIO(demo_png()),
            "现场照片.png",
            primary_store(),
            max_size=settings.CASETRAIL_MAX_UPLOAD_BYTES,
        )
        do_register_recording(
            acting_user=officer.user,
            case=case,
            source=ingested,
            kind="photo",
            method="执法记录仪拍照",
            recorded_start_at=clock.now() - timedelta(hours=2),
            recorded_end_at=None,
            maker=officer,
            proves="企业统计台账与上报报表数据不一致",
            device_id="DSJ-LC-001",
            place="企业财务室",
        )

    def _print_logins(self) -> None:
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
        for short, people in PEOPLE.items():
            for person in people:
                roles = "、".join(Role(r).label for r in person.roles)
                self.stdout.write(f"  {person.username:<12} {person.name}（{short}，{roles}）")
        self.stdout.write(f"  {SUPERVISOR.username:<12} {SUPERVISOR.name}（两局，上级主管部门）")


def demo_png(width: int = 96, height: int = 64) -> bytes:
    """A small gradient PNG made here, so the demo needs no sample file."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(
        b"\x00" + bytes(v for x in range(width) for v in (x * 2 % 256, y * 3 % 256, 160))
        for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )
