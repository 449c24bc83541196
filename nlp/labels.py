"""The names the classifier, the corpus, the store and the reviewers share: one place for each."""

# Text categories predicted by the classifier (independent: a page can carry both).
ADVERTISING = "advertising"
BROKERAGE = "brokerage"
LABELS = (ADVERTISING, BROKERAGE)

# Document kinds in the corpus. Positive kinds carry at least one label; the others none.
POSITIVE_KINDS = {
    "ad_transplant_package": "facilitator or clinic marketing a transplant package abroad (prices, stay, visa)",
    "ad_hospital_international": "hospital page offering transplants to foreign / international patients",
    "broker_agency": "coordinator or agency arranging / supplying donors or organs for gain",
    "broker_seller": "a person or agent offering an organ for sale",
    "broker_buyer": "a person or agent seeking to buy an organ or a paid donor",
    "broker_scam": "advance-fee offer aimed at would-be organ sellers",
}
HARD_NEGATIVE_KINDS = {
    "news": "news report about trafficking, transplant tourism, organ sales (may quote ads)",
    "investigation": "long-form investigation or undercover report",
    "ngo": "NGO, advocacy or awareness page",
    "legal": "law, regulation, court ruling, resolution, government notice",
    "academic": "academic paper abstract, textbook, exam notes",
    "patient_education": "patient information about transplants or organs, no offer",
    "domestic_programme": "a country's own transplant programme, waiting list, donor registration",
    "altruistic_appeal": "appeal for an unpaid (often related) donor, no payment",
    "medical_tourism_other": "medical tourism for other procedures (IVF, hair, dental, bone marrow, cornea ...)",
    "homonym": "page that only shares words (kidney beans, liver recipes, transplanting seedlings ...)",
    "forum_discussion": "forum or Q&A discussing organ sales or transplants abroad without offering",
}
EASY_NEGATIVE_KINDS = {
    "general": "unrelated page (shop, blog, news on other topics)",
}
KINDS = {**POSITIVE_KINDS, **HARD_NEGATIVE_KINDS, **EASY_NEGATIVE_KINDS}

# Indicator kinds found in text (domain.md "Indicators").
INDICATOR_KINDS = (
    "organ",         # kidney, liver, ... (normalized to an English organ name)
    "trade",         # organ + offer verb: "kidney for sale", "we buy kidneys"
    "destination",   # country / city / hospital where the transplant happens (normalized: ISO 3166 alpha-2)
    "price",         # amount with currency (normalized: "USD 45000")
    "wait_time",     # "within 2 weeks", "no waiting list"
    "donor_offer",   # "donor provided / arranged / guaranteed"
    "donor_related", # negative cue: "donor must be a family member"
    "blood_type",    # "O+", "B negative" (normalized: "O+")
    "phone",         # normalized E.164
    "email",         # normalized lower case
    "messenger",     # WhatsApp, WeChat, Telegram, Viber, Line, Signal (normalized "whatsapp:+92...")
    "payment",       # wire transfer, deposit, crypto, cash, "donor card fee"
    "logistics",     # visa, airport pick-up, interpreter, accommodation
)
CONTACT_KINDS = ("phone", "email", "messenger")

# Languages the corpus and the tests cover (langdetect codes).
LANGUAGES = (
    "en", "zh-cn", "zh-tw", "ja", "ko", "ar", "fa", "ur", "he", "hi", "bn",
    "id", "tl", "th", "vi", "ru", "tr", "es", "pt", "fr",
)

# Concepts of the multilingual lexicon (nlp/lexicon/<lang>.json). A matched phrase's tokens take
# the concept as their NORM ("#organ"), so the classifier sees "#organ #sell" in every language.
# Concepts marked valued map a canonical value to its phrases; the others list phrases.
CONCEPTS = {
    # what ads and brokers say
    "organ": "valued: kidney, liver, heart, lung, pancreas, intestine -> phrases naming that organ for transplant (not food)",
    "transplant": "transplant, transplantation, graft, 'organ replacement', surgery words specific to transplant",
    "sell": "offer-to-sell words: for sale, selling, available, sell my, on offer",
    "buy": "buying / seeking words: we buy, wanted, buyer, need urgently, will pay, purchase",
    "donor": "donor, donors, donor match",
    "donor_offer": "donor supply: donor provided / arranged / guaranteed / available, we find the donor, donor database",
    "donor_related": "negative cue: donor must be a relative / family member / spouse, living related donor only",
    "money": "price words: price, cost, fee, package, all inclusive, payment, compensation, reward, negotiable, cheap",
    "wait": "waiting-time claims: no waiting list, short waiting, within weeks, fast, immediate surgery",
    "abroad": "travel/foreign words: abroad, overseas, foreign patients, international patients, medical tourism, travel for treatment",
    "payment": "payment terms: wire transfer, bank transfer, deposit, advance payment, western union, moneygram, bitcoin, crypto, cash, donor card fee, registration fee",
    "logistics": "visa, visa invitation letter, passport, airport pick-up, interpreter, translator, hotel, accommodation, coordinator, escort",
    "contact": "contact us, call, message us, inbox, DM, reach us, WhatsApp us, hotline",
    "blood": "blood group / blood type words (the type itself is found by a pattern)",
    "urgent": "urgent, urgently, serious buyers only, quick deal, immediately",
    "destination": "valued: ISO 3166 alpha-2 code -> country names, demonyms, major transplant cities and well-known transplant hospitals in that language",
    # what the pages that talk about them say
    "crime": "trafficking, illegal, racket, gang, smuggling, exploitation, victim, scam, fraud",
    "police": "police, arrested, detained, raid, charged, suspects, investigators, prosecutors",
    "news": "reporting words: reported, according to, said on, correspondent, journalist, told reporters, newspaper, breaking",
    "law": "law, act, article, section, shall, punishable, prohibited, penalty, fine, imprisonment, court, judge, ruling, verdict, ministry, regulation",
    "research": "study, studies, patients were, cohort, results, methods, abstract, prevalence, doi, journal, conclusion, exam, textbook",
    "advocacy": "NGO, awareness, campaign, human rights, protect, report abuse, hotline for victims, declaration, WHO guiding principles",
    "domestic": "national waiting list, register as a donor, organ donor card, deceased donation, brain death, national transplant organisation, allocation",
    "altruism": "please share, pray, help save, voluntary, free of charge, no payment, unpaid, selfless, gift of life",
    "food": "recipe, cook, beans, grill, fry, chicken liver, beef, dish, ingredients, kg, fresh",
    "garden": "seedlings, plants, soil, pot, garden, repot, sapling",
    "other_procedure": "IVF, fertility, hair transplant, dental implants, veneers, cosmetic, plastic surgery, bone marrow, stem cell, cornea, knee replacement, LASIK",
}
