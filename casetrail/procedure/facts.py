"""What the procedure rules see of a case: plain, frozen facts built by a selector.

Rules are pure functions of these facts (and of the draft act being checked), so the actions,
the case page ("what is still missing") and the compliance report all ask the same functions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from casetrail.policy.catalogue import DocumentKind
from casetrail.policy.profiles import PolicyProfile
from casetrail.procedure.rules.certificates import Certificate, certificate_valid_on
from casetrail.procedure.rules.start import SignedStep, chain_outcome
from casetrail.procedure.workdays import WorkdayCalendar


@dataclass(frozen=True)
class OfficerFacts:
    officer_id: int
    name: str
    certificate_number: str
    certificate_valid_from: date | None
    certificate_valid_to: date | None
    roles: frozenset[str] = frozenset()
    legal_review_qualified: bool = False  # 法律职业资格 (行政处罚法 第58条 第2款)
    certificate_revoked_on: date | None = None

    def certificate_valid_on(self, day: date) -> bool:
        certificate = Certificate(
            self.certificate_number,
            self.certificate_valid_from,
            self.certificate_valid_to,
            self.certificate_revoked_on,
        )
        return certificate_valid_on(certificate, day)


@dataclass(frozen=True)
class SignatureFacts:
    signer: str
    name: str
    method: str
    officer_id: int | None = None


@dataclass(frozen=True)
class RefusalFacts:
    signer: str
    person_name: str
    reason: str
    witnessed: bool


@dataclass(frozen=True)
class ServiceFacts:
    method: str
    served_on: date | None
    recipient: str
    details: Mapping[str, Any] = field(default_factory=dict)

    @property
    def completed_on(self) -> date | None:
        """The day the agency completed its act of service: the publication day of a public
        notice (which counts as served only 30 days later, 民事诉讼法 第九十五条), else the day
        it was served."""
        published = self.details.get("published_on")
        if self.method == "public_notice" and self.served_on and isinstance(published, str):
            return date.fromisoformat(published)
        return self.served_on


@dataclass(frozen=True)
class DocFacts:
    document_id: int
    kind: str
    fields: Mapping[str, Any]
    created_at: datetime
    created_on: date
    finalised_on: date | None = None
    number: str = ""
    signatures: tuple[SignatureFacts, ...] = ()
    refusals: tuple[RefusalFacts, ...] = ()
    services: tuple[ServiceFacts, ...] = ()
    superseded: bool = False

    @property
    def final(self) -> bool:
        return self.finalised_on is not None

    @property
    def served_on(self) -> date | None:
        """The first date the document counts as served (any method with a date)."""
        days = [s.served_on for s in self.services if s.served_on is not None]
        return min(days) if days else None

    @property
    def service_completed_on(self) -> date | None:
        """The first day the agency completed a service (a public notice: when published);
        the period for serving a decision is kept by this day (行政处罚法 第六十一条)."""
        days = [d for s in self.services if (d := s.completed_on) is not None]
        return min(days) if days else None


@dataclass(frozen=True)
class ChainFacts:
    """One internal approval chain (Seed B art. 33): its subject, the document it approves."""

    subject: str
    document_id: int | None
    steps: tuple[SignedStep, ...]
    approved_on: date | None = None

    @property
    def outcome(self) -> Literal["pending", "approved", "rejected"]:
        return chain_outcome(self.steps)


@dataclass(frozen=True)
class PartyFacts:
    party_id: int
    kind: str  # "person" | "organisation"
    name: str
    address: str
    individual_business: bool = False


@dataclass(frozen=True)
class CaseFacts:
    case_id: int
    case_number: str
    procedure: str  # "ordinary" | "summary"
    start_type: str
    stage: str
    opened_on: date
    filed_on: date | None
    major: bool
    complex_case: bool
    legal_review_required: bool
    parties: tuple[PartyFacts, ...]
    handler_ids: frozenset[int]
    officers: Mapping[int, OfficerFacts]  # every officer of the agency, by id
    documents: tuple[DocFacts, ...]
    chains: tuple[ChainFacts, ...]
    catalogue: Mapping[str, DocumentKind]
    profile: PolicyProfile
    calendar: WorkdayCalendar
    today: date

    def current(self, kind: str) -> list[DocFacts]:
        """The documents of *kind* that no later document supersedes."""
        return [d for d in self.documents if d.kind == kind and not d.superseded]

    def final(self, kind: str) -> list[DocFacts]:
        return [d for d in self.current(kind) if d.final]

    def latest_final(self, kind: str) -> DocFacts | None:
        found = self.final(kind)
        return found[-1] if found else None

    def document(self, document_id: int) -> DocFacts | None:
        return next((d for d in self.documents if d.document_id == document_id), None)

    def chain(self, subject: str, document_id: int | None = None) -> ChainFacts | None:
        """The latest chain of *subject* (for *document_id*, when given)."""
        found = [
            c
            for c in self.chains
            if c.subject == subject and (document_id is None or c.document_id == document_id)
        ]
        return found[-1] if found else None

    def party(self, party_id: int) -> PartyFacts | None:
        return next((p for p in self.parties if p.party_id == party_id), None)


@dataclass(frozen=True)
class Draft:
    """A document about to be created: its kind, checked fields, author and day."""

    kind: DocumentKind
    fields: Mapping[str, Any]
    author_id: int
    on: date
    supersedes: int | None = None
