"""The decision step: offsets fitted to recall floors and a calm→negative ceiling (training.operating_point),
applied from the model card by the serving classifier (emotion.vision.decision), and the logit-adjusted
training loss (training.train --logit-adjust)."""

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from emotion.vision.decision import Decision
from emotion.vision.labels import EMOTIONS, INDEX, NUM_CLASSES

pytestmark = pytest.mark.training

FEAR, SURPRISE, NEUTRAL, SAD = INDEX["fear"], INDEX["surprise"], INDEX["neutral"], INDEX["sad"]


def shy_about_fear(n_fear=40, n_surprise=200, n_neutral=300, seed=0):
    """A classifier's output that under-reads fear: afraid faces score fear only a little below surprise,
    surprised faces score fear well below surprise, and calm faces lean a little towards sad."""
    rng = np.random.default_rng(seed)
    labels = np.array([FEAR] * n_fear + [SURPRISE] * n_surprise + [NEUTRAL] * n_neutral)
    logits = rng.normal(0, 0.3, (len(labels), NUM_CLASSES))
    logits[labels == FEAR, SURPRISE] += 2.0
    logits[labels == FEAR, FEAR] += 1.6 + rng.normal(0, 0.3, n_fear)
    logits[labels == SURPRISE, SURPRISE] += 2.5
    logits[labels == SURPRISE, FEAR] += 0.5
    logits[labels == NEUTRAL, NEUTRAL] += 2.0
    logits[labels == NEUTRAL, SAD] += 1.4 + rng.normal(0, 0.6, n_neutral)
    probabilities = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    return probabilities.astype(np.float32), labels


def recall(probabilities, labels, k):
    return float((probabilities[labels == k].argmax(1) == k).mean())


def test_offsets_lift_a_rare_class_to_its_floor_and_keep_calm_faces_calm():
    from training.operating_point import Targets, fit_decision, summary

    probs, labels = shy_about_fear()
    assert recall(probs, labels, FEAR) < 0.5  # the plain arg-max seldom names fear
    targets = Targets({FEAR: 0.8, SURPRISE: 0.9}, max_calm_to_negative=0.05)
    assert targets.shortfall(probs.argmax(1), labels)[0] > 0.5

    decision = fit_decision(probs, labels, targets)
    adjusted = decision.apply(probs)
    assert recall(adjusted, labels, FEAR) >= 0.8 and recall(adjusted, labels, SURPRISE) >= 0.9
    assert np.isin(adjusted[labels == NEUTRAL].argmax(1), [SAD]).mean() <= 0.05
    assert decision.offsets[FEAR] > 0 and decision.offsets[NEUTRAL] == 0
    assert summary(adjusted, labels, targets)["targets_met"] is True
    assert np.allclose(adjusted.sum(1), 1, atol=1e-5)


def test_among_offsets_that_meet_the_targets_the_most_accurate_wins():
    """With no targets at all the search keeps (or finds) the offsets of the best accuracy."""
    from training.operating_point import Targets, fit_offsets

    probs, labels = shy_about_fear()
    offsets = fit_offsets(probs, labels, Targets())
    plain = (probs.argmax(1) == labels).mean()
    shifted = ((np.log(probs) + offsets).argmax(1) == labels).mean()
    assert shifted >= plain


def test_the_refitted_temperature_calibrates_the_shifted_probabilities():
    from training.calibration import expected_calibration_error
    from training.operating_point import Targets, fit_decision

    probs, labels = shy_about_fear()
    decision = fit_decision(probs, labels, Targets({FEAR: 0.8}, 0.05))
    shifted_only = Decision(decision.offsets).apply(probs)
    assert decision.temperature != 1.0
    assert expected_calibration_error(decision.apply(probs), labels) <= expected_calibration_error(
        shifted_only, labels)


def test_out_of_fold_figures_use_offsets_fitted_on_the_other_half():
    from training.operating_point import Targets, crossfit_probabilities, fit_decision

    probs, labels = shy_about_fear(seed=3)
    targets = Targets({FEAR: 0.8}, 0.05)
    crossfit = crossfit_probabilities(probs, labels, targets)
    assert crossfit.shape == probs.shape and np.allclose(crossfit.sum(1), 1, atol=1e-5)
    assert not np.allclose(crossfit, fit_decision(probs, labels, targets).apply(probs))
    assert recall(crossfit, labels, FEAR) > recall(probs, labels, FEAR) + 0.3


def test_a_decision_reads_its_offsets_by_name_from_the_card(tmp_path):
    from emotion.vision.card import ModelCard

    model, card = tmp_path / "emotion.tflite", tmp_path / "emotion.json"
    assert ModelCard.read(model) == ModelCard(((model, 1.0),))  # no card: the file alone, as it is
    card.write_text(json.dumps({"labels": list(EMOTIONS)}))
    assert ModelCard.read(model).decision.is_identity  # a card without a decision
    card.write_text(json.dumps({"decision": {"offsets": {"fear": 1.5, "disgust": 2.0}, "temperature": 0.8}}))
    decision = ModelCard.read(model).decision
    assert decision.offsets == (0.0, 2.0, 1.5, 0.0, 0.0, 0.0, 0.0) and decision.temperature == 0.8
    probs = np.full((1, NUM_CLASSES), 1 / NUM_CLASSES, np.float32)
    assert decision.apply(probs).argmax() == INDEX["disgust"]
    assert Decision().apply(probs) is probs

    card.write_text(json.dumps({"decision": {"offsets": {"contempt": 1.0}}}))
    with pytest.raises(ValueError, match="unknown emotions"):
        ModelCard.read(model)
    with pytest.raises(ValueError, match="positive"):
        Decision(temperature=0.0)


def test_the_serving_classifier_applies_the_decision_its_card_names(tmp_path):
    from emotion.vision.classifier import EmotionClassifier
    from training.export import DEFAULT_OUT

    model = tmp_path / "emotion.tflite"
    shutil.copy(DEFAULT_OUT, model)
    faces = np.random.default_rng(0).random((5, 48, 48, 1), np.float32)
    plain = EmotionClassifier(model, use_card=False)
    raw = plain.predict(faces)

    card = json.loads(DEFAULT_OUT.with_suffix(".json").read_text())
    card.pop("blend", None)
    card["decision"] = Decision((0, 0, 9.0, 0, 0, 0, 0), 1.0).as_card()
    model.with_suffix(".json").write_text(json.dumps(card))
    served = EmotionClassifier(model)
    assert served.decision.offsets[FEAR] == 9.0
    assert served.predict(faces) == pytest.approx(served.decision.apply(raw), abs=1e-5)
    assert (served.predict(faces).argmax(1) == FEAR).all()
    assert served.version != plain.version  # moving the operating point is a new model version
    assert EmotionClassifier(model, flip_tta=True).predict(faces).argmax(1).tolist() == [FEAR] * 5


def test_a_decision_fitted_on_mirrored_faces_is_always_served_with_them(tmp_path, settings):
    from emotion import engine
    from emotion.vision.classifier import EmotionClassifier
    from training.export import DEFAULT_OUT

    model = tmp_path / "emotion.tflite"
    shutil.copy(DEFAULT_OUT, model)
    faces = np.random.default_rng(0).random((3, 48, 48, 1), np.float32)
    card = json.loads(DEFAULT_OUT.with_suffix(".json").read_text())
    card.pop("blend", None)
    card["decision"] = Decision((0, 0, 0.5, 0, 0, 0, 0), 0.8, flip_tta=True).as_card()
    assert card["decision"]["flip_tta"] is True
    model.with_suffix(".json").write_text(json.dumps(card))

    served = EmotionClassifier(model)  # no flip asked for: the card's decision asks for it
    assert served.flip_tta and served.decision.flip_tta
    mirrored_average = EmotionClassifier(model, use_card=False, flip_tta=True).predict(faces)
    assert served.predict(faces) == pytest.approx(served.decision.apply(mirrored_average), abs=1e-5)
    assert served.version.endswith("+flip")

    # The version a private-mode reading must carry follows the card too, whatever EMOTION_FLIP_TTA says.
    settings.EMOTION_MODEL_PATH, settings.EMOTION_FLIP_TTA = model, False
    engine.reset()
    try:
        assert "+flip+" in engine.device_model_version()
    finally:
        engine.reset()


def voted_crops(folder):
    """Six real validation crops per emotion, each with ten FER+ votes: nine for its FER2013 label."""
    from tests.images import FER2013
    from tests.training.test_evaluate import VOTE_HEADER

    (folder / "val").mkdir(parents=True)
    rows = []
    # column order of VOTE_HEADER: neutral, happiness, surprise, sadness, anger, disgust, fear, ...
    vote_column = {"neutral": 0, "happy": 1, "surprise": 2, "sad": 3, "angry": 4, "disgust": 5, "fear": 6}
    for emotion in EMOTIONS:
        for src in sorted((FER2013 / "val" / emotion).glob("*.png"))[:6]:
            shutil.copy(src, folder / "val" / src.name)
            votes = [0] * 10
            votes[vote_column[emotion]] = 9
            rows.append(f"val/{src.name},PublicTest,{emotion}," + ",".join(map(str, votes)))
    (folder / "labels.csv").write_text(VOTE_HEADER + "\n".join(rows) + "\n")
    return folder


def test_operating_point_writes_the_decision_into_the_card(tmp_path, capsys):
    """End to end on a real exported model and labelled crops with FER+ votes: the command fits offsets
    for the floors it is given, records before/after/out-of-fold figures, and serving then uses them."""
    from emotion.vision.classifier import EmotionClassifier
    from emotion.vision.preprocess import faces_to_batch
    from training import data, operating_point
    from training.export import DEFAULT_OUT

    folder = voted_crops(tmp_path / "data")
    model = tmp_path / "emotion.tflite"
    shutil.copy(DEFAULT_OUT, model)
    card = json.loads(DEFAULT_OUT.with_suffix(".json").read_text())
    card.pop("decision", None)
    card.pop("blend", None)
    model.with_suffix(".json").write_text(json.dumps(card))

    record = operating_point.main(["--data", str(folder), "--model", str(model), "--cache-dir", str(tmp_path / "c"),
                                   "--recall-floor", "fear=0.5", "disgust=0.5", "--max-calm-to-negative", "0.2"])
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1]) == json.loads(json.dumps(record))
    assert record["targets"] == {"recall_floors": {"fear": 0.5, "disgust": 0.5}, "max_calm_to_negative": 0.2,
                                 "min_clear_recall": None, "max_clear_to_neutral": None}
    assert record["before"]["n"] == record["after"]["n"] == 42
    assert record["before"]["per_class_recall"]["fear"] < 0.5
    assert record["after"]["per_class_recall"]["fear"] >= 0.5
    assert record["after"]["per_class_recall"]["disgust"] >= 0.5
    assert record["after"]["calm_to_negative"] <= 0.2 and record["after"]["targets_met"] is True
    assert {"after_crossfit", "fer2013_accuracy", "temperature", "offsets"} <= set(record)
    assert json.loads(model.with_suffix(".json").read_text())["decision"] == json.loads(json.dumps(record))

    served = EmotionClassifier(model)
    assert served.decision.offsets[FEAR] == record["offsets"]["fear"]
    x = faces_to_batch(data.read_split(folder, subfolder="val").images)
    fear_faces = x[data.read_split(folder, subfolder="val").labels == FEAR]
    assert (served.predict(fear_faces).argmax(1) == FEAR).mean() >= 0.5


def test_a_decision_fitted_out_of_fold_names_the_runs_it_was_fitted_on(tmp_path):
    from training import data, operating_point
    from training.export import DEFAULT_OUT

    folder = voted_crops(tmp_path / "data")
    (folder / "train").mkdir()
    rows = (folder / "labels.csv").read_text().splitlines()
    for row in rows[1:]:  # the same crops as a training split with the same votes
        path, _, rest = row.split(",", 2)
        shutil.copy(folder / path, folder / "train" / Path(path).name)
        rows.append(f"train/{Path(path).name},Training,{rest}")
    (folder / "labels.csv").write_text("\n".join(rows) + "\n")
    train = data.read_split(folder, subfolder="train")
    rng = np.random.default_rng(0)
    for fold, members in enumerate((slice(0, 21), slice(21, 42))):
        run = tmp_path / "cv" / f"fold{fold}"
        run.mkdir(parents=True)
        truth = np.eye(NUM_CLASSES)[train.labels[members]]
        plain, mirrored = (0.6 * truth + 0.4 * rng.dirichlet(np.ones(NUM_CLASSES), len(truth)) for _ in range(2))
        np.savez(run / "oof.npz", paths=np.array(train.paths[members]), probabilities=plain, mirrored=mirrored)
    model = tmp_path / "emotion.tflite"
    shutil.copy(DEFAULT_OUT, model)
    model.with_suffix(".json").write_text("{}")

    record = operating_point.main(["--data", str(folder), "--model", str(model), "--cache-dir", str(tmp_path / "c"),
                                   "--oof", str(tmp_path / "cv" / "fold0"), str(tmp_path / "cv" / "fold1"),
                                   "--flip-tta", "--max-calm-to-negative", "0.2"])
    assert record["oof_runs"] == ["cv/fold0", "cv/fold1"] and record["flip_tta"] is True
    assert record["fitted_on"].startswith("out-of-fold predictions on train (2 runs, 42 faces)")
    assert record["after_crossfit"]["n"] == 42 and record["after"]["n"] == 42


def test_operating_point_refuses_an_unknown_emotion_and_a_model_without_a_card(tmp_path, capsys):
    from training import operating_point

    with pytest.raises(SystemExit):
        operating_point.main(["--data", str(tmp_path), "--recall-floor", "contempt=0.5"])
    assert "EMOTION=RECALL" in capsys.readouterr().err
    (tmp_path / "m.tflite").write_bytes(b"")
    with pytest.raises(SystemExit):
        operating_point.main(["--data", str(tmp_path), "--model", str(tmp_path / "m.tflite")])
    assert "export the model first" in capsys.readouterr().err


def test_the_logit_adjusted_loss_is_crossentropy_on_logits_shifted_by_the_log_prior():
    import keras

    from training.train import class_prior, logit_adjusted_loss

    targets = np.eye(NUM_CLASSES, dtype=np.float32)[[0, 0, 0, 6, 6, 6, 6, 6, 3, 2]]
    prior = class_prior(targets)
    assert prior.sum() == pytest.approx(1) and prior[6] > prior[0] > prior[1]
    logits = np.random.default_rng(0).normal(size=(10, NUM_CLASSES)).astype(np.float32)
    probs = keras.ops.softmax(logits).numpy()
    expected = keras.losses.CategoricalCrossentropy(from_logits=True)(targets, logits + 1.0 * np.log(prior))
    assert float(logit_adjusted_loss(prior, 1.0)(targets, probs)) == pytest.approx(float(expected), rel=1e-4)
    plain = keras.losses.CategoricalCrossentropy()(targets, probs)
    assert float(logit_adjusted_loss(prior, 0.0)(targets, probs)) == pytest.approx(float(plain), rel=1e-4)


def test_a_tiny_logit_adjusted_run_trains_and_records_tau(tmp_path):
    from tests.images import FER2013
    from training import train

    folder = tmp_path / "fer"
    for emotion in EMOTIONS:
        for split, count in (("train", 6), ("val", 2)):
            (folder / split / emotion).mkdir(parents=True)
            for src in sorted((FER2013 / split / emotion).glob("*.png"))[:count]:
                shutil.copy(src, folder / split / emotion / src.name)
    run = tmp_path / "run"
    summary = train.main(["--data", str(folder), "--out", str(run), "--epochs", "1", "--batch", "16", "--width", "8",
                          "--warmup", "0", "--precision", "float32", "--no-progress", "--logit-adjust", "1.0"])
    assert json.loads((run / "config.json").read_text())["logit_adjust"] == 1.0
    assert 0.0 <= summary["best_val_accuracy"] <= 1.0 and (run / "best.keras").exists()


def shipped_pair(tmp_path):
    """Copies of the shipped model and of another network (trained on FER2013's labels in an earlier round,
    kept in tests/fixtures/models), without the shipped card."""
    from training.export import DEFAULT_OUT

    second = Path(__file__).resolve().parents[1] / "fixtures" / "models" / "fer2013-labels.tflite"
    first, other = tmp_path / "first.tflite", tmp_path / "second.tflite"
    shutil.copy(DEFAULT_OUT, first)
    shutil.copy(second, other)
    return first, other


def test_a_blend_averages_its_members_with_their_weights_before_the_decision(tmp_path):
    from emotion.vision.card import ModelCard
    from emotion.vision.classifier import EmotionClassifier

    first, other = shipped_pair(tmp_path)
    faces = np.random.default_rng(1).random((6, 48, 48, 1), np.float32)
    a = EmotionClassifier(first, use_card=False).predict(faces)
    b = EmotionClassifier(other, use_card=False).predict(faces)
    assert not np.allclose(a, b, atol=0.05)  # two networks that read faces differently

    decision = Decision((0.3, 1.0, 0.5, -0.2, 0.0, -0.1, 0.0), 0.8)
    card = {"blend": {"members": [{"model": "first.tflite", "weight": 0.7}, {"model": "second.tflite", "weight": 0.3}]},
            "decision": decision.as_card()}
    first.with_suffix(".json").write_text(json.dumps(card))
    served = EmotionClassifier(first)
    assert served.members == ((first, 0.7), (other, 0.3)) and served.decision == decision
    assert served.predict(faces) == pytest.approx(decision.apply(0.7 * a + 0.3 * b), abs=1e-5)
    assert served.version.startswith("first-") and served.version != EmotionClassifier(first, use_card=False).version

    card["blend"]["members"][1]["weight"] = 0.5
    first.with_suffix(".json").write_text(json.dumps(card))
    with pytest.raises(ValueError, match="sum to 1"):
        ModelCard.read(first)
    card["blend"]["members"][1] = {"model": "gone.tflite", "weight": 0.3}
    first.with_suffix(".json").write_text(json.dumps(card))
    with pytest.raises(FileNotFoundError, match="gone.tflite"):
        ModelCard.read(first)


def test_operating_point_chooses_a_blend_weight_and_serving_follows_it(tmp_path):
    from emotion.vision.classifier import EmotionClassifier
    from training import operating_point

    first, other = shipped_pair(tmp_path)
    folder = voted_crops(tmp_path / "data")
    first.with_suffix(".json").write_text(json.dumps({"labels": list(EMOTIONS)}))
    record = operating_point.main(["--data", str(folder), "--model", str(first), "--blend", str(other),
                                   "--blend-weights", "0.2,0.5", "--cache-dir", str(tmp_path / "c"),
                                   "--recall-floor", "fear=0.5", "--max-calm-to-negative", "0.2"])
    members = record["blend"]["members"]
    assert [m["model"] for m in members] == ["first.tflite", "second.tflite"]
    assert members[1]["weight"] in (0.2, 0.5) and members[0]["weight"] == pytest.approx(1 - members[1]["weight"])
    assert set(record["blend"]["accuracy_by_weight"]) == {"0.2", "0.5"}
    card = json.loads(first.with_suffix(".json").read_text())
    assert card["blend"] == record["blend"] and card["decision"]["offsets"] == record["offsets"]
    served = EmotionClassifier(first)
    assert [path.name for path, _ in served.members] == ["first.tflite", "second.tflite"]

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.copy(other, elsewhere / "second.tflite")
    with pytest.raises(SystemExit):
        operating_point.main(["--data", str(folder), "--model", str(first),
                              "--blend", str(elsewhere / "second.tflite")])
