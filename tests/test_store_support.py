"""Shared by the store, dedup and API tests: paths of the fixtures and the ``db`` fixture
(an SQLite file always; PostgreSQL too when MARSAD_TEST_PG_URL names a throwaway database)."""

from __future__ import annotations

import os

import pytest

from tests.conftest import ROOT

REPO_EXAMPLE_TXT = ROOT / "examples" / "daraa_al_balad_2022-11-01.ar.txt"
DATA = ROOT / "tests" / "data"


def _reset_pg(url: str) -> None:
    from sqlalchemy import text

    from marsad.store import create_engine, db_url

    engine = create_engine(db_url(url))
    with engine.begin() as conn:  # every table, whatever later migrations add
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request, tmp_path) -> str:
    """A fresh, empty database: an SQLite file, and PostgreSQL when MARSAD_TEST_PG_URL is set."""
    if request.param == "sqlite":
        return str(tmp_path / "marsad.sqlite")
    url = os.environ.get("MARSAD_TEST_PG_URL")
    if not url:
        pytest.skip("PostgreSQL tests need MARSAD_TEST_PG_URL (a throwaway database; .ci/run starts one)")
    _reset_pg(url)
    return url
