"""Writes ``cohort.xlsx``: the sheets a programme officer types by hand in Korean Excel.

The workbook beside this script is its output, committed so that it can be opened as it is;
run the script to make it again. The cells are typed the way people type them, not the way
matchkit writes them: Hangul sheet names (멘토, 멘티), Korean and romanised district names and
their short forms (노원구, 노원, Nowon-gu, 마포), Korean day names and ranges (월~금, 토,일),
``~`` between times, a need without a weight (수학), grades as numbers, free columns
(``attr.school``), and names, which matchkit carries into the result sheets only.

Solve it and check an edited result sheet (docs/how-to/files-and-cli.md)::

    matchkit solve examples/office/cohort.xlsx --out result.xlsx
    matchkit verify examples/office/cohort.xlsx result.xlsx
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent

MENTORS = [
    ("id", "name", "subjects", "capacity", "availability", "mode", "district", "university"),
    ("m-01", "김도윤", "수학:5; 과학:4", 3, "월~금 19:00-21:00", "both", "노원구", "서울과기대"),
    ("m-02", "이서연", "영어:5; 국어:4", 2, "화,목 18:00~20:00", "online", "마포구", "서강대"),
    ("m-03", "박지호", "수학:4; 영어:3", 2, "토 10:00-14:00", "offline", "Nowon-gu", "광운대"),
    ("m-04", "최하은", "국어:5; 사회:4", 3, "Mon-Fri 19:00-21:00", "both", "마포", "홍익대"),
    (
        "m-05",
        "정민준",
        "과학:5; 수학:3",
        2,
        "수 19:00-21:00, 토 10:00-12:00",
        "both",
        "강남구",
        "KAIST",
    ),
    ("m-06", "강수아", "영어:4; 수학:3", 2, "일 13:00-17:00", "online", "관악구", "서울대"),
]

MENTEES = [
    (
        "id",
        "name",
        "level",
        "grade",
        "needs",
        "availability",
        "mode",
        "district",
        "priority",
        "attr.school",
        "session_hours",
    ),
    ("s-01", "윤서준", "middle", 2, "수학", "월 19:00-20:00", "offline", "노원", 3, "상계중", 1),
    (
        "s-02",
        "장하윤",
        "high",
        1,
        "수학:2; 과학:1",
        "수 19:00-21:00",
        "both",
        "Nowon",
        2,
        "노원고",
        1,
    ),
    ("s-03", "임지우", "middle", 3, "영어", "화 18:00-19:00", "online", "마포구", 1, "성산중", 1),
    (
        "s-04",
        "한예은",
        "high",
        2,
        "국어:1; 사회:1",
        "금 19:00~20:00",
        "both",
        "Mapo-gu",
        3,
        "마포고",
        1,
    ),
    ("s-05", "오시우", "middle", 1, "과학", "토 10:00-11:00", "both", "강남", 0, "대치중", 1),
    (
        "s-06",
        "서하린",
        "high",
        3,
        "영어:2; 수학:1",
        "일 14:00-16:00",
        "online",
        "관악",
        2,
        "=관악고",
        1,
    ),
    ("s-07", "신유준", "middle", 2, "수학", "토 11:00-12:00", "offline", "노원구", 1, "중계중", 1),
    (
        "s-08",
        "권나은",
        "high",
        1,
        "국어",
        "월~수 19:00-20:00",
        "online",
        "서대문구",
        0,
        "명지고",
        1,
    ),
    ("s-09", "황도현", "middle", 3, "미술", "토 10:00-12:00", "online", "은평구", 3, "은평중", 1),
    (
        "s-10",
        "안채원",
        "high",
        2,
        "영어",
        "목 18:00-19:00",
        "online",
        "Eunpyeong-gu",
        1,
        "선정고",
        1,
    ),
]


def main() -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "멘토"
    for row in MENTORS:
        sheet.append(row)
    mentees = book.create_sheet("멘티")
    for row in MENTEES:
        mentees.append(row)
    # A typed '=관악고' is text in the officer's Excel (they type '=관악고 with the quote mark).
    mentees["J7"].data_type = "s"
    path = HERE / "cohort.xlsx"
    book.save(path)
    return path


if __name__ == "__main__":
    print(main())
