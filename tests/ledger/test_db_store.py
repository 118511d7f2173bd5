"""The database store meets the same contract as the in-memory one (tests/ledger/tree_contract.py),
through the real integrator, on SQLite and PostgreSQL, with SHA-256 and SM3."""

from __future__ import annotations

import itertools

import pytest
from pytest_django import Settings

from casetrail import clock
from casetrail.cases.models import Agency
from casetrail.ledger.append import open_log
from casetrail.ledger.config import ledger_hash
from casetrail.ledger.entry_tags import entry_key, entry_tag
from casetrail.ledger.integrate import DbHashStore, integrate_all
from casetrail.ledger.merkle import HashFn, sha256, sm3
from casetrail.ledger.models import LedgerEntry
from casetrail.policy.profiles import builtin_profile_text
from tests.ledger.tree_contract import CONTRACT_CHECKS, ContractCheck

_numbers = itertools.count()


class IntegratedStore(DbHashStore):
    """An empty agency log whose leaves go in as recorded entries and come out integrated.

    The agency row is made directly (not by `do_create_agency`, whose own ledger entry would
    make the log non-empty): the contract needs a log that starts at size 0.
    """

    def __init__(self) -> None:
        number = next(_numbers)
        agency = Agency.objects.create(
            name=f"合约测试局{number}",
            short_name=f"合{number}",
            code=f"contract-{number}",
            profile_key="luanchuan-2020",
            profile_source=builtin_profile_text("luanchuan-2020"),
            created_at=clock.now(),
        )
        open_log(agency)
        super().__init__(agency.pk)

    def append_leaf_hashes(self, leaf_hashes: list[bytes]) -> None:
        for leaf in leaf_hashes:
            entry = LedgerEntry(
                agency_id=self.agency_id,
                action="contract",
                recorded_at=clock.now(),
                payload="{}",
                leaf_hash=leaf.hex(),
                tag=entry_tag(leaf, entry_key(), ledger_hash()),  # as the application tags
            )
            entry.save()
        integrate_all(self.agency_id)


@pytest.mark.django_db
@pytest.mark.parametrize("hash_name", ["sha256", "sm3"])
@pytest.mark.parametrize("check", CONTRACT_CHECKS, ids=lambda check: check.__name__)
def test_database_store_contract(check: ContractCheck, hash_name: str, settings: Settings) -> None:
    settings.CASETRAIL_LEDGER_HASH = hash_name
    functions: dict[str, HashFn] = {"sha256": sha256, "sm3": sm3}
    check(IntegratedStore, functions[hash_name])
