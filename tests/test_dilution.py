"""An ad is still an ad inside a page of unrelated text (other listings, menus, a blog), and a news
story is still news there: passages of 100 tokens with a context veto (MODEL_CARD.md,
"Dilution"). Texts written here, not taken from the corpus."""

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
