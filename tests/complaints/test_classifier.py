"""The complaint classifier: train and evaluate from labelled CSV files, with the CLI's JSON contract."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

TEXTS = {
    "食品": ["买的面包过期了还在卖", "超市卖的牛奶已经变质发酸", "餐馆的菜里吃出了虫子", "熟食店卫生很差苍蝇很多"],
    "价格": ["商品标价和结账价格不一致", "景区门票价格乱涨", "加油站多收了钱不给退", "药店同一药品价格忽高忽低"],
    "广告": [
        "网店宣传国家级最好产品",
        "广告说包治百病明显虚假",
        "直播间夸大宣传保健品功效",
        "传单上写着全网第一最低价",
    ],
}


@pytest.fixture
def labelled(tmp_path):
    lines = ["诉求内容,类别,备注"]
    for label, texts in TEXTS.items():
        for round_ in range(4):
            for text in texts:
                lines.append(f"{text}（第{round_}次反映）,{label},无关列")
    path = tmp_path / "labelled.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_train_then_evaluate_with_a_holdout(labelled, tmp_path, settings):
    settings.VAR_DIR = tmp_path
    holdout = tmp_path / "holdout.csv"
    call_command(
        "complaints",
        "train",
        str(labelled),
        "--text-column",
        "诉求内容",
        "--label-column",
        "类别",
        "--holdout",
        "0.25",
        "--holdout-file",
        str(holdout),
        stdout=io.StringIO(),
    )
    out = io.StringIO()
    call_command(
        "complaints",
        "evaluate",
        str(holdout),
        "--text-column",
        "诉求内容",
        "--label-column",
        "类别",
        "--json",
        stdout=out,
    )
    result = json.loads(out.getvalue().strip().splitlines()[-1])
    assert set(result) >= {"accuracy", "macro_f1", "per_class"}
    assert set(result["per_class"]) == set(TEXTS) and result["examples"] == 12
    assert result["accuracy"] > 0.6  # three classes: chance is a third


def test_the_proposal_carries_a_confidence(labelled, tmp_path, settings):
    from jianguan.complaints import classifier

    settings.VAR_DIR = tmp_path
    model = classifier.train(classifier.read_labelled(str(labelled), "诉求内容", "类别"))
    label, confidence = classifier.propose(model, "饭店卖的肉已经发臭变质")
    assert label == "食品" and 0 < confidence <= 1


def test_clear_errors_for_wrong_columns_and_no_model(labelled, tmp_path, settings):
    settings.VAR_DIR = tmp_path
    with pytest.raises(CommandError, match="正文"):
        call_command(
            "complaints",
            "train",
            str(labelled),
            "--text-column",
            "正文",
            "--label-column",
            "类别",
            stdout=io.StringIO(),
        )
    with pytest.raises(CommandError, match="no trained model"):
        call_command(
            "complaints",
            "evaluate",
            str(labelled),
            "--text-column",
            "诉求内容",
            "--label-column",
            "类别",
            stdout=io.StringIO(),
        )
