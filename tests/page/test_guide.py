"""The teacher's guide (``components.page.guide``): a page per lesson whose numbers come from running the
lesson's default run, served at ``/guide`` and written by ``gatelab guide``."""

import re

from components.page.form import preset_values
from components.page.guide import guide
from components.page.lessons import LESSONS
from models.questions import QUESTIONS

SMALL = preset_values(None) | {"epochs": "3", "hidden-size": "4"}  # every lesson's runs in a few seconds


def test_the_guide_holds_every_lesson_with_its_question_answer_notes_and_link():
    page = guide(values=SMALL, base_url="http://class.example:8050/")
    sections = re.findall(r'<section id="([\w-]+)">(.*?)</section>', page, re.S)
    assert [name for name, _ in sections] == list(LESSONS)
    for name, body in sections:
        assert QUESTIONS[name].text.replace("'", "&#x27;") in body
        assert "The answer at the link&#x27;s defaults:" in body or "The answer at the link's defaults:" in body
        assert body.count("<li>") == 2
        assert f'href="http://class.example:8050/?lesson={name}"' in body
    assert "<script" not in page and "http" not in page.split("<body>")[0]  # offline: nothing to fetch


def test_a_changed_default_changes_the_guides_numbers():
    from components.page.form import form_config
    from components.server.settings import Settings
    from models.experiment import run_experiment
    from models.verdict import number

    a = guide(["basics"], values=SMALL)
    b = guide(["basics"], values=SMALL | {"hidden-size": "8"})
    figures = lambda page: re.search(r'class="answer">(.*?)</p>', page, re.S).group(1)
    assert figures(a) != figures(b)
    config, _ = form_config(SMALL | {"hidden-size": "8"}, Settings())
    assert f"MSE {number(run_experiment(config).metrics.mse)}" in b  # the number a run at those settings gives


def test_the_page_serves_the_guide_and_names_a_bad_lesson(gatelab):
    client = gatelab.server.test_client()
    bad = client.get("/guide?lesson=nope")
    assert bad.status_code == 400 and bad.get_data(as_text=True).startswith("lesson must be one of basics")
    ok = client.get("/guide?lesson=trust")
    assert ok.status_code == 200 and ok.mimetype == "text/html"
    assert '<section id="trust">' in ok.get_data(as_text=True) and "?lesson=trust" in ok.get_data(as_text=True)
