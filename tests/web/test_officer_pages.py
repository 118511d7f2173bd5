"""The officers' pages (issue 17, items 2–3) through the test client: an agency's system
administrator registers, edits, revokes, deactivates and imports; nobody else may."""

from __future__ import annotations

import io
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from casetrail import clock
from casetrail.cases.models import Officer
from casetrail.ledger.models import LedgerEntry
from tests.cases.officer_files import HEADERS, good_rows, xlsx
from tests.personas import PASSWORD, World, make_officer


def admin_client(world: World) -> Client:
    make_officer(world.lc, "sysadmin", "系统管理员", ("admin",))
    client = Client()
    assert client.login(username="sysadmin", password=PASSWORD)
    return client


def test_only_the_agency_administrator_gets_the_pages(world: World) -> None:
    url = reverse("officer-list", args=[world.lc.pk])
    officer = Client()
    assert officer.login(username="zhang", password=PASSWORD)
    assert officer.get(url).status_code == 403
    outsider = Client()
    assert outsider.login(username="colleague", password=PASSWORD)
    assert outsider.get(url).status_code == 404
    admin = admin_client(world)
    page = admin.get(url).content.decode()
    assert "张伟" in page
    assert "已过期" in page  # 过期证, in the warning list too
    assert admin.get(reverse("officer-list", args=[world.xl.pk])).status_code == 404
    foreign = reverse("officer-detail", args=[world.lc.pk, world.colleague.pk])
    assert admin.get(foreign).status_code == 404


def test_register_edit_revoke_and_deactivate(world: World) -> None:
    client = admin_client(world)
    today = clock.today()
    fields = {
        "name": "周新",
        "username": "zhouxin",
        "roles": ["officer"],
        "certificate_number": "豫统执41032400031",
        "certificate_issuer": "河南省统计局",
        "valid_from": (today - timedelta(days=10)).isoformat(),
        "valid_to": (today - timedelta(days=1)).isoformat(),
        "legal_review_certificate_number": "",
    }
    refused = client.post(reverse("officer-new", args=[world.lc.pk]), fields)
    assert "证件有效期止" in refused.content.decode()
    assert "过期的执法证件不能登记" in refused.content.decode()
    assert not Officer.objects.filter(name="周新").exists()

    fields["valid_to"] = (today + timedelta(days=20)).isoformat()
    response = client.post(reverse("officer-new", args=[world.lc.pk]), fields)
    zhou = Officer.objects.get(name="周新")
    assert "已登记 周新" in response.content.decode()
    code = response.context["codes"][0][2]
    url = reverse("officer-detail", args=[world.lc.pk, zhou.pk])
    assert "即将到期" in client.get(url).content.decode()

    new_person = Client()
    activation = {"username": "zhouxin", "code": code.lower(), "password": "zhou-xin-2026!"}
    mismatch = new_person.post(reverse("activate"), {**activation, "password_again": "x"})
    assert "两次输入的密码不一致" in mismatch.content.decode()
    done = new_person.post(
        reverse("activate"), {**activation, "password_again": "zhou-xin-2026!"}, follow=True
    )
    assert "已激活" in done.content.decode()
    assert new_person.login(username="zhouxin", password="zhou-xin-2026!")
    spent = Client().post(reverse("activate"), {**activation, "password_again": "zhou-xin-2026!"})
    assert "激活码已过期、已使用" in spent.content.decode()

    renewed = {**fields, "act": "change", "valid_to": (today + timedelta(days=900)).isoformat()}
    client.post(url, renewed)
    zhou.refresh_from_db()
    assert zhou.certificate_valid_to == today + timedelta(days=900)

    client.post(url, {"act": "grant", "role": "reviewer"})
    assert set(zhou.memberships.values_list("role", flat=True)) == {"officer", "reviewer"}
    twice = client.post(url, {"act": "grant", "role": "reviewer"})
    assert "授予角色：请从列表中选择" in twice.content.decode()

    client.post(url, {"act": "revoke", "revoked_on": today.isoformat(), "reason": "违纪"})
    zhou.refresh_from_db()
    assert zhou.certificate_revoked_on == today
    assert "已吊销" in client.get(url).content.decode()

    client.post(reverse("officer-deactivate", args=[world.lc.pk, zhou.pk]))
    zhou.refresh_from_db()
    assert zhou.deactivated_on == today
    actions = set(LedgerEntry.objects.values_list("action", flat=True))
    acts = {
        "officer.change",
        "officer.grant_role",
        "officer.revoke_certificate",
        "officer.deactivate",
    }
    assert acts <= actions


def test_import_previews_then_imports_the_same_file(world: World) -> None:
    client = admin_client(world)
    url = reverse("officer-import", args=[world.lc.pk])
    upload = SimpleUploadedFile("人员.xlsx", xlsx(good_rows()))
    preview = client.post(url, {"file": upload})
    assert "预览：新增 3 人" in preview.content.decode()
    assert not Officer.objects.filter(name="周新").exists()
    digest = preview.context["digest"]
    done = client.post(url, {"confirm": digest})
    assert "已导入并记入账本" in done.content.decode()
    assert {row[0] for row in done.context["codes"]} == {"zhouxin", "wuming", "zhengping"}
    assert Officer.objects.filter(name="周新").exists()
    assert client.post(url, {"confirm": digest}, follow=True).redirect_chain  # used up


def test_a_bad_file_lists_its_problems(world: World) -> None:
    client = admin_client(world)
    rows = good_rows()
    rows[1][6] = "局长"
    upload = SimpleUploadedFile("人员.xlsx", xlsx(rows))
    page = client.post(reverse("officer-import", args=[world.lc.pk]), {"file": upload})
    body = page.content.decode()
    assert "未导入任何人员" in body
    assert "第 3 行 角色" in body
    assert "确认导入" not in body


def test_the_template_is_an_xlsx_with_the_headers(world: World) -> None:
    client = admin_client(world)
    response = client.get(reverse("officer-template", args=[world.lc.pk]))
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    headers = [cell.value for cell in next(sheet.iter_rows(max_row=1))]
    assert headers == [*HEADERS, "法制审核资格证号"]
