"""Demo data of the budget office's oversight (issue #14): the population table by district and
age band (rounded, in the shape of Incheon's open data) that turnout is measured against, and
the pre-publication warnings of the published cycle acknowledged by the budget office."""

from accounts.models import PopulationCount
from budgeting.models import District

# Incheon's resident population by 구/군 and Seoul-style age band (rounded, for the demo).
POPULATION = {
    "jung-gu": (25_000, 55_000, 50_000, 30_000),
    "dong-gu": (6_000, 13_000, 17_000, 19_000),
    "michuhol-gu": (44_000, 120_000, 128_000, 111_000),
    "yeonsu-gu": (78_000, 125_000, 116_000, 70_000),
    "namdong-gu": (73_000, 155_000, 161_000, 111_000),
    "bupyeong-gu": (65_000, 140_000, 149_000, 125_000),
    "gyeyang-gu": (39_000, 75_000, 91_000, 80_000),
    "seo-gu": (110_000, 175_000, 175_000, 100_000),
    "ganghwa-gun": (6_000, 10_000, 18_000, 35_000),
    "ongjin-gun": (2_000, 5_000, 6_000, 8_000),
}
BANDS = ("under-19", "19-39", "40-59", "60+")


def seed_demo_population() -> int:
    rows = 0
    for district in District.objects.filter(slug__in=POPULATION):
        for band, count in zip(BANDS, POPULATION[district.slug], strict=True):
            PopulationCount.objects.update_or_create(
                district=district,
                age_band=band,
                defaults={"population": count, "source": "인천광역시 주민등록인구 (demo)"},
            )
            rows += 1
    return rows
