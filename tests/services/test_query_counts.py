"""The statements each step of an invoice's life sends to PostgreSQL, pinned.

Every statement is a round trip and CPU in PostgreSQL and in our process; BENCHMARKS.md's CPU profile
counts them per invoice. A change that adds one to the upload, the render or the email shows up here
first, with the statements listed.
"""

import re

import pytest
from django.db import NotSupportedError, connection
from django.test.utils import CaptureQueriesContext

from invoices import services
from invoices.models import Brand, BrandVersion, Invoice
from invoices.notifications import notification_send
from invoicesite import sqlnames
from tests.payloads import sample_payload


def statements(context: CaptureQueriesContext) -> list[str]:
    """Each message's SQL, a prepared statement's EXECUTE shown as the text it runs (the values are the
    EXECUTE's). SAVEPOINTs are the test's own transaction wrapping (the db fixture), not the service's."""
    return [
        "; ".join(_text(part) for part in query["sql"].split("; "))
        for query in context.captured_queries
        if "SAVEPOINT" not in query["sql"]
    ]


def _text(sql: str) -> str:
    if not sql.startswith("EXECUTE "):
        return sql
    name = sql.removeprefix("EXECUTE ").split("(", 1)[0]
    text = sqlnames.prepared_text(name)
    assert text is not None, f"{sql}: not a statement of sqlnames.execute"
    return text


def test_the_fixed_statements_are_prepared_once_per_connection(user):
    """The hot paths' statements run as EXECUTEs of statements this connection prepared (the PREPARE itself
    is not a query of the step), and the server has each of them once."""
    with CaptureQueriesContext(connection) as first:
        services.invoice_submit(owner=user, payload=sample_payload(fmt="csv"))
    payload = sample_payload(fmt="csv")
    payload["invoice"]["number"] = "INV-2"
    with CaptureQueriesContext(connection) as second:
        services.invoice_submit(owner=user, payload=payload)
    sent = [query["sql"] for query in second.captured_queries if "SAVEPOINT" not in query["sql"]]
    assert all(sql.startswith("EXECUTE sqlnames_") for sql in sent), sent
    assert len(first.captured_queries) == len(second.captured_queries)
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, statement FROM pg_prepared_statements WHERE name LIKE 'sqlnames_%%'")
        prepared = dict(cursor.fetchall())
    names = {sql.removeprefix("EXECUTE ").split("(", 1)[0] for query in sent for sql in query.split("; ")}
    assert names <= prepared.keys()
    for name in names:  # the server runs our text, with $1, $2, ... where the values go
        assert prepared[name].startswith(f"PREPARE {name} AS ")
        text = re.sub(r"\$\d+", "%s", prepared[name].removeprefix(f"PREPARE {name} AS "))
        assert text == sqlnames.prepared_text(name)


@pytest.fixture
def submitted(user, local_invoice_storage):
    return services.invoice_submit(owner=user, payload=sample_payload(fmt="csv")).invoice


def test_without_prepared_statements_the_statements_go_as_text(user, settings):
    # DATABASE_PREPARED_STATEMENTS=0, for a pooler in transaction mode: nothing prepared, the same statements.
    settings.DATABASE_PREPARED_STATEMENTS = False
    with CaptureQueriesContext(connection) as context:
        services.invoice_submit(owner=user, payload=sample_payload(fmt="csv"))
    sent = [query["sql"] for query in context.captured_queries if "SAVEPOINT" not in query["sql"]]
    assert len(sent) == 6, sent
    assert not any("EXECUTE" in sql or "PREPARE" in sql for sql in sent), sent
    assert sent[1].startswith('INSERT INTO "invoices_invoice"')


@pytest.mark.django_db(transaction=True)
def test_a_new_connection_prepares_its_statements_again(user, local_invoice_storage):
    """A reconnect (the database restarted, CONN_MAX_AGE passed) starts a session with none prepared."""
    services.invoice_submit(owner=user, payload=sample_payload(fmt="csv"))
    connection.close()
    payload = sample_payload(fmt="csv")
    payload["invoice"]["number"] = "INV-2"
    invoice = services.invoice_submit(owner=user, payload=payload).invoice
    services.invoice_render(invoice_id=invoice.id)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE name LIKE 'sqlnames_%%'")
        assert cursor.fetchone()[0] >= 10  # this session's own: the upload's and the render's
    invoice.refresh_from_db()
    assert invoice.status == "ready"


def test_an_upload_inserts_the_invoice_its_renditions_and_their_jobs(user):
    # The number's uniqueness costs no query: the unique constraint answers, and only a conflict reads.
    with CaptureQueriesContext(connection) as context:
        services.invoice_submit(owner=user, payload=sample_payload(fmt="csv"))
    sql = statements(context)
    assert len(sql) == 6, sql
    # The account's default brand's current version, if it has one (fixed SQL: a join from the brand).
    assert 'FROM "invoices_brand" INNER JOIN "invoices_brandversion"' in sql[0]
    assert sql[1].startswith('INSERT INTO "invoices_invoice"')
    assert sql[2].startswith('INSERT INTO "invoices_rendition"')  # one statement for every format
    assert sql[3].startswith('INSERT INTO "workers_outboxmessage"')
    # The ledger's issued entry, last in the transaction so the chain stays locked for the shortest time:
    # the owner's chain locked (a statement of its own, so the head read after it sees an entry committed
    # while it waited) and its head read, sent as one message; the entry inserted. No brand version read:
    # the invoice names none.
    assert sql[4].startswith("SELECT pg_advisory_xact_lock(")
    assert sql[4].endswith('"invoices_ledgerentry" WHERE "owner_id" = %s ORDER BY "position" DESC LIMIT 1')
    assert sql[5].startswith('INSERT INTO "invoices_ledgerentry"')


def test_an_upload_with_a_default_brand_reads_the_brand_and_its_version_in_one_statement(user):
    brand = Brand.objects.create(owner=user, name="Acme", is_default=True)
    brand.current = BrandVersion.objects.create(brand=brand, version=1, layout="modern")
    brand.save(update_fields=["current"])
    with CaptureQueriesContext(connection) as context:
        invoice = services.invoice_submit(owner=user, payload=sample_payload(fmt="csv")).invoice
    sql = statements(context)
    assert invoice.brand_version_id == brand.current_id
    assert len(sql) == 6, sql  # as many as without a brand: the version comes with the brand
    assert 'FROM "invoices_brand" INNER JOIN "invoices_brandversion"' in sql[0]
    assert not any(statement.startswith('SELECT "invoices_brandversion"') for statement in sql[1:])
    # Loaded by that statement, whole, for the ledger's entry (its layout) without another read.
    assert Invoice.brand_version.is_cached(invoice)
    assert invoice.brand_version is not None
    assert invoice.brand_version.layout == "modern"


def test_a_render_reads_claims_and_finishes_in_seven_messages(submitted):
    with CaptureQueriesContext(connection) as context:
        services.invoice_render(invoice_id=submitted.id, fmt="csv")  # as the render consumer calls it
    sql = statements(context)
    assert len(sql) == 7, sql
    # The claim and the reads in one message, the read after the claim: the rendition's compare-and-set and
    # the invoice queued -> rendering, then the invoice, its owner (the ready email's address) and every
    # rendition (the one to render, and all formats).
    claim, read = sql[0].split("; ")
    assert claim.startswith('WITH claimed AS (UPDATE "invoices_rendition"')
    assert 'UPDATE "invoices_invoice"' in claim
    assert read.startswith('SELECT "invoices_invoice"."id"')
    assert 'INNER JOIN "accounts_user"' in read
    assert 'LEFT OUTER JOIN "invoices_rendition"' in read
    # Ready, in one message: the invoice's lock, the rendition's compare-and-set, every rendition's status
    # read after the lock.
    # (Split by what each starts with: a value, the content type, holds "; " itself.)
    assert sql[1].startswith('SELECT "invoices_invoice"."rendered_at" FROM "invoices_invoice"')
    lock_at = sql[1].index("FOR UPDATE")
    ready_at = sql[1].index('; UPDATE "invoices_rendition" SET "status"')
    statuses_at = sql[1].index('; SELECT "invoices_rendition"."status"')
    assert lock_at < ready_at < statuses_at
    assert sql[2].startswith('UPDATE "invoices_invoice"')  # the aggregate
    assert sql[3].startswith('INSERT INTO "invoices_notification"')  # its job is published after the commit
    # The owner's webhook endpoints, once for both events (a file ready, the invoice ready): none here.
    assert sql[4].startswith('SELECT "webhooks_webhookendpoint"')
    # The file's ledger entry, last in the transaction so the chain stays locked for the shortest time: the
    # chain's lock and its head in one message, then the entry (the input's hash comes from the invoice
    # already read, so no statement reads the input again).
    assert sql[5].startswith("SELECT pg_advisory_xact_lock(")
    assert '; SELECT "position", "entry_hash" FROM "invoices_ledgerentry"' in sql[5]
    assert sql[6].startswith('INSERT INTO "invoices_ledgerentry"')
    assert not any('"invoices_invoice"."input"' in statement for statement in sql[1:])


def test_a_job_from_before_renditions_claims_the_first_format(submitted):
    # A message without a format (queued before renditions existed) means the invoice's first format.
    with CaptureQueriesContext(connection) as context:
        services.invoice_render(invoice_id=submitted.id)
    sql = statements(context)
    assert len(sql) == 7, sql
    assert "COALESCE(" in sql[0].split("; ")[0]
    submitted.refresh_from_db()
    assert submitted.status == "ready"
    assert submitted.renditions.get().attempts == 1


def test_an_email_locks_its_row_without_the_invoice_document_and_marks_it_sent(submitted):
    services.invoice_render(invoice_id=submitted.id)
    with CaptureQueriesContext(connection) as context:
        notification_send(invoice_id=submitted.id, kind="ready")
    sql = statements(context)
    # Four since the email carries download links that open without a login: one INSERT for all of them.
    assert len(sql) == 4, sql
    assert "FOR UPDATE" in sql[0]
    assert '"invoices_invoice"."input"' not in sql[0]
    assert sql[1].startswith('SELECT "invoices_rendition"')  # the email links every file
    assert sql[2].startswith('INSERT INTO "invoices_downloadlink"')  # one link per ready file
    assert sql[3].startswith('UPDATE "invoices_notification"')


@pytest.mark.django_db(transaction=True)
def test_a_statement_whose_result_type_a_migration_changed_is_prepared_again():
    """PostgreSQL refuses a prepared SELECT whose columns changed type ("cached plan must not change result
    type"): that call fails, and the next one prepares the statement afresh on the same connection."""
    sql = "SELECT amount FROM sqlnames_probe WHERE amount = %s"
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE sqlnames_probe (amount integer)")
        try:
            cursor.execute("INSERT INTO sqlnames_probe VALUES (7)")
            sqlnames.execute(cursor, sql, [7])
            assert cursor.fetchall() == [(7,)]
            cursor.execute("ALTER TABLE sqlnames_probe ALTER COLUMN amount TYPE bigint")
            with pytest.raises(NotSupportedError, match="cached plan must not change result type"):
                sqlnames.execute(cursor, sql, [7])
            sqlnames.execute(cursor, sql, [7])
            assert cursor.fetchall() == [(7,)]
        finally:
            cursor.execute("DROP TABLE sqlnames_probe")
