"""Reference data that ships with the code: the 17 시·도 (DOMAIN.md, "Regions", confidence H)."""

# code, Korean name, short name, English name, group, capital-area flag, former codes
REGIONS = [
    ("11", "서울특별시", "서울", "Seoul", "capital", True, ()),
    ("26", "부산광역시", "부산", "Busan", "yeongnam", False, ()),
    ("27", "대구광역시", "대구", "Daegu", "yeongnam", False, ()),
    ("28", "인천광역시", "인천", "Incheon", "capital", True, ()),
    ("29", "광주광역시", "광주", "Gwangju", "honam", False, ()),
    ("30", "대전광역시", "대전", "Daejeon", "chungcheong", False, ()),
    ("31", "울산광역시", "울산", "Ulsan", "yeongnam", False, ()),
    ("36", "세종특별자치시", "세종", "Sejong", "chungcheong", False, ()),
    ("41", "경기도", "경기", "Gyeonggi", "capital", True, ()),
    ("43", "충청북도", "충북", "Chungbuk", "chungcheong", False, ()),
    ("44", "충청남도", "충남", "Chungnam", "chungcheong", False, ()),
    ("46", "전라남도", "전남", "Jeonnam", "honam", False, ()),
    ("47", "경상북도", "경북", "Gyeongbuk", "yeongnam", False, ()),
    ("48", "경상남도", "경남", "Gyeongnam", "yeongnam", False, ()),
    ("50", "제주특별자치도", "제주", "Jeju", "gangwon_jeju", False, ()),
    ("51", "강원특별자치도", "강원", "Gangwon", "gangwon_jeju", False, (("42", "강원도"),)),
    ("52", "전북특별자치도", "전북", "Jeonbuk", "honam", False, (("45", "전라북도"),)),
]

# Statistics Korea census codes differ from the administrative ones; map them on import.
CENSUS_TO_ADMIN = {
    "11": "11",
    "21": "26",
    "22": "27",
    "23": "28",
    "24": "29",
    "25": "30",
    "26": "31",
    "29": "36",
    "31": "41",
    "32": "51",
    "33": "43",
    "34": "44",
    "35": "52",
    "36": "46",
    "37": "47",
    "38": "48",
    "39": "50",
}

# Layout of the province tile map: (row, column) on a 17-tile grid roughly as the provinces lie.
TILE_GRID = {
    "28": (1, 0),
    "11": (1, 1),
    "51": (1, 2),
    "41": (2, 1),
    "43": (2, 2),
    "47": (2, 3),
    "44": (3, 0),
    "36": (3, 1),
    "30": (3, 2),
    "27": (3, 3),
    "31": (3, 4),
    "52": (4, 1),
    "48": (4, 3),
    "26": (4, 4),
    "29": (5, 0),
    "46": (5, 1),
    "50": (6, 0),
}


def load_regions(region_model, alias_model) -> None:
    """Create or update the 17 regions and their former codes (used by the migration and by tests
    whose database was flushed)."""
    for code, name, short, name_en, group, capital, former in REGIONS:
        region, _ = region_model.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "short_name": short,
                "name_en": name_en,
                "group": group,
                "is_capital_area": capital,
            },
        )
        for old_code, old_name in former:
            alias_model.objects.update_or_create(
                code=old_code, defaults={"region": region, "former_name": old_name}
            )
