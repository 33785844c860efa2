"""The page that documents the API, the schema it serves, and the explorer."""

import re

import pytest
from django.contrib.staticfiles import finders

from config.api import api

pytestmark = pytest.mark.django_db


def test_the_documentation_page_lists_every_operation_in_korean_and_english(client):
    korean = client.get("/api/")
    assert korean.status_code == 200
    page = korean.content.decode()
    assert "공공데이터 API" in page
    assert "http://testserver/api/v1/openapi.json" in page
    assert "curl " in page
    for path in api.get_openapi_schema()["paths"]:
        assert f"<code>{path.removeprefix('/api/v1')}</code>" in page, path

    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = client.get("/api/").content.decode()
    assert "Open-data API" in english
    assert "No personal data" in english


def test_every_page_links_to_it(client):
    home = client.get("/").content.decode()
    assert 'href="/api/"' in home


def test_the_schema_documents_pages_refusals_and_languages(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "Chamyeo open data"
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            assert method == "get", path  # read-only
            assert {"200", "404", "422"} <= set(operation["responses"]), path
            names = {p["name"] for p in operation["parameters"]}
            assert "lang" in names, path
            if "{" not in path and "turnout" not in path:
                assert {"limit", "offset"} <= names, path


def test_the_explorer_loads_nothing_from_elsewhere(client):
    page = client.get("/api/v1/docs").content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert sources
    for source in sources:
        assert source.startswith("/static/"), source
        assert finders.find(source.removeprefix("/static/")), source
    assert "<script>" not in page  # no inline script (the CSP allows none)
