"""Everyday English words that are also people's names ("Will Young", "Grace Hope",
"Mark Brown"). A name part that is one of these is replaced only where it is written with
a capital; in lower case it is kept as the word ("she will call", "the young child"), and
a final report says where, for the team to confirm (:class:`.redaction.EverydayWords`).

A hand-kept list, not a dictionary: the words most likely to stand in a review's notes.
"""

EVERYDAY = frozenset(
    """will young hope grace joy faith mark bill rose lily ivy holly daisy iris heather amber
    ruby pearl honey dawn eve sunny sandy penny carol frank rich green brown white black
    gray grey long little small short hall wood woods well wells king bell ball hill park
    bush cook baker page case key gap fox bird day days art ray don gene guy jack bob rob
    nick sky chase cole price love bright swift sharp wise moody sterling noble strong
    hardy gay fair good best lane field fields moss reed rush stone waters mills banks
    cross house law child lamb wolf hawk crane swan finch nash pain wall walls ward wards
    shepherd farmer fisher gardener porter turner potter mercy patience precious major
    miles norman roman sage river storm crystal""".split()  # noqa: SIM905
)
