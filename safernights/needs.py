"""What a reader can ask the directory for help with, and for each, who to call right now.

The right-now answer is the first thing the directory shows for a need: numbers that answer at any
hour (or the emergency and police numbers), each from the sources register, with what it is for.
So "open now" at 2 a.m. is never an empty list. fact_check.py checks that every fact named here
exists and names the need in its used_by ("need:spiking").
"""

from flask_babel import lazy_gettext as _l

# Fixed ids: partners' links and the API use them.
NEEDS = {
    "sexual-violence": _l("Rape and sexual assault"),
    "domestic-abuse": _l("Domestic abuse"),
    "spiking": _l("Spiking"),
    "drink-and-drugs": _l("Alcohol and drugs"),
    "housing": _l("Housing and refuges"),
    "victims-of-crime": _l("Victims of crime"),
    "emotional-support": _l("Someone to talk to"),
    "lgbt": _l("LGBT+ people"),
    "men": _l("Men"),
    "young-people": _l("Children and young people"),
    "stalking": _l("Stalking"),
    "image-abuse": _l("Intimate images shared"),
    "changing-behaviour": _l("Changing abusive behaviour"),
}

DANGER = ("emergency-999", _l("In danger now: police or ambulance"))
TALK_NOW = ("rape-crisis-line", _l("Rape Crisis 24/7 Support Line: free, any time, any gender"))
SOMEONE = ("samaritans", _l("Samaritans: someone to talk to, free, any time"))
MEDICAL = ("nhs-111", _l("NHS: medical help and advice, any time"))
REPORT = ("police-101", _l("Police, not an emergency: to report it"))
DOMESTIC = ("national-domestic-abuse-helpline", _l("National Domestic Abuse Helpline: free, any time"))
VICTIMS = ("victim-support-supportline", _l("Victim Support: free, any time"))
SPIKING_TEST = _l("Otherwise tell the police now: they arrange the test. Some drugs leave the body in hours")

# need (None: no need chosen) -> [(fact id, what it is for)], most urgent first.
RIGHT_NOW = {
    None: [DANGER, TALK_NOW, SOMEONE, MEDICAL],
    "sexual-violence": [DANGER, TALK_NOW, MEDICAL],
    "domestic-abuse": [DANGER, DOMESTIC],
    "spiking": [
        ("emergency-999", _l("If they are unwell or in danger")),
        ("police-101", SPIKING_TEST),
        ("nhs-111", _l("Medical advice from the NHS, any time")),
    ],
    "drink-and-drugs": [("emergency-999", _l("Unconscious, hard to wake or very unwell: call now")), MEDICAL],
    "housing": [DANGER, DOMESTIC],
    "victims-of-crime": [DANGER, VICTIMS, REPORT],
    "emotional-support": [SOMEONE, TALK_NOW],
    "lgbt": [DANGER, TALK_NOW, SOMEONE],
    "men": [DANGER, TALK_NOW, SOMEONE],
    "young-people": [DANGER, ("childline", _l("Childline: for anyone under 19, free, day and night"))],
    "stalking": [DANGER, REPORT],
    "image-abuse": [DANGER, REPORT],
    "changing-behaviour": [DANGER, SOMEONE],
}


def places():
    """Every "need:<id>" a fact's used_by may name, with the ids of the facts its answer uses."""
    return {f"need:{need}": {fact for fact, _ in answer} for need, answer in RIGHT_NOW.items() if need}
