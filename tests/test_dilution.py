"""An ad is still an ad inside a page of unrelated text (other listings, menus, a blog), and a news
story is still news there. Not met yet by the shipped model, whose whole-text bag of features is
diluted by ordinary prose (MODEL_CARD.md, "Dilution": what was measured and why neither passage
scoring nor diluted training is shipped). Texts written here, not taken from the corpus."""

import pytest

from nlp.analyze import analyze, excerpt

AD = ("Kidney transplant package in Istanbul: all inclusive price $45,000, donor arranged within 2 weeks, "
      "visa and airport pick-up included. WhatsApp +92 300 1234567 for a quote.")
NEWS = ("Police in Lahore arrested four men on Tuesday accused of running a kidney trafficking ring that "
        "lured poor labourers with promises of jobs. Investigators said the victims were paid a fraction of "
        "what foreign patients were charged, and the health ministry said the private clinic involved had "
        "no licence for transplants. The suspects will appear in court next week, the newspaper reported.")
# About 200 words of an ordinary page: navigation, other listings, a blog post, a footer.
AROUND = """Home | Buy & Sell | Jobs | Property | Cars | Services | Help | Sign in
Used Honda Civic 2016, 92,000 km, one owner, service history, new tyres. 6,800 or near offer.
Two bedroom flat to rent near the university, furnished, bills included, available from next month.
Garden furniture set, teak table and four chairs, collection only, cash on pickup.
Weekend recipe: slow roasted tomatoes with garlic and thyme. Halve the tomatoes, drizzle with olive
oil, season well and roast at a low heat for three hours until sticky and sweet. Serve on toast with
soft cheese or stir through pasta with basil and a squeeze of lemon.
Piano lessons for beginners and intermediate students, all ages, first lesson free, evenings and weekends.
Mountain bike, 21 gears, front suspension, recently serviced, a few scratches on the frame.
Lost cat in the Riverside area: grey tabby, white paws, answers to Milo. Reward offered for news.
Community football league sign-ups are open for the spring season; teams of seven, matches on Sundays.
Local weather: light rain in the morning clearing to sunny spells, highs of nineteen degrees.
About us · Contact · Privacy policy · Terms of use · Advertise with us · Cookie settings
Copyright 2024 Classifieds Online. All rights reserved."""


def _embedded(text: str) -> str:
    lines = AROUND.splitlines()
    return "\n".join(lines[:6] + [text] + lines[6:])


@pytest.mark.xfail(strict=True, reason=(
    "known gap (MODEL_CARD.md, Dilution): the ad scores 1.0 alone and 0.00 inside this 200-word "
    "classifieds page; a model trained on diluted copies still gives 0.02; passage scoring flags "
    "it but flags more hard negatives, and so, by fewer, does passage scoring with the context veto "
    "(model.admitted_passages, WINDOW = 100)"))
def test_ad_in_a_page_of_unrelated_text_is_still_flagged():
    assert analyze(AD).flagged
    page = _embedded(AD)
    assert len(page.split()) > 200
    assert analyze(page).flagged


def test_news_in_a_page_of_unrelated_text_is_not_flagged():
    assert not analyze(NEWS).flagged
    assert not analyze(_embedded(NEWS)).flagged


def test_passage_excerpt_never_holds_part_of_a_number():
    # a passage can start, and its excerpt end, inside a phone number; a piece of one would escape
    # the public redaction, which masks whole numbers only
    cut = excerpt("1234567 for a quote. Kidney transplant package in Istanbul, all inclusive, call +92 300 1234567")
    assert cut.startswith("for a quote") and "1234" not in cut
    assert excerpt("short passage\n  on two lines") == "short passage on two lines"
