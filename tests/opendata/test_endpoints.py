"""What a program reading the open-data API notices: pages, filters, languages, reasons for
refusals, CORS, caching, and figures that agree with the published results and downloads."""

import hashlib

import pytest
from django.core.cache import cache
from django.urls import reverse

from budgeting.models import Allocation
from budgeting.models import TallyRun
from proposals.models import Proposal

pytestmark = pytest.mark.django_db

API = "/api/v1"


def _get(client, path: str, status: int = 200, **environ):
    response = client.get(f"{API}{path}", **environ)
    assert response.status_code == status, (path, response.status_code, response.content[:300])
    return response.json()


def _visible(city) -> list[Proposal]:
    return [*city.on_ballot, city.rejected, city.infeasible, city.merged, *city.voting_proposals]


# --- pages ----------------------------------------------------------------------------------------
def test_pages_cover_every_proposal_once_and_link_to_each_other(client, city):
    page = _get(client, "/proposals?limit=5")
    assert page["count"] == len(_visible(city)) == 12
    assert page["limit"] == 5
    assert page["previous"] is None
    seen = [item["id"] for item in page["items"]]
    while page["next"]:
        page = client.get(page["next"]).json()
        assert page["previous"] is not None
        seen += [item["id"] for item in page["items"]]
    assert sorted(seen) == sorted(p.pk for p in _visible(city))
    assert len(seen) == len(set(seen))

    beyond = _get(client, "/proposals?offset=500")
    assert beyond["items"] == []
    assert beyond["count"] == 12
    assert beyond["next"] is None


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=101", "limit"),
        ("limit=0", "limit"),
        ("offset=-1", "offset"),
        ("limit=ten", "limit"),
        ("offset=1000001", "offset"),
    ],
)
def test_page_bounds_are_refused_with_the_parameter_named(client, db, query, field):
    body = _get(client, f"/proposals?{query}", status=422)
    assert [error["loc"] for error in body["detail"]] == [["query", field]]
    assert body["detail"][0]["msg"]


# --- filters --------------------------------------------------------------------------------------
def test_proposal_filters_narrow_the_list(client, city):
    def ids(query):
        return {item["id"] for item in _get(client, f"/proposals?limit=100&{query}")["items"]}

    published = {p.pk for p in _visible(city) if p.cycle_id == city.published.pk}
    assert ids(f"cycle={city.published.slug}") == published
    assert ids(f"scope={city.citywide_scope.pk}") == {
        p.pk for p in _visible(city) if p.scope_id == city.citywide_scope.pk
    }
    assert ids("district=bupyeong-gu") == {
        p.pk for p in _visible(city) if p.scope_id == city.district_scope.pk
    }
    assert ids("policy_area=transport") == {
        p.pk for p in _visible(city) if p.policy_area.slug == "transport"
    }
    assert ids(f"status=on_ballot&cycle={city.published.slug}") == {p.pk for p in city.on_ballot}
    assert ids("status=infeasible") == {city.infeasible.pk}
    assert ids("cycle=no-such-cycle") == set()
    for status in ("draft", "withdrawn", "anything"):
        _get(client, f"/proposals?status={status}", status=422)


def test_other_filters(client, city):
    cycles = _get(client, "/cycles?phase=voting")["items"]
    assert [c["slug"] for c in cycles] == [city.voting.slug]
    assert [c["slug"] for c in _get(client, "/cycles?year=2026")["items"]] == [city.published.slug]
    scopes = _get(client, "/scopes?district=bupyeong-gu")["items"]
    assert [s["id"] for s in scopes] == [city.district_scope.pk]
    areas = _get(client, f"/policy-areas?cycle={city.published.slug}")["items"]
    assert [a["slug"] for a in areas] == ["welfare", "transport"]

    decisions = _get(
        client, f"/audit-events?cycle={city.published.slug}&type=council_decision_recorded"
    )
    assert decisions["count"] == 7  # six on the ballot, one rejected
    assert {e["type"] for e in decisions["items"]} == {"council_decision_recorded"}
    about_one = _get(client, f"/audit-events?proposal={city.rejected.pk}")["items"]
    assert {e["type"] for e in about_one} == {"proposal_submitted", "council_decision_recorded"}
    assert all(e["subject"] == {"kind": "proposal", "id": str(city.rejected.pk)} for e in about_one)

    done = _get(client, "/implementation-updates?status=done")["items"]
    assert [u["status"] for u in done] == ["done"]
    assert done[0]["percent_done"] == 100
    cuts = _get(client, f"/budget-cuts?cycle={city.published.slug}")["items"]
    assert [(c["kind"], c["amount_won"]) for c in cuts] == [("reduced", 10_000_000)]
    assert cuts[0]["reason"] == "시의회 예산 심의에서 감액"


# --- languages ------------------------------------------------------------------------------------
def test_names_and_labels_follow_lang_or_accept_language(client, city):
    korean = _get(client, "/policy-areas")
    assert [a["name"] for a in korean["items"]] == ["복지", "교통"]
    english = client.get(f"{API}/policy-areas?lang=en")
    assert english.headers["Content-Language"] == "en"
    assert [a["name"] for a in english.json()["items"]] == ["Welfare", "Transport"]
    by_header = _get(client, "/policy-areas", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert [a["name"] for a in by_header["items"]] == ["Welfare", "Transport"]
    # ?lang wins over the header; an unknown header language falls back to Korean
    assert (
        _get(client, "/policy-areas?lang=ko", HTTP_ACCEPT_LANGUAGE="en")["items"][0]["name"]
        == "복지"
    )
    assert _get(client, "/policy-areas", HTTP_ACCEPT_LANGUAGE="fr")["items"][0]["name"] == "복지"

    cycle_en = _get(client, f"/cycles/{city.published.slug}?lang=en")
    assert cycle_en["phase_label"] == "Results"
    assert {s["name"] for s in cycle_en["scopes"]} == {"Bupyeong-gu", "City-wide"}
    assert _get(client, f"/cycles/{city.published.slug}")["phase_label"] == "결과 공개"

    body = _get(client, "/policy-areas?lang=fr", status=422)
    assert body["detail"][0]["loc"] == ["query", "lang"]


# --- refusals -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/cycles/no-such-cycle", 404),
        ("/cycles/no-such-cycle/turnout", 404),
        ("/proposals/987654321", 404),
        ("/results/987654321", 404),
        ("/results/987654321/allocations", 404),
        ("/cycles/bad%20slug!", 422),
        ("/proposals/0", 422),
        ("/proposals/-3", 422),
        ("/proposals/abc", 422),
        ("/proposals/99999999999999999999999", 422),
        ("/proposals?scope=0", 422),
        ("/audit-events?type=nonsense", 422),
        ("/results/1/allocations?funded=maybe", 422),
    ],
)
def test_bad_input_gets_a_4xx_with_a_reason(client, db, path, status):
    body = _get(client, path, status=status)
    assert body["detail"]  # a sentence for 404, the refused parameters for 422


# --- CORS and cache -------------------------------------------------------------------------------
def test_any_origin_may_read_but_nothing_else(client, db):
    response = client.get(f"{API}/cycles", headers={"Origin": "https://news.example"})
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response
    preflight = client.options(
        f"{API}/cycles",
        headers={"Origin": "https://news.example", "Access-Control-Request-Method": "GET"},
    )
    assert preflight.status_code == 204
    assert preflight["Access-Control-Allow-Origin"] == "*"
    assert preflight["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    assert "Access-Control-Allow-Credentials" not in preflight
    post = client.post(f"{API}/cycles", headers={"Origin": "https://news.example"})
    assert post.status_code == 405
    assert "Access-Control-Allow-Origin" not in post
    assert "Access-Control-Allow-Origin" not in client.get("/")


def test_answers_are_cached_per_url_and_language(client, city, settings):
    first = client.get(f"{API}/proposals?cycle={city.published.slug}")
    assert "max-age=60" in first["Cache-Control"]
    Proposal.objects.filter(pk=city.rejected.pk).update(title="바뀐 제목")
    again = client.get(f"{API}/proposals?cycle={city.published.slug}")
    assert again.content == first.content  # the same URL within a minute: the cached answer
    english = client.get(f"{API}/proposals?cycle={city.published.slug}&lang=en")
    assert "바뀐 제목" in english.content.decode()  # another language is another answer

    settings.CHAMYEO_API_CACHE_SECONDS = 0
    fresh = client.get(f"{API}/proposals?cycle={city.published.slug}")
    assert "바뀐 제목" in fresh.content.decode()


def test_answers_do_not_depend_on_who_asks(client, city):
    anonymous = client.get(f"{API}/proposals/{city.on_ballot[0].pk}?lang=en").content
    client.force_login(city.on_ballot[0].author)
    cache.clear()
    signed_in = client.get(f"{API}/proposals/{city.on_ballot[0].pk}?lang=en")
    assert signed_in.content == anonymous
    assert "Set-Cookie" not in signed_in


# --- results --------------------------------------------------------------------------------------
def test_results_agree_with_allocations_and_downloads(client, city):
    results = _get(client, f"/results?cycle={city.published.slug}")["items"]
    assert {r["scope"]["id"] for r in results} == {city.district_scope.pk, city.citywide_scope.pk}
    for result in results:
        run = TallyRun.objects.get(pk=result["id"])
        lines = _get(client, f"/results/{result['id']}/allocations?limit=100")["items"]
        assert [line["rank"] for line in lines] == sorted(line["rank"] for line in lines)
        assert sum(line["cost_won"] for line in lines if line["funded"]) == result["allocated_won"]
        assert result["allocated_won"] + result["left_over_won"] == result["budget_won"]
        assert result["funded_projects"] == sum(line["funded"] for line in lines)
        assert result["ballots"] == run.ballot_count
        assert all(line["reason"] for line in lines)
        assert {line["funded_by_greedy"] is not None for line in lines} == {True}  # MES vs greedy
        funded = _get(client, f"/results/{result['id']}/allocations?funded=true")["items"]
        assert {line["proposal_id"] for line in funded} == {
            line["proposal_id"] for line in lines if line["funded"]
        }
        assert {d["format"] for d in result["downloads"]} == {"csv", "json", "pb"}
        for download in result["downloads"]:
            body = b"".join(client.get(download["url"]).streaming_content)
            assert hashlib.sha256(body).hexdigest() == download["sha256"]
            if download["format"] == "pb":
                assert download["sha256"] == result["fingerprint_sha256"] == run.fingerprint
        assert result["url"].endswith(
            reverse(
                "results:results-scope",
                kwargs={"slug": city.published.slug, "scope_pk": result["scope"]["id"]},
            )
        )


def test_a_proposal_tells_its_whole_story(client, city):
    funded = Allocation.objects.filter(
        is_funded=True, tally_run__is_official=True, tally_run__published_at__isnull=False
    ).first()
    detail = _get(client, f"/proposals/{funded.proposal_id}")
    assert detail["result"] == {
        "result_id": funded.tally_run_id,
        "rank": funded.rank,
        "votes": funded.votes,
        "points": funded.points,
        "cost_won": funded.cost_won,
        "funded": True,
    }
    assert detail["council_decision"]["decision"] == "on_ballot"
    assert detail["council_decision"]["public_reason"] == "주민 수요가 큽니다"
    assert detail["review"]["verdict_counts"] == {"feasible": 1}
    assert detail["review"]["rubric"] == [
        {"criterion": "시급성", "max_points": 5, "average": 4.0, "scores": 1}
    ]

    infeasible = _get(client, f"/proposals/{city.infeasible.pk}?lang=en")
    assert infeasible["status"] == "infeasible"
    assert infeasible["result"] is None
    [review] = infeasible["review"]["reviews"]
    assert (review["verdict"], review["reasons"], review["legal_notes"]) == (
        "infeasible",
        ["legal"],
        "사유지입니다",
    )

    merged = _get(client, f"/proposals/{city.merged.pk}")
    survivor = _get(client, f"/proposals/{merged['merged_into']}")
    assert merged["status"] == "merged"
    assert city.merged.pk in survivor["review"]["merged_from"]


def test_the_api_answers_while_its_cache_redis_is_down(client, city):
    """A cache outage makes the API slower, never unavailable (the production cache backend,
    core.cache.ResilientRedisCache, misses while Redis is down)."""
    import socket

    from django.test import override_settings

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    dead_redis = {
        "default": {
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
        }
    }
    with override_settings(CACHES=dead_redis):
        first = client.get("/api/v1/cycles")
        again = client.get("/api/v1/cycles")

    assert (first.status_code, again.status_code) == (200, 200)
    assert first.json() == again.json()
    assert first.json()["count"] >= 1
