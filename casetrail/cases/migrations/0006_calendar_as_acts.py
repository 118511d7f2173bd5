"""The working-day calendar becomes ledgered history (issue 14, item 5).

The editable `CalendarDay`/`CalendarYear` tables are replaced by insert-only versions written by
`do_set_calendar_year`. Rows of the old tables were never ledgered, so they are not carried
over silently: if any exist, the migration stops and says how to re-enter them as acts.
"""

from __future__ import annotations

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def refuse_unledgered_calendar(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    day = apps.get_model("cases", "CalendarDay")
    year = apps.get_model("cases", "CalendarYear")
    using = schema_editor.connection.alias
    years = sorted(
        set(year.objects.using(using).values_list("year", flat=True))
        | {d.year for d in day.objects.using(using).values_list("day", flat=True)}
    )
    if years:
        listed = "、".join(str(y) for y in years)
        raise RuntimeError(
            f"工作日历：旧表中有未记账的 {listed} 年的数据。请先记下这些年份的放假与调休安排，"
            "删除旧表 cases_calendarday、cases_calendaryear 中的行后再运行 migrate，"
            "然后在 /calendar/<年份>/ 页面重新录入（每次录入都记入账本）。"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0005_limitation"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(refuse_unledgered_calendar, migrations.RunPython.noop),
        migrations.DeleteModel(name="CalendarDay"),
        migrations.DeleteModel(name="CalendarYear"),
        migrations.CreateModel(
            name="CalendarYear",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("year", models.IntegerField(verbose_name="年份")),
                (
                    "source",
                    models.CharField(max_length=200, verbose_name="依据（国务院办公厅通知文号）"),
                ),
                ("entered_at", models.DateTimeField(verbose_name="录入时间")),
                (
                    "entered_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "工作日历（年度放假安排）",
                "verbose_name_plural": "工作日历（年度放假安排）",
                "ordering": ["year", "id"],
                "indexes": [models.Index(fields=["year", "id"], name="calendar_year_latest")],
            },
        ),
        migrations.CreateModel(
            name="CalendarDay",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("day", models.DateField(verbose_name="日期")),
                ("is_working_day", models.BooleanField(verbose_name="是否工作日")),
                ("name", models.CharField(max_length=50, verbose_name="说明")),
                (
                    "calendar",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="days",
                        to="cases.calendaryear",
                    ),
                ),
            ],
            options={
                "verbose_name": "工作日历（调整日）",
                "verbose_name_plural": "工作日历（调整日）",
                "ordering": ["day"],
                "constraints": [
                    models.UniqueConstraint(fields=("calendar", "day"), name="one_entry_per_day")
                ],
            },
        ),
    ]
