"""The import's overlap of checking and writing: on PostgreSQL the writes run on a database
thread while the next chunk is checked. Whatever the chunking, the outcome is the same, an
error on that thread stops the import cleanly, and the transaction around the import is left
as it was."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection, transaction
from django.db.utils import IntegrityError

from gonghui.members import importing
from gonghui.members.importing import roster_import
from gonghui.members.models import Membership, MembershipEvent, Worker
from gonghui.members.tests.test_import_engine import messy_csv, no_union, person, write_csv

__all__ = ["messy_csv", "no_union"]  # fixtures used by name


def _many_rows(world, count: int) -> list[list]:
    employer = world.employer_a
    return [
        [
            i,
            "王" + "一二三四五六七八九十"[i % 10] + "明",
            person(200 + i, dt.date(1990, 1 + i % 12, 1 + i % 28)),
            "",
            "",
            f"1390000{i:04d}",
            "合同制",
            "2024-05-03",
            employer.name,
            "",
            "",
        ]
        for i in range(count)
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(("chunk", "transaction_rows"), [(2, 5), (3, 3), (4, 9), (50, 50)])
def test_any_chunking_gives_the_same_outcome(world, tmp_path, monkeypatch, chunk, transaction_rows):
    path = write_csv(tmp_path / "r.csv", _many_rows(world, 23))
    monkeypatch.setattr(importing, "CHUNK", chunk)
    monkeypatch.setattr(importing, "TRANSACTION_ROWS", transaction_rows)
    before = Worker.objects.count()
    result = roster_import(by=None, job_or_path=path)
    assert result.counts() == {
        "rows": 23,
        "created": 23,
        "updated": 0,
        "unchanged": 0,
        "rejected": 0,
    }
    assert Worker.objects.count() == before + 23
    new = Worker.objects.filter(name__startswith="王")
    assert Membership.objects.filter(worker__in=new, status="active").count() == 23
    assert MembershipEvent.objects.filter(worker__in=new, kind="joined").count() == 23
    again = roster_import(by=None, job_or_path=path)
    assert again.unchanged == 23 and again.created == again.updated == 0


@pytest.mark.django_db
def test_an_error_while_writing_stops_the_import_and_keeps_earlier_transactions(
    world, tmp_path, monkeypatch
):
    """A key another transaction took meanwhile (here: one that exists) makes the insert fail
    on the database thread: the import reports a conflict at the start of that transaction,
    rows of earlier transactions stay, and the connection goes on working."""
    path = write_csv(tmp_path / "r.csv", _many_rows(world, 12))
    monkeypatch.setattr(importing, "CHUNK", 2)
    monkeypatch.setattr(importing, "TRANSACTION_ROWS", 6)
    taken = world.worker_a.pk
    allocate = importing._BulkWriter.allocate_ids
    calls = []

    def allocate_ids(self, count, cursor=None):
        keys = allocate(self, count, cursor)
        calls.append(count)
        # The fourth chunk (the second transaction) gets a key already in use.
        return [taken, *keys[1:]] if len(calls) == 4 and keys else keys

    monkeypatch.setattr(importing._BulkWriter, "allocate_ids", allocate_ids)
    before = Worker.objects.count()
    result = roster_import(by=None, job_or_path=path)
    assert result.error_code == "conflict"
    assert "row 9" in result.error  # the second transaction's first row (rows start at 3)
    assert Worker.objects.count() == before + 6  # the first transaction's rows
    assert Worker.objects.get(pk=taken).name == world.worker_a.name


@pytest.mark.django_db
def test_foreign_keys_are_deferred_again_after_the_import(world, messy_csv):
    """Inside a transaction that goes on after the import (a caller's, a test's), foreign keys
    are checked at commit again, as Django expects."""
    roster_import(by=None, job_or_path=messy_csv)
    with pytest.raises(IntegrityError), transaction.atomic():
        with connection.cursor() as cursor:
            # A history row of a worker that does not exist: accepted until the check runs.
            cursor.execute(
                "INSERT INTO members_membershipevent (worker_id, organization_id, kind, at, data)"
                " VALUES (%s, %s, 'joined', %s, '{}')",
                [10**12, world.union_a.pk, dt.datetime(2024, 5, 3, tzinfo=dt.UTC)],
            )
            inserted = True
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the check, now
        else:
            connection.check_constraints()
    assert inserted
