"""Benchmark: complaint classification and routing, each next to a baseline measured in the same run.

1. Classification on ../shared/data/text/online_shopping_dev.csv (label = cat, 10 classes): a
   stratified 80/20 split (seed 2026); the classifier of `complaints.classifier` against a
   majority-class classifier. Prints accuracy, macro-F1, training time, and throughput for a batch
   (the history, a retraining) and one text at a time (intake).
2. Routing of generated demands (the demo's texts: category, county and address known): ours =
   category from the trained model + address → county (core.address) + dispatch catalogue; the
   baseline = keyword rules for the category + the first county or city name found in the text.
   Prints demands/s and the share routed to the right county, category and lead unit.
Run: .venv/bin/python bench/complaints.py [--demands N]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve()
sys.path.insert(0, str(HERE.parent))

from common import peak_rss_mib, setup_django  # noqa: E402

DEV = HERE.parents[2] / "shared" / "data" / "text" / "online_shopping_dev.csv"

# The baseline's keyword rules: the first leaf whose keyword appears in the text.
KEYWORDS = {
    "060101": ["过期", "变质", "后厨", "吃出", "卫生很差", "凉皮"],
    "060102": ["药", "处方", "血糖仪"],
    "060103": ["三包", "电池", "3C", "插线板"],
    "060104": ["预付卡", "退货", "会员费", "退款"],
    "060105": ["多收", "收费", "价格", "促销价"],
    "060106": ["电梯", "扶梯", "锅炉"],
    "060107": ["广告", "宣传", "直播间"],
    "060108": ["营业执照", "无证", "托管班"],
    "060109": ["秤", "计量", "加油机"],
    "060110": ["商标", "假冒名牌", "品牌"],
    "060111": ["网购", "网店", "平台", "朋友圈"],
    "010101": ["医院", "医生", "挂号", "就医"],
    "010102": ["医美", "玻尿酸", "双眼皮"],
    "010201": ["旅行社", "景区", "导游"],
    "010202": ["网吧", "KTV"],
    "0103": ["学校", "培训", "入学"],
    "0201": ["噪音", "噪声", "喧哗", "跳绳"],
    "0202": ["排放", "排污", "倾倒", "黑烟"],
    "020301": ["出租车", "网约车", "打车"],
    "020302": ["公交"],
    "0204": ["停水", "暖气", "停电", "供水"],
    "0205": ["燃气", "液化气"],
    "0301": ["农资", "农药", "种子", "化肥"],
    "0302": ["农残", "韭菜"],
    "0303": ["病死猪", "兽医", "疫病"],
    "0401": ["物业", "车位", "车库"],
    "0402": ["交付", "开发商", "开裂"],
    "0403": ["扩建", "违法建房", "彩钢房"],
    "0501": ["工资", "讨薪", "经济补偿"],
    "0502": ["社会保险", "养老保险", "社保"],
    "0602": ["安全隐患", "烟花爆竹", "稀料"],
    "0701": ["工作人员", "作风", "吃拿卡要"],
    "0801": ["耕地", "基本农田", "挖土"],
    "0802": ["采石", "采砂"],
    "0901": ["身份证", "公共厕所", "表扬", "走失"],
}


def classification() -> dict:
    import pandas as pd
    from sklearn.dummy import DummyClassifier
    from sklearn.metrics import accuracy_score, f1_score
    from sklearn.model_selection import train_test_split

    from jianguan.complaints import classifier

    frame = classifier.read_labelled(str(DEV), "review", "cat")
    train, test = train_test_split(frame, test_size=0.2, stratify=frame["label"], random_state=2026)
    out = {}
    for name, make in [
        ("classifier", classifier.build_pipeline),
        ("majority class (baseline)", lambda: DummyClassifier(strategy="most_frequent")),
    ]:
        model = make()
        started = time.perf_counter()
        model.fit(train["text"], train["label"])
        fitted = time.perf_counter() - started
        started = time.perf_counter()
        predicted = model.predict(test["text"])
        batch = len(test) / (time.perf_counter() - started)
        sample = list(test["text"][:300])
        started = time.perf_counter()
        for text in sample:
            model.predict_proba([text])
        single = len(sample) / (time.perf_counter() - started)
        out[name] = {
            "accuracy": accuracy_score(test["label"], predicted),
            "macro_f1": f1_score(test["label"], predicted, average="macro", zero_division=0),
            "train_s": fitted,
            "batch_per_s": batch,
            "single_per_s": single,
        }
    out["sizes"] = (len(train), len(test), int(pd.Series(frame["label"]).nunique()))
    return out


def province() -> None:
    """Departments of every sector at city level, market regulation in every county, the 12345 offices."""
    from jianguan.complaints.policy import load_taxonomy
    from jianguan.core.codes import uscc_with_check
    from jianguan.core.models import Region
    from jianguan.platform.services import create_department, ensure_sector

    sectors = [
        "scjg",
        "sthj",
        "yjgl",
        "wsjk",
        "jtys",
        "zjjs",
        "nync",
        "whly",
        "zrzy",
        "ypjg",
        "rx",
        "rlsb",
        "jyty",
        "jjjc",
    ]
    top = Region.objects.get(code="370000")
    cities = list(Region.objects.filter(parent=top, is_historical=False))
    serial = 0

    def uscc(code):
        nonlocal serial
        serial += 1
        return uscc_with_check(f"11{code}{serial:08d}1")

    for code in sectors:
        sector = ensure_sector(code, code)
        head = create_department(name=f"山东省{code}", region=top, sector=sector, uscc=uscc(top.code))
        for city in cities:
            unit = create_department(
                name=f"{city.name}{code}", region=city, sector=sector, parent=head, uscc=uscc(city.code)
            )
            if code == "scjg":
                for county in Region.objects.filter(parent=city, is_historical=False):
                    create_department(
                        name=f"{county.name}{code}", region=county, sector=sector, parent=unit, uscc=uscc(county.code)
                    )
    load_taxonomy()


def demands(n: int, seed: int) -> list[dict]:
    from jianguan.core.models import Region
    from jianguan.demo import complaint_texts as texts

    rng = random.Random(seed)
    counties = list(Region.objects.filter(code__startswith="37", level=3, is_historical=False).select_related("parent"))
    out = []
    for _ in range(n):
        code = rng.choice(list(texts.TEXTS))
        kind, template = rng.choice(texts.TEXTS[code])
        county = rng.choice(counties)
        content = template.format(
            shop="某某商店",
            road=rng.choice(texts.ROADS),
            community=rng.choice(texts.COMMUNITIES),
            product=rng.choice(texts.PRODUCTS),
            when=rng.choice(texts.WHEN),
            amount=rng.choice([58, 260, 1500]),
            bus=rng.choice(texts.BUSES),
        )
        road = rng.choice(texts.ROADS)
        address = rng.choices(
            [f"{county.parent.name}{county.name}{road}{rng.randint(1, 300)}号", f"{county.name}{road}"], weights=[6, 4]
        )[0]
        out.append({"content": content, "address": address, "category": code, "county": county.code})
    return out


def routing(count: int) -> dict:
    import pandas as pd

    from jianguan.complaints import classifier
    from jianguan.complaints.models import Category
    from jianguan.complaints.routing import Catalogue
    from jianguan.core.address import address_parser
    from jianguan.core.models import Region

    province()
    training = pd.DataFrame(demands(4000, seed=1))
    model = classifier.build_pipeline()
    model.fit(training["content"], training["category"])
    test = demands(count, seed=2)
    categories = {c.code: c for c in Category.objects.all()}
    catalogue = Catalogue()
    truth = [catalogue.route(categories[d["category"]], d["county"]).lead for d in test]
    parser = address_parser()

    def ours(batch):
        labels = [label for label, _c in classifier.propose_many(model, [d["content"] for d in batch])]
        out = []
        for demand, label in zip(batch, labels, strict=True):
            region = parser.parse(f"{demand['address']} {demand['content']}").code
            out.append((label, region, catalogue.route(categories[label], region).lead if region else None))
        return out

    names = sorted(
        (
            (name, code)
            for code, name in Region.objects.filter(code__startswith="37", is_historical=False)
            .exclude(level=1)
            .values_list("code", "name")
        ),
        key=lambda pair: -len(pair[0]),
    )

    def baseline(batch):
        out = []
        for demand in batch:
            text = f"{demand['address']} {demand['content']}"
            label = next((code for code, words in KEYWORDS.items() if any(w in text for w in words)), "0901")
            region = next((code for name, code in names if name in text), None)
            out.append((label, region, catalogue.route(categories[label], region).lead if region else None))
        return out

    results = {}
    for name, router in [("ours", ours), ("keyword router (baseline)", baseline)]:
        started = time.perf_counter()
        routed = router(test)
        elapsed = time.perf_counter() - started
        results[name] = {
            "per_s": len(test) / elapsed,
            "category": sum(r[0] == d["category"] for r, d in zip(routed, test, strict=True)) / len(test),
            "county": sum(r[1] == d["county"] for r, d in zip(routed, test, strict=True)) / len(test),
            "lead": sum(r[2] == t for r, t in zip(routed, truth, strict=True)) / len(test),
        }
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--demands", type=int, default=5000)
    args = parser.parse_args()
    var_dir = tempfile.mkdtemp(prefix="jianguan-bench-complaints-")
    setup_django("sqlite", var_dir, "")
    started = time.perf_counter()
    figures = classification()
    train_n, test_n, labels = figures.pop("sizes")
    print(f"classification: online_shopping_dev.csv, {labels} classes, trained on {train_n:,}, evaluated on {test_n:,}")
    for name, f in figures.items():
        print(
            f"  {name:<26} accuracy {f['accuracy']:.4f}  macro-F1 {f['macro_f1']:.4f}  "
            f"train {f['train_s']:.1f} s  batch {f['batch_per_s']:,.0f} texts/s  one at a time {f['single_per_s']:,.0f} texts/s"
        )
    ours, base = figures["classifier"], figures["majority class (baseline)"]
    print(
        f"  ratio: accuracy ×{ours['accuracy'] / base['accuracy']:.2f}, macro-F1 ×{ours['macro_f1'] / max(base['macro_f1'], 1e-9):.1f}"
    )
    routed = routing(args.demands)
    print(f"routing: {args.demands:,} generated demands (category, county and lead unit known)")
    for name, f in routed.items():
        print(
            f"  {name:<26} {f['per_s']:,.0f} demands/s  category {f['category']:.4f}  county {f['county']:.4f}  lead unit {f['lead']:.4f}"
        )
    a, b = routed["ours"], routed["keyword router (baseline)"]
    print(
        f"  ratio: throughput ×{a['per_s'] / b['per_s']:.2f}, lead unit right ×{a['lead'] / max(b['lead'], 1e-9):.2f}"
    )
    print(f"peak RSS {peak_rss_mib()} MiB, total {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
