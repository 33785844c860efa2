"""The demo city: an Incheon-like metropolitan city with ten districts (data only)."""

from allauth.mfa.totp.internal.auth import format_hotp_value
from allauth.mfa.totp.internal.auth import hotp_value
from allauth.mfa.totp.internal.auth import yield_hotp_counters_from_time

DEMO_PASSWORD = "chamyeo-demo-2026"  # noqa: S105 (demo accounts only, shown on the demo home page)

# Fixed TOTP secrets so the demo home page can show the current code for MFA-protected roles.
DEMO_TOTP_SECRETS = {
    "admin@demo.chamyeo.kr": "CHAMYEODEMOADMINTOTPSECRETAAAAAA",
    "council@demo.chamyeo.kr": "CHAMYEODEMOCOUNCILTOTPSECRETAAAA",
    "official@demo.chamyeo.kr": "CHAMYEODEMOOFFICIALTOTPSECRETAAA",
}

DISTRICTS = [
    # slug, Korean, English
    ("jung-gu", "중구", "Jung-gu"),
    ("dong-gu", "동구", "Dong-gu"),
    ("michuhol-gu", "미추홀구", "Michuhol-gu"),
    ("yeonsu-gu", "연수구", "Yeonsu-gu"),
    ("namdong-gu", "남동구", "Namdong-gu"),
    ("bupyeong-gu", "부평구", "Bupyeong-gu"),
    ("gyeyang-gu", "계양구", "Gyeyang-gu"),
    ("seo-gu", "서구", "Seo-gu"),
    ("ganghwa-gun", "강화군", "Ganghwa-gun"),
    ("ongjin-gun", "옹진군", "Ongjin-gun"),
]

# District pots in won, roughly by population.
DISTRICT_BUDGETS_WON = {
    "jung-gu": 300_000_000,
    "dong-gu": 200_000_000,
    "michuhol-gu": 450_000_000,
    "yeonsu-gu": 450_000_000,
    "namdong-gu": 550_000_000,
    "bupyeong-gu": 550_000_000,
    "gyeyang-gu": 350_000_000,
    "seo-gu": 600_000_000,
    "ganghwa-gun": 200_000_000,
    "ongjin-gun": 150_000_000,
}
CITYWIDE_BUDGET_WON = 5_000_000_000

POLICY_AREAS = [
    ("social-welfare", "사회복지", "Social welfare"),
    ("environment-climate", "환경·기후", "Environment and climate"),
    ("transport", "교통", "Transport"),
    ("housing", "주거", "Housing"),
    ("culture", "문화", "Culture"),
    ("education", "교육", "Education"),
    ("health", "보건", "Health"),
    ("economy-jobs", "경제·일자리", "Economy and jobs"),
    ("public-works", "공공시설", "Public works"),
    ("tourism", "관광", "Tourism"),
    ("digital-governance", "디지털 행정", "Digital governance"),
    ("resident-engagement", "주민참여", "Resident engagement"),
]

# email, display name, district slug, birth year, relation, verified, role
ACCOUNTS = [
    ("admin@demo.chamyeo.kr", "예산과 담당자", "jung-gu", 1982, "works", True, "admin"),
    ("council@demo.chamyeo.kr", "김위원", "namdong-gu", 1975, "lives", True, "council"),
    ("resident@demo.chamyeo.kr", "이주민", "bupyeong-gu", 1990, "lives", True, "resident"),
    ("newcomer@demo.chamyeo.kr", "박새내기", "yeonsu-gu", 2001, "studies", False, "resident"),
    # a young resident of a dong: every pot of the Seoul-style cycle on one ballot page
    ("youth@demo.chamyeo.kr", "정청년", "bupyeong-1-dong", 2000, "lives", True, "resident"),
]


def current_demo_totp_codes() -> dict[str, str]:
    """The codes an authenticator app would show now (demo mode only)."""
    counters = list(yield_hotp_counters_from_time())
    counter = counters[len(counters) // 2]
    return {
        email: format_hotp_value(hotp_value(secret, counter))
        for email, secret in DEMO_TOTP_SECRETS.items()
    }
