"""시·도 codes used by the indicators and the sample generator.

Codes are the administrative (행정표준) 2-digit codes, not the statistics office's census codes
(21 부산 … 39 제주); map census codes before feeding data in. Provinces were re-coded twice in two
years (강원 42 → 51 in 2023, 전북 45 → 52 in 2024), so nothing here treats the list as closed: the
indicators only need to know which codes are capital area; every other code counts as non-capital.
"""

from __future__ import annotations

# 수도권: Seoul, Incheon, Gyeonggi. Everything else, including retired codes 42 and 45, is non-capital.
CAPITAL_REGION_CODES: tuple[str, ...] = ("11", "28", "41")

# Approximate share of enterprises by 시·도 (중소기업 기본통계 order of magnitude, rounded; confidence U).
# Only used to make the sample microdata look plausible: capital area ≈ half of all firms.
FIRM_COUNT_WEIGHTS: dict[str, float] = {
    "11": 20.0,  # 서울
    "26": 6.6,  # 부산
    "27": 4.7,  # 대구
    "28": 5.5,  # 인천
    "29": 2.9,  # 광주
    "30": 2.8,  # 대전
    "31": 1.9,  # 울산
    "36": 0.6,  # 세종
    "41": 26.0,  # 경기
    "43": 3.2,  # 충북
    "44": 4.2,  # 충남
    "46": 3.7,  # 전남
    "47": 5.1,  # 경북
    "48": 6.4,  # 경남
    "50": 1.5,  # 제주
    "51": 3.2,  # 강원 (51 since 2023)
    "52": 3.6,  # 전북 (52 since 2024-01-18)
}
