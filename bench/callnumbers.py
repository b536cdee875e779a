"""Call-number generation per book (app.callnumbers, pure: no database, no server)."""

import statistics
import time

BOOKS = [  # (author, title, KDC, add-on) as intake sees them
    ("김호연 지음", "불편한 편의점 2", "813.7", "03810"),
    ("무라타 사야카 지음; 김석희 옮김", "편의점 인간", "833.6", "03830"),
    ("김영진 글·그림", "(한입에 쓱싹)두근두근 편의점", None, "77810"),
    ("한태희", "봄을 찾은 할아버지", "813.8", "77810"),
    ("J.K. 롤링", "해리 포터와 마법사의 돌", "843", "03840"),
    ("Suzanne Collins", "The Hunger Games", "843", None),
    ("전상인", "편의점 사회학", "304", "03300"),
    ("고석균", "편의점에 간 멍청한 경제학자", "321.89", "03320"),
]


def call_number_microseconds(rounds: int = 5, per_round: int = 2000) -> float:
    """Return the median time (µs) to generate one book's call number."""
    from app.callnumbers import generate_call_number

    runs = []
    for _ in range(rounds):
        started = time.perf_counter()
        for i in range(per_round):
            author, title, kdc, addon = BOOKS[i % len(BOOKS)]
            generate_call_number(title=title, author=author, kdc=kdc, addon=addon, copy=i % 3)
        runs.append((time.perf_counter() - started) / per_round * 1e6)
    return statistics.median(runs)


if __name__ == "__main__":
    print(f"call-number generation: {call_number_microseconds():.1f} µs per book")
