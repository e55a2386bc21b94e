"""Letters a reader takes for Latin ones: a subset of the Unicode confusables (UTS #39).

This is the hand-kept list of the Cyrillic, Greek, Latin (hooked, dotless, small
capital), Armenian, Lisu, Cherokee and Coptic letters, in the form tools/confusables.py
writes; confusables.txt was not at hand when it was made. Run
``python tools/confusables.py confusables.txt`` to replace it with the full set. The
mathematical, full-width and circled letters need no entry: NFKC reads them.
"""

# Capitals, read before case folding (their small letters look different).
BEFORE_CASE = {
    "\u0397": "h", "\u039c": "m", "\u039d": "n", "\u03a5": "y", "\u03dc": "f",
}  # fmt: skip

# Letters after case folding.
LOOK_ALIKES = {
    "\u0131": "i", "\u0185": "b", "\u0188": "c", "\u0192": "f", "\u0199": "k", "\u01a5": "p",
    "\u01ad": "t", "\u01b4": "y", "\u0237": "j", "\u0251": "a", "\u0253": "b", "\u0256": "d",
    "\u0257": "d", "\u0260": "g", "\u0261": "g", "\u0262": "g", "\u0266": "h", "\u0269": "i",
    "\u026a": "i", "\u026d": "l", "\u0271": "m", "\u0272": "n", "\u0273": "n", "\u0274": "n",
    "\u027d": "r", "\u027e": "r", "\u0280": "r", "\u0282": "s", "\u0288": "t", "\u028b": "u",
    "\u028f": "y", "\u0290": "z", "\u0299": "b", "\u029c": "h", "\u029f": "l", "\u02a0": "q",
    "\u03b1": "a", "\u03b2": "b", "\u03b3": "y", "\u03b5": "e", "\u03b6": "z", "\u03b7": "n",
    "\u03b9": "i", "\u03ba": "k", "\u03bd": "v", "\u03bf": "o", "\u03c1": "p", "\u03c3": "o",
    "\u03c4": "t", "\u03c5": "u", "\u03c7": "x", "\u03c9": "w", "\u03f2": "c", "\u03f3": "j",
    "\u0430": "a", "\u0432": "b", "\u0433": "r", "\u0435": "e", "\u043a": "k", "\u043c": "m",
    "\u043d": "h", "\u043e": "o", "\u043f": "n", "\u0440": "p", "\u0441": "c", "\u0442": "t",
    "\u0443": "y", "\u0445": "x", "\u044c": "b", "\u0451": "e", "\u0455": "s", "\u0456": "i",
    "\u0457": "i", "\u0458": "j", "\u045b": "h", "\u0461": "w", "\u047b": "o", "\u04af": "y",
    "\u04b3": "x", "\u04bb": "h", "\u04cf": "l", "\u04e9": "o", "\u0501": "d", "\u050d": "g",
    "\u051b": "q", "\u051d": "w", "\u0561": "w", "\u0566": "q", "\u056c": "l", "\u0570": "h",
    "\u0578": "n", "\u057d": "u", "\u0581": "g", "\u0585": "o", "\u13a0": "d", "\u13a2": "t",
    "\u13a5": "i", "\u13a9": "y", "\u13aa": "a", "\u13ab": "j", "\u13ac": "e", "\u13b3": "w",
    "\u13b7": "m", "\u13bb": "h", "\u13be": "o", "\u13c0": "g", "\u13c3": "z", "\u13c6": "i",
    "\u13d2": "r", "\u13d4": "w", "\u13d9": "v", "\u13da": "s", "\u13de": "l", "\u13df": "c",
    "\u13e2": "p", "\u13e6": "k", "\u13f4": "b", "\u1d00": "a", "\u1d04": "c", "\u1d05": "d",
    "\u1d07": "e", "\u1d0a": "j", "\u1d0b": "k", "\u1d0d": "m", "\u1d0f": "o", "\u1d18": "p",
    "\u1d1b": "t", "\u1d1c": "u", "\u1d20": "v", "\u1d21": "w", "\u1d22": "z", "\u2c71": "v",
    "\u2c73": "w", "\u2c81": "a", "\u2c85": "r", "\u2c93": "i", "\u2c95": "k", "\u2c9f": "o",
    "\u2ca3": "p", "\u2ca5": "c", "\u2cad": "x", "\ua4d0": "b", "\ua4d1": "p", "\ua4d3": "d",
    "\ua4d4": "t", "\ua4d6": "g", "\ua4d7": "k", "\ua4d9": "j", "\ua4da": "c", "\ua4dc": "z",
    "\ua4dd": "f", "\ua4df": "m", "\ua4e0": "n", "\ua4e1": "l", "\ua4e2": "s", "\ua4e3": "r",
    "\ua4e6": "v", "\ua4e7": "h", "\ua4ea": "w", "\ua4eb": "x", "\ua4ec": "y", "\ua4ee": "a",
    "\ua4f0": "e", "\ua4f2": "i", "\ua4f3": "o", "\ua4f4": "u", "\ua647": "i", "\ua669": "o",
    "\ua66b": "o", "\ua66d": "o", "\ua699": "o", "\ua730": "f", "\ua731": "s",
}  # fmt: skip
