"""Ledger references the database no longer checks, and indexes nothing reads dropped.

- The entry's agency: every writer of an agency locked the same agency row (``FOR KEY SHARE``)
  to check it, a shared multixact lock per append on one hot row.
- A leaf's entry and agency, a stored hash's agency: derived rows, written thousands to a
  statement by the integrator; checking each leaf's entry locked, and so rewrote, the page of
  every entry it placed.

All stay Django relations with ``on_delete=PROTECT``, and `casetrail verify` checks each of
them. The single-column agency indexes are covered by (agency, index) and (agency, position);
the entry's by the new (agency, id), which verify reads in. Nothing looks entries up by actor.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0005_limitation"),
        ("ledger", "0002_sequence_without_outbox"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="ledgerentry",
            name="actor",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="ledgerentry",
            name="agency",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="cases.agency",
            ),
        ),
        migrations.AlterField(
            model_name="ledgerhash",
            name="agency",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="cases.agency",
            ),
        ),
        migrations.AlterField(
            model_name="ledgerleaf",
            name="agency",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="cases.agency",
            ),
        ),
        migrations.AlterField(
            model_name="ledgerleaf",
            name="entry",
            field=models.OneToOneField(
                db_constraint=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="leaf",
                to="ledger.ledgerentry",
            ),
        ),
        migrations.AddIndex(
            model_name="ledgerentry",
            index=models.Index(fields=["agency", "id"], name="ledger_entry_agency"),
        ),
    ]
