# ruff: noqa: E501 (demo texts in Korean are data; wrapping them would hurt reading)
"""Demo proposals for the demo city: about forty realistic ideas in Korean and English.

``seed_demo_proposals(cycle)`` goes through the same services residents use (so every proposal
has its public history) and is idempotent: running it again adds nothing.
"""

from dataclasses import dataclass
from dataclasses import field
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import ResidentProfile
from accounts.models import User
from budgeting.models import BudgetCycle
from budgeting.models import District
from budgeting.models import PolicyArea
from budgeting.phases import Feature
from proposals.models import Comment
from proposals.models import Endorsement
from proposals.models import Proposal
from proposals.services.discussion import endorse_proposal
from proposals.services.discussion import post_comment
from proposals.services.submission import create_proposal
from proposals.services.submission import withdraw_proposal

# Approximate centres of the districts (for places on the map).
DISTRICT_CENTRES = {
    "jung-gu": (37.4738, 126.6216),
    "dong-gu": (37.4739, 126.6432),
    "michuhol-gu": (37.4635, 126.6500),
    "yeonsu-gu": (37.4101, 126.6783),
    "namdong-gu": (37.4473, 126.7314),
    "bupyeong-gu": (37.5070, 126.7218),
    "gyeyang-gu": (37.5372, 126.7375),
    "seo-gu": (37.5456, 126.6760),
    "ganghwa-gun": (37.7468, 126.4880),
    "ongjin-gun": (37.2336, 126.1447),
}

_SURNAMES = "김이박최정강조윤장임한오서신권황안송류전"
_GIVEN = [
    "민준", "서연", "도윤", "지우", "하준", "서윤", "예준", "하은", "시우", "지민",
    "주원", "수아", "지호", "채원", "준서", "지유", "건우", "윤서", "현우", "다은",
    "우진", "예린", "선우", "소율", "연우",
]  # fmt: skip
_FOREIGN_NAMES = ["Emily Carter", "Nguyen Van An", "Daniel Kim", "Maria Santos", "Aziz Karimov"]
_DISTRICT_SLUGS = list(DISTRICT_CENTRES)


def _demo_residents() -> list[tuple[str, str, str]]:
    """(email, display name, district slug): five per district, plus residents from abroad."""
    residents = []
    for index in range(50):
        name = _SURNAMES[index % len(_SURNAMES)] + _GIVEN[(index * 7) % len(_GIVEN)]
        district = _DISTRICT_SLUGS[index % len(_DISTRICT_SLUGS)]
        residents.append((f"demo.resident{index + 1:02d}@demo.chamyeo.kr", name, district))
    for index, name in enumerate(_FOREIGN_NAMES):
        district = ("yeonsu-gu", "namdong-gu", "bupyeong-gu", "seo-gu", "jung-gu")[index]
        residents.append((f"demo.newneighbour{index + 1}@demo.chamyeo.kr", name, district))
    return residents


@dataclass(frozen=True)
class DemoProposal:
    district: str | None  # None: the city-wide pot
    area: str
    title: str
    summary: str
    description: str
    cost: int
    problem: str = ""
    beneficiaries: str = ""
    address: str = ""
    offset: tuple[float, float] | None = None  # from the district centre, in degrees
    endorsements: int = 0
    comments: tuple[str, ...] = field(default_factory=tuple)
    english: bool = False


P = DemoProposal
PROPOSALS: list[DemoProposal] = [
    P(
        "bupyeong-gu",
        "transport",
        "부평시장역 버스정류장 그늘막과 온열의자",
        "여름엔 그늘막, 겨울엔 온열의자로 정류장 대기를 편하게 합니다.",
        "부평시장역 앞 정류장 세 곳에 **접이식 그늘막**과 **온열의자**를 설치합니다.\n\n"
        "- 그늘막: 5~9월 운영\n- 온열의자: 11~3월 운영, 타이머 절전",
        45_000_000,
        "시장 이용객, 특히 어르신들이 햇볕과 추위에 오래 노출됩니다.",
        "시장 상인, 버스 이용 주민, 어르신",
        "인천 부평구 부평동 부평시장역 앞",
        (0.0, 0.002),
        52,
        (
            "매일 이 정류장에서 기다리는데 꼭 필요합니다!",
            "온열의자는 전기요금이 얼마나 드는지도 알려주세요.",
        ),
    ),
    P(
        "bupyeong-gu",
        "environment-climate",
        "굴포천 산책로 생태 안내판과 쉼터",
        "굴포천 산책로에 생태 안내판과 그늘 쉼터를 만듭니다.",
        "굴포천에 사는 새와 물고기를 소개하는 안내판 10개와 쉼터 3곳을 설치합니다. "
        "아이들이 QR 코드로 새소리를 들을 수 있게 합니다.",
        60_000_000,
        "산책로는 길지만 쉴 곳과 배울 거리가 부족합니다.",
        "산책하는 주민, 학생",
        "인천 부평구 굴포천 산책로",
        (0.006, 0.008),
        18,
        ("아이들과 자주 걷는 길이라 반갑네요.",),
    ),
    P(
        "bupyeong-gu",
        "culture",
        "부평 풍물축제 골목 공연 무대",
        "축제 기간 외에도 쓸 수 있는 작은 골목 공연 무대를 만듭니다.",
        "문화의거리 빈 공간에 이동식 무대와 음향 장비를 갖춰 주말마다 주민 동아리가 공연합니다.",
        80_000_000,
        "",
        "주민 동아리, 상인",
        "인천 부평구 문화의거리",
        (0.003, -0.002),
        9,
    ),
    P(
        "michuhol-gu",
        "social-welfare",
        "경로당 무더위 쉼터 냉방기 교체",
        "낡은 경로당 냉방기 12대를 고효율 제품으로 바꿉니다.",
        "설치한 지 15년 넘은 냉방기는 전기를 많이 쓰고 고장이 잦습니다. "
        "에너지효율 1등급 제품으로 교체하고 필터 청소를 지원합니다.",
        96_000_000,
        "폭염 때 경로당이 무더위 쉼터 역할을 못 합니다.",
        "어르신 약 600명",
        "인천 미추홀구 주안동 일대 경로당",
        (0.004, 0.003),
        33,
        ("작년 여름 에어컨이 고장 나서 며칠을 고생했습니다.",),
    ),
    P(
        "michuhol-gu",
        "education",
        "인하대 앞 청소년 공부방 야간 개방",
        "주민센터 회의실을 저녁 10시까지 청소년 공부방으로 엽니다.",
        "평일 저녁 6시부터 10시까지 관리 인력 1명을 두고 회의실을 개방합니다. "
        "와이파이와 개인 스탠드를 갖춥니다.",
        38_000_000,
        "근처에 무료로 공부할 곳이 없습니다.",
        "중·고등학생",
        "인천 미추홀구 용현동 주민센터",
        (-0.012, -0.004),
        21,
    ),
    P(
        "michuhol-gu",
        "public-works",
        "주안역 지하상가 출입구 경사로",
        "휠체어와 유모차가 다닐 수 있게 계단뿐인 출입구에 경사로를 놓습니다.",
        "주안역 지하상가 4번 출입구는 계단만 있습니다. 완만한 경사로와 핸드레일을 설치합니다.",
        140_000_000,
        "",
        "휠체어 이용자, 유모차를 끄는 부모",
        "인천 미추홀구 주안역 4번 출입구",
        (0.001, 0.008),
        27,
    ),
    P(
        "yeonsu-gu",
        "environment-climate",
        "송도 해안 산책로 쓰레기 분리수거함",
        "해안 산책로에 분리수거함 20개와 안내판을 설치합니다.",
        "주말마다 쓰레기가 넘칩니다. 재활용품과 일반 쓰레기를 나누는 수거함을 놓고 "
        "환경 동아리와 함께 월 1회 정화 활동을 합니다.",
        52_000_000,
        "",
        "산책객, 인근 주민",
        "인천 연수구 송도동 해안 산책로",
        (-0.025, -0.01),
        14,
    ),
    P(
        "yeonsu-gu",
        "economy-jobs",
        "Job-search corner for foreign residents",
        "A weekly help desk with interpreters for residents from abroad looking for work.",
        "Every Saturday the Yeonsu library hosts a **job-search corner** with volunteer "
        "interpreters (Vietnamese, Russian, English, Chinese): CV help, labour-rights advice and "
        "links to the city's job centre.",
        30_000_000,
        "Many newcomers do not know where to start or what their rights are.",
        "Foreign residents and their families",
        "Yeonsu-gu library, Incheon",
        (0.004, 0.006),
        11,
        ("I would have loved this when I arrived two years ago.",),
        english=True,
    ),
    P(
        "yeonsu-gu",
        "health",
        "함박마을 다국어 건강상담",
        "함박마을에 러시아어·우즈베크어 통역이 있는 건강상담실을 월 2회 운영합니다.",
        "보건소 간호사와 통역사가 함께 혈압·당뇨 상담과 예방접종 안내를 합니다.",
        25_000_000,
        "언어 때문에 병원 이용을 미루는 주민이 많습니다.",
        "고려인 동포, 이주민",
        "인천 연수구 연수동 함박마을",
        (0.012, 0.0),
        16,
    ),
    P(
        "namdong-gu",
        "transport",
        "구월동 초등학교 통학로 옐로카펫",
        "초등학교 앞 횡단보도 다섯 곳에 옐로카펫과 바닥 신호등을 설치합니다.",
        "아이들이 안전한 곳에서 기다리도록 노란색 대기 공간을 만들고, "
        "스마트폰을 보며 걷는 보행자를 위해 **바닥 신호등**을 답니다.",
        75_000_000,
        "등굣길 횡단보도에서 아찔한 순간이 많습니다.",
        "초등학생과 학부모",
        "인천 남동구 구월동 초등학교 앞",
        (0.002, -0.01),
        41,
        ("학부모로서 정말 바랍니다.", "바닥 신호등은 밤에도 잘 보여서 좋아요."),
    ),
    P(
        "namdong-gu",
        "economy-jobs",
        "남동공단 노동자 새벽 셔틀버스",
        "첫차 전 시간대에 공단과 지하철역을 잇는 셔틀버스를 시범 운행합니다.",
        "오전 5시~6시 30분, 인천대공원역과 남동공단을 오가는 셔틀 2대를 6개월 시범 운행하고 "
        "이용 실적을 공개합니다.",
        180_000_000,
        "새벽 근무자는 택시비 부담이 큽니다.",
        "공단 노동자",
        "인천 남동구 남동공단",
        (-0.03, -0.02),
        24,
    ),
    P(
        "namdong-gu",
        "housing",
        "Shared tool library for tenants",
        "A small tool library where renters borrow drills, ladders and repair kits.",
        "A storage room in the Namdong community centre becomes a **tool library**: residents "
        "borrow tools for a week with their library card. Volunteers run a repair café monthly.",
        22_000_000,
        "Tenants rarely own tools and small repairs wait for months.",
        "Tenants, students, older residents",
        "Namdong-gu community centre",
        (0.005, 0.004),
        8,
        english=True,
    ),
    P(
        "jung-gu",
        "tourism",
        "개항장 거리 다국어 역사 안내",
        "개항장 역사 건물 15곳에 한·영·중·일 안내판과 음성 안내를 설치합니다.",
        "건물마다 QR 코드로 4개 언어 음성 해설을 듣게 하고, 점자 안내도 함께 답니다.",
        70_000_000,
        "",
        "관광객, 주민, 시각장애인",
        "인천 중구 개항장 거리",
        (0.001, -0.004),
        19,
    ),
    P(
        "jung-gu",
        "resident-engagement",
        "영종도 주민 회의 온라인 중계",
        "섬 지역 주민도 구 주민회의에 참여하도록 온라인 중계와 문자 질의를 합니다.",
        "회의를 생중계하고, 문자와 웹으로 질문을 받아 현장에서 답합니다. 녹화본은 자막과 함께 공개합니다.",
        18_000_000,
        "영종도에서 회의장까지 오가기 어렵습니다.",
        "영종도 주민",
        "인천 중구 영종도",
        (0.0, -0.12),
        6,
    ),
    P(
        "dong-gu",
        "housing",
        "동구 빈집 공유 텃밭",
        "방치된 빈집 터 두 곳을 주민 공유 텃밭으로 바꿉니다.",
        "소유주 동의를 받은 빈집 터를 정리하고 상자 텃밭 40개와 빗물 저장통을 설치합니다.",
        55_000_000,
        "빈집이 쓰레기 투기 장소가 되었습니다.",
        "인근 주민, 어린이집",
        "인천 동구 송림동",
        (0.003, 0.002),
        29,
        ("우리 골목에도 이런 공간이 생기면 좋겠습니다.",),
    ),
    P(
        "dong-gu",
        "social-welfare",
        "독거 어르신 안부 확인 스마트 전구",
        "전구가 12시간 넘게 꺼지지 않거나 켜지지 않으면 복지사에게 알립니다.",
        "독거 어르신 200가구에 스마트 전구를 설치합니다. 개인정보는 점등 여부만 수집합니다.",
        40_000_000,
        "고독사를 늦게 발견하는 일이 반복됩니다.",
        "독거 어르신 200가구",
        "인천 동구 일대",
        None,
        37,
    ),
    P(
        "gyeyang-gu",
        "environment-climate",
        "계양산 둘레길 맨발 걷기 길",
        "계양산 둘레길 1km 구간을 맨발로 걸을 수 있는 황톳길로 만듭니다.",
        "황토를 깔고 발 씻는 곳과 신발장을 설치합니다. 배수로를 정비해 비 온 뒤에도 쓸 수 있게 합니다.",
        90_000_000,
        "",
        "산책하는 주민",
        "인천 계양구 계양산 둘레길",
        (0.01, -0.01),
        45,
        ("맨발 걷기 모임 회원들이 모두 찬성합니다!", "겨울에는 어떻게 관리하나요?"),
    ),
    P(
        "gyeyang-gu",
        "education",
        "작전동 어린이 코딩 교실",
        "방과 후 초등학생에게 무료 코딩 교실을 엽니다.",
        "도서관 세미나실에서 주 2회, 대학생 멘토가 스크래치와 로봇 코딩을 가르칩니다.",
        28_000_000,
        "사교육비 부담 때문에 배우지 못하는 아이들이 있습니다.",
        "초등학생 60명",
        "인천 계양구 작전동 도서관",
        (-0.008, -0.003),
        12,
    ),
    P(
        "seo-gu",
        "transport",
        "청라 호수공원 자전거 도로 연결",
        "끊긴 자전거 도로 600m를 이어 호수공원과 지하철역을 연결합니다.",
        "현재 자전거 도로가 공원 입구에서 끊겨 차도로 내려가야 합니다. 보도와 분리된 자전거 도로를 놓습니다.",
        250_000_000,
        "자전거 출퇴근자가 위험한 차도를 지납니다.",
        "자전거 이용자",
        "인천 서구 청라동 호수공원",
        (-0.013, -0.04),
        31,
    ),
    P(
        "seo-gu",
        "health",
        "검단 신도시 소아 야간 진료 안내",
        "밤에 문을 연 소아과와 약국을 알려주는 안내 서비스를 만듭니다.",
        "당번 병원·약국 정보를 문자와 웹으로 알려주고, 아파트 게시판에 월간 일정표를 붙입니다.",
        15_000_000,
        "",
        "어린 자녀를 둔 가정",
        "인천 서구 검단",
        (0.05, -0.01),
        22,
    ),
    P(
        "seo-gu",
        "public-works",
        "Quiet study booths at Seo-gu library",
        "Four sound-proof booths for online interviews, classes and telemedicine calls.",
        "Many residents share small flats and have no quiet place for a job interview or a "
        "doctor's video call. The library gets four **bookable booths** with a desk, light and "
        "power outlet.",
        48_000_000,
        "",
        "Job seekers, students, remote workers",
        "Seo-gu central library",
        (0.002, 0.003),
        10,
        english=True,
    ),
    P(
        "ganghwa-gun",
        "tourism",
        "강화 나들길 쉼터와 화장실",
        "강화 나들길 3코스에 쉼터 두 곳과 친환경 화장실을 설치합니다.",
        "걷는 사람이 늘었지만 화장실이 없어 불편합니다. 퇴비형 화장실과 빗물 식수대를 놓습니다.",
        95_000_000,
        "",
        "탐방객, 마을 주민",
        "인천 강화군 강화 나들길 3코스",
        (0.02, 0.03),
        17,
    ),
    P(
        "ganghwa-gun",
        "economy-jobs",
        "강화 농산물 직거래 장터 천막",
        "주말 농산물 직거래 장터에 천막과 냉장 진열대를 지원합니다.",
        "농가 30곳이 참여하는 장터에 방수 천막 30동과 냉장 진열대 4대를 마련합니다.",
        60_000_000,
        "",
        "소농, 방문객",
        "인천 강화군 강화읍",
        (0.0, 0.0),
        13,
    ),
    P(
        "ongjin-gun",
        "transport",
        "덕적도 마을버스 시간표 실시간 안내",
        "여객선 도착 시간에 맞춘 마을버스 실시간 안내판을 선착장에 설치합니다.",
        "배가 늦으면 버스 시간도 바뀌지만 알 방법이 없습니다. 선착장과 마을 정류장 세 곳에 안내판을 설치합니다.",
        35_000_000,
        "",
        "섬 주민, 관광객",
        "인천 옹진군 덕적면 진리 선착장",
        (0.0, 0.0),
        9,
    ),
    P(
        "ongjin-gun",
        "health",
        "섬 지역 원격 진료 키오스크",
        "보건지소가 없는 작은 섬 두 곳에 원격 진료 키오스크를 둡니다.",
        "혈압계와 화상 상담 장비를 갖춘 키오스크로 보건지소 의사와 상담합니다.",
        70_000_000,
        "의사를 만나려면 배를 타고 나가야 합니다.",
        "작은 섬 주민",
        "인천 옹진군 문갑도, 굴업도",
        (-0.02, 0.04),
        26,
    ),
    P(
        None,
        "digital-governance",
        "주민참여예산 결과를 쉬운 말로",
        "예산 결과와 사업 진행 상황을 쉬운 말과 그림으로 알려주는 페이지를 만듭니다.",
        "예산 용어를 쉬운 말로 바꾸고, 사업마다 진행 단계와 사진을 보여줍니다. 발달장애인 당사자가 검수합니다.",
        120_000_000,
        "결과 자료가 어렵고 찾기 힘듭니다.",
        "모든 시민",
        "",
        None,
        34,
    ),
    P(
        None,
        "transport",
        "인천 전역 저상버스 정류장 턱 낮추기",
        "저상버스가 있어도 쓸 수 없는 높은 정류장 턱 100곳을 고칩니다.",
        "휠체어 이용자 단체와 함께 우선순위를 정해 정류장 100곳의 턱을 낮추고 점자블록을 정비합니다.",
        900_000_000,
        "정류장 턱이 높아 저상버스 경사판을 펼 수 없습니다.",
        "휠체어 이용자, 어르신, 유모차 이용자",
        "",
        None,
        48,
        ("꼭 필요합니다. 휠체어를 쓰는 가족이 있습니다.", "우선순위 목록도 공개해 주세요."),
    ),
    P(
        None,
        "environment-climate",
        "학교 옥상 태양광과 기후 교육",
        "초등학교 10곳 옥상에 태양광을 설치하고 기후 수업에 발전량을 씁니다.",
        "발전량을 교실 화면에 실시간으로 보여주고, 교사용 수업 자료를 만듭니다.",
        1_500_000_000,
        "",
        "초등학생, 교사",
        "",
        None,
        39,
    ),
    P(
        None,
        "social-welfare",
        "Interpreters for public offices on call",
        "A phone interpreting line for residents at district offices, in ten languages.",
        "Staff at any district office can call an interpreter within minutes (Vietnamese, "
        "Chinese, Russian, Uzbek, Thai, Nepali, English, Tagalog, Khmer, Mongolian). Usage "
        "statistics are published every quarter.",
        200_000_000,
        "Residents bring children to translate for them at public offices.",
        "About 80,000 foreign residents of Incheon",
        "",
        None,
        20,
        english=True,
    ),
    P(
        None,
        "culture",
        "시립 도서관 심야 개방의 날",
        "매달 마지막 금요일, 시립 도서관을 자정까지 엽니다.",
        "작가와의 대화, 보드게임, 심야 영화 상영을 함께 엽니다.",
        85_000_000,
        "",
        "직장인, 청년",
        "",
        None,
        15,
    ),
    P(
        None,
        "health",
        "폭염 대응 '쿨링 포그' 설치",
        "유동 인구가 많은 광장 5곳에 미세물안개 냉각 장치를 설치합니다.",
        "기온이 33도를 넘으면 자동으로 작동합니다. 물 사용량과 효과를 측정해 공개합니다.",
        350_000_000,
        "",
        "시민, 관광객",
        "",
        None,
        7,
    ),
    P(
        None,
        "resident-engagement",
        "청소년 참여예산 학교",
        "중·고등학생이 직접 예산을 짜보는 참여예산 학교를 운영합니다.",
        "학기마다 20개 학교에서 4차시 수업을 하고, 학생 제안 중 일부를 실제 심사에 올립니다.",
        60_000_000,
        "",
        "중·고등학생",
        "",
        None,
        23,
    ),
    P(
        None,
        "housing",
        "Safe-home checklist for young tenants",
        "Free inspection of lease contracts to stop deposit fraud (jeonse fraud).",
        "Legal volunteers check contracts and building registers before young tenants sign. "
        "Drop-in sessions at four universities and online booking.",
        110_000_000,
        "Deposit fraud ruined many young tenants in Incheon.",
        "Students and young workers renting their first home",
        "",
        None,
        44,
        ("This would have saved my friend's deposit.",),
        english=True,
    ),
    P(
        None,
        "digital-governance",
        "Open data: every bus stop's accessibility",
        "Publish which bus stops have ramps, braille blocks and shelters as open data.",
        "Volunteers and staff survey each stop once; the data is published as CSV and on a map, "
        "and updated after every repair.",
        75_000_000,
        "",
        "Wheelchair users, app developers, planners",
        "",
        None,
        12,
        english=True,
    ),
    P(
        "bupyeong-gu",
        "public-works",
        "부평역 지하상가 공공 화장실 개선",
        "낡은 공공 화장실에 기저귀 교환대와 비상벨을 설치합니다.",
        "남녀 화장실 모두에 기저귀 교환대, 비상벨, 밝은 조명을 설치합니다.",
        65_000_000,
        "",
        "이용객, 아이를 돌보는 부모",
        "인천 부평구 부평역 지하상가",
        (-0.015, 0.0),
        5,
    ),
    P(
        "namdong-gu",
        "culture",
        "소래포구 어시장 이야기 벽화",
        "어시장의 역사를 주민이 함께 그리는 벽화로 남깁니다.",
        "상인들의 구술을 모아 벽화 100m를 그리고, 작가와 주민이 함께 작업합니다.",
        40_000_000,
        "",
        "상인, 방문객",
        "인천 남동구 소래포구",
        (-0.04, 0.0),
        4,
    ),
    P(
        "yeonsu-gu",
        "social-welfare",
        "Weekend care for children of shift workers",
        "Saturday childcare at two community centres for parents who work weekends.",
        "Certified carers look after children aged 3–9 on Saturdays from 8:00 to 18:00, with "
        "lunch. Priority for single parents and shift workers.",
        150_000_000,
        "Weekend workers have no childcare.",
        "Shift-working parents",
        "Yeonsu-gu community centres",
        (0.006, -0.004),
        19,
        english=True,
    ),
    P(
        "gyeyang-gu",
        "transport",
        "계산역 공영 자전거 보관대",
        "지하철역에 지붕 있는 자전거 보관대 80대분을 설치합니다.",
        "CCTV와 조명을 함께 설치해 도난을 줄입니다.",
        50_000_000,
        "",
        "자전거 통근자",
        "인천 계양구 계산역",
        (0.0, 0.0),
        8,
    ),
    P(
        "seo-gu",
        "environment-climate",
        "가좌동 공단 인근 미세먼지 측정망",
        "공단 인근 주거지 10곳에 미세먼지 측정기를 설치하고 결과를 공개합니다.",
        "측정값을 실시간으로 공개하고, 기준을 넘으면 문자로 알립니다.",
        45_000_000,
        "공단 옆 주민들이 공기 질을 알 수 없습니다.",
        "가좌동 주민",
        "인천 서구 가좌동",
        (-0.04, 0.0),
        36,
    ),
    P(
        "michuhol-gu",
        "resident-engagement",
        "용현동 골목 반상회 공간",
        "빈 상가를 빌려 주민 모임 공간을 만듭니다.",
        "주민 모임, 공부 모임, 소규모 장터가 열리는 공간을 1년간 빌리고 운영비를 지원합니다.",
        30_000_000,
        "",
        "용현동 주민",
        "인천 미추홀구 용현동",
        (-0.006, -0.008),
        3,
    ),
]
del P

# (proposal index, reply text): a few replies so threads show one level of nesting.
REPLIES = {
    0: "전기요금은 한 정류장에 월 3만 원 정도로 예상합니다. 설명에 추가할게요.",
    16: "겨울에는 황토를 덮개로 덮고 3월에 다시 엽니다.",
    26: "좋은 의견입니다. 장애인 단체와 함께 만든 목록을 공개하겠습니다.",
}
WITHDRAWN_TITLE = "용현동 골목 반상회 공간"
# The demo's own resident account proposes one of them, so "My proposals" has something.
RESIDENT_DEMO_EMAIL = "resident@demo.chamyeo.kr"
RESIDENT_DEMO_TITLE = "부평역 지하상가 공공 화장실 개선"


def _ensure_residents() -> dict[str, list[User]]:
    """Demo residents by district slug (created once, with no usable password)."""
    districts = {d.slug: d for d in District.objects.all()}
    by_district: dict[str, list[User]] = {}
    for index, (email, name, slug) in enumerate(_demo_residents()):
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User(email=email)
            user.set_unusable_password()
            user.save()
        ResidentProfile.objects.get_or_create(
            user=user,
            defaults={
                "display_name": name,
                "district": districts[slug],
                "birth_year": 1950 + (index * 3) % 55,
                "relation": ResidentProfile.Relation.LIVES,
                "verified_at": timezone.now(),
            },
        )
        by_district.setdefault(slug, []).append(user)
    return by_district


def _pick_author(item: DemoProposal, index: int, by_district, used: dict[int, int]) -> User:
    pool = (
        by_district[item.district]
        if item.district
        else [u for us in by_district.values() for u in us]
    )
    candidates = pool
    if item.english:
        # Proposals in English come from the residents who moved here from abroad.
        candidates = [u for u in pool if "newneighbour" in u.email] or pool
    for offset in range(len(candidates)):
        user = candidates[(index + offset) % len(candidates)]
        if used.get(user.pk, 0) < 2:
            used[user.pk] = used.get(user.pk, 0) + 1
            return user
    return candidates[index % len(candidates)]


def _place(item: DemoProposal) -> tuple[Decimal | None, Decimal | None]:
    if item.district is None or item.offset is None:
        return None, None
    lat, lng = DISTRICT_CENTRES[item.district]
    return (
        Decimal(f"{lat + item.offset[0]:.6f}"),
        Decimal(f"{lng + item.offset[1]:.6f}"),
    )


def _backdate(proposal: Proposal, when) -> None:
    """Spread the demo's submissions over the proposal phase so far (list order). The audit
    trail is append-only: its "submitted" events keep the time they were recorded."""
    Proposal.objects.filter(pk=proposal.pk).update(submitted_at=when, created_at=when)


@transaction.atomic
def seed_demo_proposals(cycle: BudgetCycle) -> int:
    """Create the demo proposals of ``cycle`` (with endorsements and comments) once.

    Returns how many proposals were created now (0 on a second run, or when the cycle is not
    in its proposal phase).
    """
    if not cycle.allows(Feature.PROPOSE):
        return 0
    by_district = _ensure_residents()
    everyone = [user for users in by_district.values() for user in users]
    resident = User.objects.filter(email=RESIDENT_DEMO_EMAIL).first()
    areas = {area.slug: area for area in PolicyArea.objects.all()}
    scopes = {
        scope.district.slug if scope.district else None: scope for scope in cycle.scopes.all()
    }
    start = max(cycle.proposals_start_at, timezone.now() - timedelta(days=10))
    span = max((timezone.now() - start).total_seconds(), 3600)
    used: dict[int, int] = {}
    created = 0
    for index, item in enumerate(PROPOSALS):
        scope = scopes.get(item.district)
        area = areas.get(item.area)
        if scope is None or area is None:
            continue
        proposal = Proposal.objects.filter(cycle=cycle, title=item.title).first()
        if proposal is None:
            author = (
                resident
                if item.title == RESIDENT_DEMO_TITLE and resident is not None
                else _pick_author(item, index, by_district, used)
            )
            latitude, longitude = _place(item)
            proposal = create_proposal(
                author=author,
                cycle=cycle,
                scope=scope,
                policy_area=area,
                title=item.title,
                summary=item.summary,
                description=item.description,
                problem=item.problem,
                beneficiaries=item.beneficiaries,
                cost_estimate_won=item.cost,
                address=item.address,
                latitude=latitude,
                longitude=longitude,
                submit=True,
            )
            _backdate(proposal, start + timedelta(seconds=span * index / (len(PROPOSALS) + 1)))
            created += 1
        _seed_discussion(proposal, item, index, everyone)
        if item.title == WITHDRAWN_TITLE and proposal.status == Proposal.Status.SUBMITTED:
            withdraw_proposal(
                proposal=proposal,
                actor=proposal.author,
                reason="비슷한 제안이 이미 있어 그쪽을 지지하기로 했습니다.",
            )
    return created


def _seed_discussion(proposal: Proposal, item: DemoProposal, index: int, everyone) -> None:
    if proposal.status != Proposal.Status.SUBMITTED:
        return
    endorsers = [u for u in everyone if u.pk != proposal.author_id]
    wanted = min(item.endorsements, len(endorsers))
    have = Endorsement.objects.filter(proposal=proposal).count()
    for offset in range(len(endorsers)):
        if have >= wanted:
            break
        user = endorsers[(index * 5 + offset) % len(endorsers)]
        if not Endorsement.objects.filter(proposal=proposal, user=user).exists():
            endorse_proposal(proposal=proposal, user=user)
            have += 1
    first = None
    for number, body in enumerate(item.comments):
        author = endorsers[(index * 3 + number * 11) % len(endorsers)]
        comment = Comment.objects.filter(proposal=proposal, body=body).first()
        if comment is None:
            comment = post_comment(proposal=proposal, author=author, body=body)
        first = first or comment
    reply = REPLIES.get(index)
    if first is not None and reply and not Comment.objects.filter(body=reply).exists():
        post_comment(proposal=proposal, author=proposal.author, body=reply, parent=first)
