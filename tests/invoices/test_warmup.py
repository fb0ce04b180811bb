from invoices.document import warmup


def test_the_warm_up_document_is_valid_so_the_warm_up_really_runs_the_validators(caplog):
    warmup.warm_up()

    assert not [r for r in caplog.records if r.name == warmup.__name__]


def test_a_warm_up_document_that_stops_validating_is_logged_not_raised(monkeypatch, caplog):
    monkeypatch.setitem(warmup._DOCUMENT, "format", "docx")

    warmup.warm_up()

    assert "no longer validates" in caplog.text
