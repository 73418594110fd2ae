"""Random spot checks: uniform and verifiable selection, recusal and capacity, the once-only draw."""

import datetime as dt
import hashlib
import io
import zlib

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import given, settings
from hypothesis import strategies as st

from jianguan.spotcheck import draw as algorithm

# ---------------------------------------------------------------- the algorithm alone


def test_selection_is_uniform_within_a_stratum():
    """Chi-square over 2,000 seeds: 40 tokens, 4 drawn each time, each should be drawn 200 times."""
    tokens = [f"T{i:02d}" for i in range(40)]
    pool = [(t, "B") for t in tokens]
    pool_hash = algorithm.sha256_hex(algorithm.canonical_pool(pool))
    counts = dict.fromkeys(tokens, 0)
    seeds = 2000
    for i in range(seeds):
        seed = hashlib.sha256(f"seed-{i}".encode()).hexdigest()
        for token in algorithm.select(pool, algorithm.draw_key(seed, pool_hash), {"B": algorithm.Quota(0.1)})["B"]:
            counts[token] += 1
    expected = seeds * 4 / 40
    chi_square = sum((n - expected) ** 2 / expected for n in counts.values())
    assert sum(counts.values()) == seeds * 4
    assert chi_square < 72.05  # the 99.9 % point of chi-square with 39 degrees of freedom


def test_quota_sizes_and_strata():
    assert algorithm.Quota(0.05).size(100) == 5
    assert algorithm.Quota(0.05).size(101) == 6  # rounded up: at least the ratio
    assert algorithm.Quota(0.02, minimum=3).size(10) == 3
    assert algorithm.Quota(1.0, maximum=4).size(10) == 4
    assert algorithm.Quota(0.5, minimum=20).size(7) == 7
    pool = [(f"A{i}", "A") for i in range(50)] + [(f"D{i}", "D") for i in range(6)]
    chosen = algorithm.select(pool, b"k" * 32, {"A": algorithm.Quota(0.02), "D": algorithm.Quota(1.0)})
    assert len(chosen["A"]) == 1 and sorted(chosen["D"]) == sorted(t for t, s in pool if s == "D")


def test_the_same_seed_over_another_pool_ranks_differently():
    pool = [(f"T{i}", "B") for i in range(100)]
    other = [*pool[:-1], ("T999", "B")]
    seed = "ab" * 32
    first = algorithm.select(
        pool,
        algorithm.draw_key(seed, algorithm.sha256_hex(algorithm.canonical_pool(pool))),
        {"B": algorithm.Quota(0.1)},
    )
    second = algorithm.select(
        other,
        algorithm.draw_key(seed, algorithm.sha256_hex(algorithm.canonical_pool(other))),
        {"B": algorithm.Quota(0.1)},
    )
    assert first != second


@settings(max_examples=150, deadline=None)
@given(
    officers=st.lists(
        st.tuples(st.integers(1, 4), st.sampled_from(["370102", "370103", None])), min_size=0, max_size=12
    ),
    tasks=st.lists(st.sampled_from(["370102", "370103", "370104"]), min_size=0, max_size=30),
    conflict_pairs=st.lists(st.tuples(st.integers(0, 29), st.integers(0, 11)), max_size=40),
    recent_pairs=st.lists(st.tuples(st.integers(0, 29), st.integers(0, 11)), max_size=20),
    team_size=st.integers(2, 3),
    home=st.booleans(),
)
def test_recusal_and_capacity_are_never_violated(officers, tasks, conflict_pairs, recent_pairs, team_size, home):
    slots = [algorithm.OfficerSlot(i, 1, f"C{i}", region, capacity) for i, (capacity, region) in enumerate(officers)]
    task_list = [(f"S{i}", region) for i, region in enumerate(tasks)]
    conflicts: dict[str, set[int]] = {}
    for task, officer in conflict_pairs:
        conflicts.setdefault(f"S{task}", set()).add(officer)
    recent: dict[str, set[int]] = {}
    for task, officer in recent_pairs:
        recent.setdefault(f"S{task}", set()).add(officer)
    capacity = {slot.officer_id: slot.capacity for slot in slots}
    result = algorithm.assign(
        task_list,
        slots,
        b"key" * 10 + b"ab",
        team_size=team_size,
        conflicts=conflicts,
        recent=recent,
        recuse_home_county=home,
    )
    load: dict[int, int] = {}
    for index, team in result.teams.items():
        token, region = task_list[index]
        assert len(team) == team_size == len(set(team))
        for officer_id in team:
            assert officer_id not in conflicts.get(token, set())
            assert officer_id not in recent.get(token, set())
            if home:
                assert slots[officer_id].home_region != region
            load[officer_id] = load.get(officer_id, 0) + 1
    assert all(load[o] <= capacity[o] for o in load)
    assert set(result.teams) | set(result.unassigned) == set(range(len(task_list)))
    assert not set(result.teams) & set(result.unassigned)
    for reasons in result.unassigned.values():
        assert reasons["too_few_officers"] >= 1


def _assign_as_published(tasks, officers, key, *, team_size, conflicts, recent, recuse_home_county):
    """Step 5 as first published: officers in a heap of (load, HMAC rank, id) tuples."""
    import heapq
    from collections import defaultdict

    ranker = algorithm.Ranker(key)
    slots = {slot.officer_id: slot for slot in officers}
    heap = [(0, ranker.rank("officer:" + slot.certificate), slot.officer_id) for slot in officers if slot.capacity > 0]
    heapq.heapify(heap)
    teams, unassigned = {}, {}
    for index, (token, region) in enumerate(tasks):
        team, passed, reasons = [], [], defaultdict(int)
        while len(team) < team_size and heap:
            entry = heapq.heappop(heap)
            if entry[2] in conflicts.get(token, ()):
                reasons["conflict"] += 1
            elif entry[2] in recent.get(token, ()):
                reasons["inspected_recently"] += 1
            elif recuse_home_county and slots[entry[2]].home_region == region:
                reasons["home_county"] += 1
            else:
                team.append(entry)
                continue
            passed.append(entry)
        if len(team) < team_size:
            reasons["too_few_officers"] = team_size - len(team)
            unassigned[index] = dict(reasons)
            for entry in team + passed:
                heapq.heappush(heap, entry)
            continue
        teams[index] = [entry[2] for entry in team]
        for _load, rank, officer_id in team:
            slots[officer_id].load += 1
            if slots[officer_id].load < slots[officer_id].capacity:
                passed.append((slots[officer_id].load, rank, officer_id))
        for entry in passed:
            heapq.heappush(heap, entry)
    return algorithm.Assignment(teams, unassigned)


@settings(max_examples=150, deadline=None)
@given(
    officers=st.lists(
        st.tuples(st.integers(0, 4), st.sampled_from(["370102", "370103", None]), st.integers(0, 5)), max_size=14
    ),
    tasks=st.lists(st.sampled_from(["370102", "370103", "370104"]), max_size=40),
    conflict_pairs=st.lists(st.tuples(st.integers(0, 39), st.integers(0, 13)), max_size=40),
    recent_pairs=st.lists(st.tuples(st.integers(0, 39), st.integers(0, 13)), max_size=20),
    team_size=st.integers(1, 3),
    home=st.booleans(),
)
def test_teams_are_those_of_the_published_assignment(officers, tasks, conflict_pairs, recent_pairs, team_size, home):
    """The assignment keeps its officers as ints in the heap: teams, reasons and loads must be those of
    the (load, rank, id) tuples it was published with, shared certificates (equal ranks) included."""

    def slots():
        return [
            algorithm.OfficerSlot(100 - i, 1, f"C{cert}", region, capacity)
            for i, (capacity, region, cert) in enumerate(officers)
        ]

    task_list = [(f"S{i}", region) for i, region in enumerate(tasks)]
    conflicts: dict[str, set[int]] = {}
    for task, officer in conflict_pairs:
        conflicts.setdefault(f"S{task}", set()).add(100 - officer)
    recent: dict[str, set[int]] = {}
    for task, officer in recent_pairs:
        recent.setdefault(f"S{task}", set()).add(100 - officer)
    options = {"team_size": team_size, "conflicts": conflicts, "recent": recent, "recuse_home_county": home}
    mine, published = slots(), slots()
    result = algorithm.assign(task_list, mine, b"q" * 32, **options)
    expected = _assign_as_published(task_list, published, b"q" * 32, **options)
    assert result.teams == expected.teams and result.unassigned == expected.unassigned
    assert [slot.load for slot in mine] == [slot.load for slot in published]


def test_load_is_balanced_without_recusals():
    slots = [algorithm.OfficerSlot(i, 1, f"C{i}", None, 100) for i in range(7)]
    result = algorithm.assign(
        [(f"S{i}", "370102") for i in range(30)],
        slots,
        b"k" * 32,
        team_size=2,
        conflicts={},
        recent={},
        recuse_home_county=False,
    )
    loads = [slot.load for slot in slots]
    assert len(result.teams) == 30 and not result.unassigned
    assert sum(loads) == 60 and max(loads) - min(loads) <= 1


# ---------------------------------------------------------------- through the services and the database


@pytest.fixture
def batch(province, make_subject, make_officer):
    from jianguan.catalog.schemas import SupervisionItemIn
    from jianguan.catalog.services import create_item
    from jianguan.spotcheck.services import add_batch, create_plan

    create_item(
        SupervisionItemIn(
            code="37010001020000",
            name="对食品经营者的双随机抽查",
            department=str(province.market.pk),
            sector_code="scjg",
            random_check=True,
            effective_from=dt.date(2020, 1, 1),
        )
    )
    for n in range(60):
        make_subject(f"抽查对象{n:02d}有限公司", county="370102" if n % 2 else "370103", industry_code="H6210")
    officers = [make_officer(department=province.lixia_market) for _ in range(6)]
    plan = create_plan(province.jn_market, 2026, "2026年度市场监管双随机抽查计划")
    quotas = {"B": {"ratio": 0.2, "minimum": 0, "maximum": None}}
    return add_batch(
        plan,
        title="第一批",
        starts_on=dt.date(2026, 4, 1),
        ends_on=dt.date(2026, 6, 30),
        item_codes=["37010001020000"],
        pool_filter={"regions": ["3701"]},
        quotas=quotas,
        capacity=3,
    ), officers


def ready(batch):
    from jianguan.spotcheck.services import approve_batch, commit_seed

    approve_batch(batch)
    return commit_seed(batch)


def test_draw_verifies_and_a_redraw_is_refused(batch):
    from jianguan.core.errors import DomainError
    from jianguan.spotcheck.services import draw_batch, verify_draw

    batch, _officers = batch
    seed_hash = ready(batch)
    draw = draw_batch(batch, public_entropy="2026-04-01 福利彩票 123")
    assert draw.seed_hash == seed_hash == hashlib.sha256(draw.seed.encode()).hexdigest()
    assert draw.pool_size == 60 and draw.strata == {"B": {"n": 60, "k": 12}}
    assert draw.tasks.count() == 12
    assert verify_draw(draw).ok
    out = io.StringIO()
    call_command("spotcheck", "verify", str(draw.pk), stdout=out)
    assert out.getvalue().strip() == "ok"
    with pytest.raises(DomainError) as exc:
        draw_batch(batch)
    assert exc.value.code in {"already_drawn", "not_ready"}


def test_a_changed_pool_or_selection_is_detected(batch):
    from jianguan.spotcheck.models import Draw
    from jianguan.spotcheck.services import draw_batch, verify_draw
    from jianguan.spotcheck.snapshot import pool_text

    batch, _officers = batch
    ready(batch)
    draw = draw_batch(batch)
    pool = pool_text(draw.pool).decode().splitlines()
    tampered = "\n".join(pool[1:]) + "\n"  # a subject quietly removed from the frozen pool
    Draw.objects.filter(pk=draw.pk).update(pool=zlib.compress(tampered.encode()))
    draw.refresh_from_db()
    result = verify_draw(draw)
    assert not result.ok and "pool hash" in result.message
    with pytest.raises(CommandError, match="pool hash"):
        call_command("spotcheck", "verify", str(draw.pk), stdout=io.StringIO())


def test_a_swapped_task_is_the_first_difference(batch):
    from jianguan.spotcheck.services import draw_batch, verify_draw

    batch, _officers = batch
    ready(batch)
    draw = draw_batch(batch)
    first = draw.tasks.order_by("stratum", "rank").first()
    first.token = "91370102MA99999999"
    first.save()
    result = verify_draw(draw)
    assert not result.ok and result.message.startswith("task 1:")


def test_teams_respect_conflicts_capacity_and_report_shortfalls(batch, province):
    from jianguan.officers.services import declare_conflict
    from jianguan.spotcheck.models import Task
    from jianguan.spotcheck.services import draw_batch
    from jianguan.subjects.models import Subject

    batch, officers = batch
    for subject in Subject.objects.all()[:30]:
        declare_conflict(officers[0], subject, "近亲属在该企业任职", on=dt.date(2026, 1, 5))
    ready(batch)
    draw = draw_batch(batch)
    tasks = list(Task.objects.filter(draw=draw).prefetch_related("officers"))
    assigned = [t for t in tasks if t.status == "assigned"]
    unassigned = [t for t in tasks if t.status == "unassigned"]
    # 6 officers × capacity 3 = 18 places, 2 per task: at most 9 of the 12 tasks get a team
    # (fewer when the conflicted officer's places are left for subjects he may not check).
    assert len(assigned) + len(unassigned) == 12 and 7 <= len(assigned) <= 9
    assert all(r["too_few_officers"] >= 1 for t in unassigned for r in t.unassigned_reasons.values())
    conflicted = set(officers[0].conflicts.values_list("subject_id", flat=True))
    loads: dict[int, int] = {}
    for task in assigned:
        team = [o.pk for o in task.officers.all()]
        assert len(team) == 2
        assert not (task.subject_id in conflicted and officers[0].pk in team)
        for officer_id in team:
            loads[officer_id] = loads.get(officer_id, 0) + 1
    assert max(loads.values()) <= 3


def test_exclusions_and_the_order_of_steps(batch, province):
    from jianguan.core.errors import DomainError
    from jianguan.spotcheck.services import approve_batch, cancel_draw, draw_batch
    from jianguan.spotcheck.snapshot import frozen_pool
    from jianguan.subjects.models import Subject

    batch, _officers = batch
    with pytest.raises(DomainError):
        draw_batch(batch)  # not approved, no seed
    approve_batch(batch)
    with pytest.raises(DomainError):
        draw_batch(batch)  # no seed committed yet
    closed = Subject.objects.first()
    closed.status = "cancelled"
    closed.save()
    with frozen_pool(batch, dt.date(2026, 4, 1)) as pool:
        tokens = {line.split("\t")[0] for line in pool.canonical.decode().splitlines()}
    assert pool.size == 59 and len(tokens) == 59 and closed.uscc not in tokens
    from jianguan.spotcheck.services import commit_seed

    commit_seed(batch)
    draw = draw_batch(batch)
    with pytest.raises(DomainError) as exc:
        cancel_draw(draw, "  ")
    assert exc.value.code == "reason_required"
    cancel_draw(draw, "抽查事项清单调整，本批次作废")
    batch.refresh_from_db()
    assert batch.status == "cancelled" and "作废" in batch.cancel_reason
    with pytest.raises(DomainError):
        draw_batch(batch)


def test_the_frozen_pool_and_its_selection_follow_the_published_algorithm(batch, province, make_subject):
    """Whichever way the database computes the pool (an ordered aggregate and keyed top-k sorts on
    PostgreSQL), its text and selection are what draw.py defines: tokens sorted by code point, the
    grade defaulted, exclusions applied, each stratum ranked by SHA-256(key ‖ token)."""
    from jianguan.exchange.services import ingest, register_source
    from jianguan.spotcheck.snapshot import frozen_pool
    from jianguan.subjects.models import Subject

    batch, officers = batch
    # Tokens whose order differs between code point and a linguistic collation, a subject without
    # a USCC or registration number ("S<id>"), one with an empty grade, one with a registration
    # number only.
    odd = [make_subject(f"排序对象{n}有限公司", county="370102", industry_code="H6210") for n in range(4)]
    Subject.objects.filter(pk=odd[0].pk).update(uscc="a1370100MA3C000001")
    Subject.objects.filter(pk=odd[1].pk).update(uscc="Z1370100MA3C000002", risk_grade="")
    Subject.objects.filter(pk=odd[2].pk).update(uscc=None, registration_no="370100200012345")
    Subject.objects.filter(pk=odd[3].pk).update(
        uscc=None, registration_no=None, id_number_hash="0" * 64, risk_grade="D"
    )
    checked = Subject.objects.exclude(pk__in=[o.pk for o in odd]).order_by("pk").first()
    source, _token = register_source("pool-history", "历史检查", province.jn_market)
    row = {
        "kind": "inspection",
        "source_id": "P1",
        "item_code": "37010001020000",
        "department": province.lixia_market.uscc,
        "subject_nature": "2",
        "subject_id_type": "001",
        "subject_code": checked.uscc,
        "subject_name": checked.name,
        "region": "370102",
        "action_date": "2026-03-02",
        "reported_at": "2026-03-02T18:00:00+08:00",
        "form": "01",
        "result": "未发现问题",
        "officers": [{"name": o.name, "certificate_no": o.certificate_no} for o in officers[:2]],
    }
    assert ingest(enumerate([row], 1), source=source, channel="api").accepted == 1

    expected = sorted(
        (s.uscc or s.registration_no or f"S{s.pk}", s.risk_grade or "B")
        for s in Subject.objects.filter(status="operating", region__code__startswith="3701").exclude(pk=checked.pk)
    )
    quotas = {"B": algorithm.Quota(0.3), "D": algorithm.Quota(1.0)}
    key = hashlib.sha256(b"a key for this test").digest()
    with frozen_pool(batch, dt.date(2026, 4, 1)) as pool:
        chosen = pool.select(key, quotas)
    assert pool.canonical == "".join(f"{t}\t{g}\n" for t, g in expected).encode()
    assert pool.hash == hashlib.sha256(pool.canonical).hexdigest()
    assert pool.sizes == {"B": len(expected) - 1, "D": 1} and pool.size == len(expected)
    published = algorithm.select(algorithm.parse_pool(pool.canonical), key, quotas)
    assert {s: [token for token, _id, _region in entries] for s, entries in chosen.items()} == published
    by_token = {s.uscc or s.registration_no or f"S{s.pk}": (s.pk, s.region_id) for s in Subject.objects.all()}
    for entries in chosen.values():
        for token, subject_id, region in entries:
            assert by_token[token] == (subject_id, region)
    assert chosen["D"][0][0] == f"S{odd[3].pk}" and len(chosen["B"]) == algorithm.Quota(0.3).size(len(expected) - 1)


def test_a_blinded_pool_holds_each_subjects_pseudonym_in_code_point_order(batch, province):
    """The pool of a blinded draw is built in bulk (pseudonyms in one pass, lines sorted as text):
    it must be exactly what the offline verifier's one-subject definition gives, sorted as entries."""
    from jianguan.spotcheck.snapshot import frozen_pool
    from jianguan.spotcheck.verify_draw import pseudonym, pseudonyms
    from jianguan.subjects.models import Subject

    batch, _officers = batch
    blind = "b" * 64
    tokens = ["a1", "a", "Z9", "运营9", "S12"]
    assert pseudonyms(blind, tokens) == [pseudonym(blind, t) for t in tokens]
    expected = sorted(
        (pseudonym(blind, s.uscc or s.registration_no or f"S{s.pk}"), s.risk_grade or "B")
        for s in Subject.objects.filter(status="operating", region__code__startswith="3701")
    )
    with frozen_pool(batch, dt.date(2026, 4, 1), blind) as pool:
        chosen = pool.select(hashlib.sha256(b"k").digest(), {"B": algorithm.Quota(0.5)})
    assert pool.canonical == "".join(f"{t}\t{g}\n" for t, g in expected).encode()
    assert pool.size == len(expected) > 10
    assert {token for token, _id, _region in chosen["B"]} <= {t for t, _g in expected}


@pytest.mark.parametrize("part", [50_000, 4])
def test_the_bulk_blinded_pool_is_the_in_memory_pool_exactly(batch, province, part, monkeypatch):
    """A blinded random draw freezes its pool in bulk (the rows in parts, pseudonyms in one pass, the
    order and text from their bytes, a top-k by the ranks' first bytes): canonical text, hash, sizes
    and every stratum's selection must be those of the plain in-memory pool, grades of several
    lengths, an empty grade, a stratum drawn whole and one not drawn included."""
    from jianguan.spotcheck import snapshot
    from jianguan.subjects.models import Subject

    batch, _officers = batch
    monkeypatch.setattr(snapshot, "_CHUNK", part)  # parts of 4: rows read and ranks hashed in many parts
    subjects = list(Subject.objects.order_by("pk"))
    Subject.objects.filter(pk__in=[s.pk for s in subjects[:5]]).update(risk_grade="A")
    Subject.objects.filter(pk__in=[s.pk for s in subjects[5:8]]).update(risk_grade="D")
    Subject.objects.filter(pk=subjects[8].pk).update(risk_grade="")
    Subject.objects.filter(pk=subjects[14].pk).update(risk_grade="C")
    Subject.objects.filter(pk=subjects[9].pk).update(uscc=None, registration_no="370100200012345")
    Subject.objects.filter(pk=subjects[10].pk).update(uscc=None, registration_no=None, id_number_hash="0" * 64)
    blind, key = "c" * 64, hashlib.sha256(b"the key").digest()
    quotas = {
        "A": algorithm.Quota(0.4),
        "B": algorithm.Quota(0.25, minimum=2),
        "D": algorithm.Quota(1.0),
        "C": algorithm.Quota(0.0),
    }
    for grades in ("one length", "several lengths"):
        if grades == "several lengths":
            Subject.objects.filter(pk__in=[s.pk for s in subjects[11:14]]).update(risk_grade="A1")
            quotas["A1"] = algorithm.Quota(0.5)
        with snapshot.frozen_pool(batch, dt.date(2026, 4, 1), blind) as bulk:
            chosen = bulk.select(key, quotas)
        plain = snapshot._frozen_in_memory(batch, dt.date(2026, 4, 1), blind)
        assert bulk.canonical == plain.canonical and bulk.hash == plain.hash
        assert bulk.sizes == plain.sizes and bulk.size == len(subjects)
        assert chosen == plain.select(key, quotas)
        assert {g: len(chosen[g]) for g in chosen} == {g: quotas[g].size(n) for g, n in bulk.sizes.items()}
        assert chosen["C"] == [] and len(chosen["D"]) == 3 and 0 < len(chosen["B"]) < bulk.sizes["B"]
        assert snapshot.pool_text(bulk.snapshot) == bulk.canonical
        assert bulk.snapshot.startswith(snapshot.COMPACT_MAGIC) and len(bulk.snapshot) < len(bulk.canonical)


def test_pseudonym_digests_open_to_the_published_pseudonyms():
    from jianguan.spotcheck.snapshot import pseudonym_digests
    from jianguan.spotcheck.verify_draw import pseudonym

    blind, tokens = "d" * 64, ["91370102MA0000001X", "370100200012345", "S12", "运营9", ""]
    digests = pseudonym_digests(blind, [t.encode() for t in tokens])
    assert [d[:16].hex() for d in digests] == [pseudonym(blind, t) for t in tokens]


def test_a_pool_snapshot_of_either_form_reads_back_and_a_cut_one_is_refused():
    from jianguan.spotcheck.snapshot import COMPACT_MAGIC, pool_text

    text = b"00" * 16 + b"\tA\n" + b"ff" * 16 + b"\tB\n"
    assert pool_text(zlib.compress(text)) == text  # the form of draws made before
    compact = COMPACT_MAGIC + b'{"n": 2, "strata": ["A", "B"]}\n' + b"\x00" * 16 + b"\xff" * 16
    assert pool_text(memoryview(compact + zlib.compress(b"\x00\x01"))) == text
    with pytest.raises(ValueError):
        pool_text(compact[:-1] + zlib.compress(b"\x00\x01"))
    with pytest.raises(ValueError):
        pool_text(compact + zlib.compress(b"\x00\x02"))
    with pytest.raises(ValueError):
        pool_text(zlib.compress(text)[:-3])


def test_a_draw_stored_in_the_earlier_form_still_verifies_and_publishes_the_same(batch):
    from jianguan.spotcheck.models import Draw
    from jianguan.spotcheck.services import draw_batch, public_draw_record, verify_draw
    from jianguan.spotcheck.snapshot import COMPACT_MAGIC, pool_text
    from jianguan.spotcheck.verify_draw import check

    batch, _officers = batch
    ready(batch)
    draw = draw_batch(batch)
    assert bytes(draw.pool).startswith(COMPACT_MAGIC)
    record = public_draw_record(draw)
    assert check(record) == [] and verify_draw(draw).ok
    Draw.objects.filter(pk=draw.pk).update(pool=zlib.compress(pool_text(draw.pool), 1))
    draw.refresh_from_db()
    assert not bytes(draw.pool).startswith(COMPACT_MAGIC)
    assert verify_draw(draw).ok and public_draw_record(draw) == record
    Draw.objects.filter(pk=draw.pk).update(pool=bytes(COMPACT_MAGIC) + b'{"n": 5, "strata": ["B"]}\n')
    draw.refresh_from_db()
    assert verify_draw(draw).message == "the stored pool snapshot is damaged"


# ---------------------------------------------------------------- results and publication


@pytest.fixture
def drawn(batch, province):
    from jianguan.catalog.schemas import CheckPointIn
    from jianguan.catalog.services import add_check_point
    from jianguan.spotcheck.services import draw_batch

    batch, officers = batch
    for n, content in enumerate(["营业执照公示情况", "食品贮存条件"], start=1):
        add_check_point(CheckPointIn(item_code="37010001020000", code=f"0{n}", content=content, check_type="random"))
    batch.capacity = 10
    batch.save()
    ready(batch)
    return draw_batch(batch)


def test_a_result_becomes_an_inspection_record_and_completes_the_batch(drawn, province, make_user):
    from jianguan.core.errors import DomainError
    from jianguan.records.models import Record
    from jianguan.spotcheck.services import publication_overdue, publish_batch, record_result

    tasks = list(drawn.tasks.filter(status="assigned").order_by("stratum", "rank"))
    assert len(tasks) == 12
    from jianguan.officers.services import link_account

    # The officer enters the result with the account linked to his record, as a member of the team.
    member = tasks[0].officers.order_by("pk").first()
    officer_user = make_user("officer", department=member.department)
    link_account(member, officer_user.username)
    outsider = make_user("officer", department=province.qd_market)
    with pytest.raises(DomainError):
        record_result(tasks[0], result="01", check_answers={"01": "合格"}, actor=outsider)
    with pytest.raises(DomainError) as exc:
        record_result(tasks[0], result="99", check_answers={}, actor=officer_user)
    assert exc.value.code == "unknown_result"
    with pytest.raises(DomainError) as exc:
        record_result(tasks[0], result="01", check_answers={"01": "还行", "77": "合格"}, actor=officer_user)
    assert exc.value.code == "invalid_check_answers"
    entry = record_result(tasks[0], result="02", check_answers={"01": "合格", "02": "不合格"}, actor=officer_user)
    first = entry.task
    first.refresh_from_db()
    assert first.status == "completed" and entry.department == province.jn_market
    record = Record.objects.get(pk=entry.record_id)
    assert record.plan_id == f"SC{drawn.batch.plan_id}-1" and record.subject_id == first.subject_id
    assert record.result == "发现问题已责令改正"
    assert record.details["check_items"] == [{"code": "01", "result": "pass"}, {"code": "02", "result": "fail"}]
    assert {o["certificate_no"] for o in record.details["officers"]} == set(
        first.officers.values_list("certificate_no", flat=True)
    )
    drawn.batch.refresh_from_db()
    assert drawn.batch.status == "in_progress"
    with pytest.raises(DomainError):
        publish_batch(drawn.batch)
    for task in tasks[1:]:
        record_result(task, result="01", check_answers={"01": "合格", "02": "合理缺项"})
    batch = drawn.batch
    batch.refresh_from_db()
    assert batch.status == "completed" and batch.publish_due_on is not None
    from django.utils import timezone

    from jianguan.core.calendar import working_days_between

    # Counted on the platform's local calendar day (after 16:00 UTC it is already the next day in China).
    assert working_days_between(timezone.localtime(batch.completed_at).date(), batch.publish_due_on) == 20
    assert not publication_overdue(batch)
    assert publication_overdue(batch, today=batch.publish_due_on + dt.timedelta(days=1))
    publish_batch(batch)
    batch.refresh_from_db()
    assert batch.status == "published" and batch.published_at is not None


def test_joint_plan_end_to_end(province, make_subject, make_officer, make_user):
    from django.test import Client

    from jianguan.catalog.schemas import CheckPointIn, SupervisionItemIn
    from jianguan.catalog.services import add_check_point, create_item
    from jianguan.core.errors import DomainError
    from jianguan.spotcheck.services import (
        add_batch,
        approve_batch,
        commit_seed,
        create_plan,
        draw_batch,
        participants,
        publish_batch,
        record_result,
        verify_draw,
    )

    for code, owner, sector, point in (
        ("37010001030000", province.market, "scjg", "01"),
        ("37020001030000", province.env, "sthj", "E1"),
    ):
        create_item(
            SupervisionItemIn(
                code=code,
                name=f"联合抽查事项{code[:4]}",
                department=str(owner.pk),
                sector_code=sector,
                random_check=True,
                effective_from=dt.date(2020, 1, 1),
            )
        )
        add_check_point(CheckPointIn(item_code=code, code=point, content="检查内容", check_type="random"))
    for n in range(20):
        make_subject(f"联合抽查对象{n:02d}有限公司", county="370102")
    for _ in range(3):
        make_officer(department=province.lixia_market)
        make_officer(department=province.jn_env, sectors=("sthj",))
    plan = create_plan(province.jn_market, 2026, "2026年度部门联合抽查计划")
    with pytest.raises(DomainError) as exc:
        add_batch(
            plan,
            title="无事项的配合部门",
            starts_on=dt.date(2026, 4, 1),
            ends_on=dt.date(2026, 6, 30),
            item_codes=["37010001030000"],
            cooperators=[province.jn_env],
        )
    assert exc.value.code == "cooperator_without_items"
    batch = add_batch(
        plan,
        title="联合第一批",
        starts_on=dt.date(2026, 4, 1),
        ends_on=dt.date(2026, 6, 30),
        item_codes=["37010001030000", "37020001030000"],
        pool_filter={"regions": ["370102"]},
        quotas={"B": {"ratio": 0.2}},
        cooperators=[province.jn_env],
    )
    roles = {d.pk: [i.code for i in items] for d, items in participants(batch)}
    assert roles == {province.jn_market.pk: ["37010001030000"], province.jn_env.pk: ["37020001030000"]}
    approve_batch(batch)
    commit_seed(batch)
    draw = draw_batch(batch)
    assert verify_draw(draw).ok
    tasks = list(draw.tasks.order_by("stratum", "rank"))
    assert len(tasks) == 4
    for task in tasks:
        by_department = {}
        for officer in task.officers.all():
            by_department.setdefault(officer.department_id, []).append(officer)
        # One visit, two teams: each department drew its own officers.
        assert set(by_department) == {province.lixia_market.pk, province.jn_env.pk}
        assert all(len(team) == 2 for team in by_department.values())
    from jianguan.officers.models import Officer
    from jianguan.officers.services import link_account

    # Each environment officer signs in with the account linked to his record.
    env_logins = {}
    for officer in Officer.objects.filter(department=province.jn_env):
        env_logins[officer.pk] = make_user("officer", department=province.jn_env)
        link_account(officer, env_logins[officer.pk].username)
    env_officer = env_logins[tasks[0].officers.filter(department=province.jn_env).order_by("pk").first().pk]
    with pytest.raises(DomainError):  # the environment officer cannot enter the market's result
        record_result(tasks[0], result="01", check_answers={}, department=province.jn_market, actor=env_officer)
    for task in tasks:
        record_result(task, result="01", check_answers={"01": "合格"})
        task.refresh_from_db()
        assert task.status == "assigned"  # still waiting for the cooperating department
        member = task.officers.filter(department=province.jn_env).order_by("pk").first()
        record_result(
            task, result="02", check_answers={"E1": "不合格"}, department=province.jn_env, actor=env_logins[member.pk]
        )
        task.refresh_from_db()
        assert task.status == "completed" and task.results.count() == 2
    batch.refresh_from_db()
    assert batch.status == "completed"
    publish_batch(batch)
    page = Client().get(f"/public/spotchecks/{batch.pk}/").content.decode()
    assert "济南市生态环境局：发现问题已责令改正" in page and "济南市市场监督管理局：未发现问题" in page


def test_evidence_and_follow_up_on_a_finding(drawn, province, make_user, settings, tmp_path):
    from django.test import Client

    from jianguan.core.errors import DomainError
    from jianguan.records.models import Record
    from jianguan.spotcheck.services import record_result

    settings.MEDIA_ROOT = str(tmp_path)
    task = drawn.tasks.filter(status="assigned").first()
    with pytest.raises(DomainError) as exc:
        record_result(task, result="01", check_answers={}, follow_up="rectification")
    assert exc.value.code == "follow_up_without_finding"
    with pytest.raises(DomainError) as exc:
        record_result(task, result="02", check_answers={}, evidence=[("脚本.exe", b"MZ")])
    assert exc.value.code == "evidence_type"
    photo = b"\x89PNG\r\n\x1a\n" + b"0" * 100
    entry = record_result(
        task, result="02", check_answers={"01": "不合格"}, follow_up="rectification", evidence=[("现场照片.png", photo)]
    )
    assert entry.follow_up == "rectification"
    # The result is published; the rectification service's subscriber opens one order from the record.
    from jianguan.facts.models import Fact
    from jianguan.facts.services import deliver
    from jianguan.joint.services import setup as joint_setup
    from jianguan.rectification.models import Rectification

    joint_setup()
    fact = Fact.objects.get(name="spotcheck.result_recorded", object_id=str(task.pk))
    assert fact.payload["failed"] == ["01"] and fact.payload["record"] == entry.record_id and fact.payload["finding"]
    deliver()
    deliver(["rectification.from_spot_checks"])
    order = Rectification.objects.get()
    assert (order.source_kind, order.source_ref, order.subject_id) == (
        "record",
        f"record-{entry.record_id}",
        task.subject_id,
    )
    item = entry.evidence.get()
    assert item.sha256 == hashlib.sha256(photo).hexdigest() and item.size == len(photo)
    attachment = Record.objects.get(pk=entry.record_id).details["attachments"][0]
    assert attachment == {"name": "现场照片.png", "url": f"/spotchecks/evidence/{item.sha256}/", "sha256": item.sha256}
    staff = Client()
    staff.force_login(make_user("officer", department=province.jn_market))
    response = staff.get(attachment["url"])
    assert response.status_code == 200 and b"".join(response.streaming_content) == photo
    outsider = Client()
    outsider.force_login(make_user("officer", department=province.qd_market))
    assert outsider.get(attachment["url"]).status_code == 404


def test_a_risk_based_batch_takes_the_highest_scores_and_verifies(province, make_subject, make_officer):
    from jianguan.catalog.schemas import SupervisionItemIn
    from jianguan.catalog.services import create_item
    from jianguan.exchange.services import ingest, register_source
    from jianguan.spotcheck.services import add_batch, create_plan, draw_batch, verify_draw

    create_item(
        SupervisionItemIn(
            code="37010001040000",
            name="重点监管事项",
            department=str(province.market.pk),
            sector_code="scjg",
            random_check=True,
            effective_from=dt.date(2020, 1, 1),
        )
    )
    subjects = [make_subject(f"风险排序对象{n:02d}有限公司") for n in range(12)]
    officers = [make_officer(department=province.lixia_market) for _ in range(4)]
    source, _token = register_source("risk-history", "历史检查", province.jn_market)
    rows = []
    for month in range(1, 11):
        day = f"2025-{month:02d}-06"
        for n, subject in enumerate(subjects):
            failed = n < 2  # two repeat offenders
            rows.append(
                {
                    "kind": "inspection",
                    "source_id": f"H{n}-{month}",
                    "item_code": "37010001040000",
                    "department": province.lixia_market.uscc,
                    "subject_nature": "2",
                    "subject_id_type": "001",
                    "subject_code": subject.uscc,
                    "subject_name": subject.name,
                    "region": "370102",
                    "action_date": day,
                    "reported_at": f"{day}T18:00:00+08:00",
                    "form": "01",
                    "result": "发现问题已责令改正" if failed else "未发现问题",
                    "officers": [{"name": o.name, "certificate_no": o.certificate_no} for o in officers[:2]],
                }
            )
    assert ingest(enumerate(rows, 1), source=source, channel="api").accepted == len(rows)
    plan = create_plan(province.jn_market, 2026, "重点检查计划")
    batch = add_batch(
        plan,
        title="按风险",
        starts_on=dt.date(2026, 4, 1),
        ends_on=dt.date(2026, 6, 30),
        item_codes=["37010001040000"],
        pool_filter={"regions": ["370102"]},
        quotas={"B": {"ratio": 2 / 12}},
        exclude_months=0,
        selection="risk",
    )
    ready(batch)
    draw = draw_batch(batch)
    assert draw.algorithm.endswith("-risk")
    assert set(draw.tasks.values_list("subject_id", flat=True)) == {subjects[0].pk, subjects[1].pk}
    assert verify_draw(draw).ok
