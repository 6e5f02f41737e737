"""Follow-up resolution: turn "What about the CQC?" or "Do they agree?" into a standalone question, deterministically.

History is a list of earlier questions (strings), or chat messages as dicts with "question" or
"role"/"content" (only user turns count). Each earlier question is itself resolved against the
ones before it, so chains of follow-ups keep their topic.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from assistant.glossary import INITIALS, Glossary
from assistant.retrieve import content_terms

CONTEXT_MARK = " (regarding: "  # what a resolved follow-up puts before the earlier question it leans on
# A question this short (in content words) after a history, or one opening like this, leans on the history.
MAX_FOLLOW_UP_TERMS = 2
# Beyond this many content words of its own, a follow-up keeps its own wording (plus the earlier question as context).
MAX_SWAP_TERMS = 2
_OPENERS = re.compile(
    r"^\s*(and|but|so|also|what about|how about|and what about|what of|what else|anything else|same for|is that|are they|"
    r"do they|does it|did they|why is that|why not|how so|in what way|what did they|what do they)\b"
    r"|^\s*(?:do|does|did|would|is|are)\b[^?]{0,60}\b(?:agree|disagree|concur|differ|(?:a\s+)?(?:similar|the same|that|this) view)\b",
    re.IGNORECASE,
)
_ANAPHORA = re.compile(
    r"\b(they|them|their|theirs|it|its|these|those|he|she|his|her|such)\b"
    r"|\b(this|that)\b(?=(?:\s+[\w'’-]+){0,2}\s*[?.!]?\s*$)"  # "about that?", "on that front?", "that arrangement?"
    # "that" as a pronoun mid-question: "Why does that matter", "Will that hold", "losing that in ...", "about that for ..."
    r"|\b(?:is|are|was|were|does|do|did|will|would|could|can|should|might|has|have|had|about|on|with|for|of|to|from|by|"
    r"\w+ing)\s+(?:this|that)\b(?!\s+(?:the|a|an|ICSs?|ICBs?|ICPs?|NHS|trusts?|systems?|they|it|there|we|you)\b)"
    r"|\bthe same(?:\s+(?:thing|view|way|point|issue|problem|concern|approach))?\b",
    re.IGNORECASE,
)
# An elliptical question with no subject of its own: "Is there an example at system level?", "Any examples?"
_ELLIPSIS = re.compile(r"^\s*(?:is there|are there|was there|were there|any)\b|\b(?:an?|any|another|other|more) examples?\b|\b(?:else|instead)\b", re.IGNORECASE)
# Points back even in a question naming a body of its own: "Does The King's Fund say anything similar?",
# "Did members report the same thing?", "What's next for the Lincolnshire one?"
_POINTS_BACK = re.compile(
    r"\b(?:anything|something)\s+(?:similar|like (?:that|this))\b|\bthe same (?:thing|view|point|concern|issue|problem)s?\b"
    r"|\b(?:the|that|this)\s+(?:[A-Z][\w'’-]*\s+)?one\b(?!\s+of\b)|\b(?:that|this) way\b|\bin the meantime\b",
)
# Ends on a pronoun object: "Could ICBs help with that?", "What does the CQC think of it?" (a named body is no topic)
_ENDS_POINTING = re.compile(r"\b(?:with|about|on|for|to|from|of|by|in|into|against|over)\s+(?:that|this|it|them)\s*[?.!]*\s*$", re.IGNORECASE)
# "they" as the publisher speaking or quoting: "do they think", "the person they quoted" (ICS, ICB in it are no speaker).
_SAYING = "say|said|think|argue|recommend|suggest|propose|want|find|believe|report|see"  # verbs of a speaker's view
_THEY_SPEAK = re.compile(
    rf"\b(?:do|does|did|would|will)\s+they\s+(?:also\s+)?(?:{_SAYING})\b"
    r"|\bthey\s+(?:quoted|quote|quotes|interviewed|interview|spoke to|surveyed|cited|cite)\b",
    re.IGNORECASE,
)
_WHAT_ABOUT = re.compile(r"^\s*(?:and\s+)?(?:what|how)\s+about\s+(.+?)\s*\??\s*$", re.IGNORECASE)
_AGREEMENT = re.compile(r"\b(agree|disagree|differ|same view|similar|concur|share (?:this|that|the) view)\b", re.IGNORECASE)
# Who is asked whether they agree: the speakers again ("Do they agree?", "Does everyone agree?"), not "Do systems differ?"
_SPEAKERS_SUBJECT = re.compile(
    r"^\s*(?:(?:and|but|so)\s+)?(?:do|does|did|would|will|is|are|was|were)\s+(?:they|the others|others|everyone|everybody|anyone|"
    r"anybody|all of them|both|the other \w+)\b",
    re.IGNORECASE,
)
_ABOUT = re.compile(r"\b(?:about|on|regarding|concerning)\s+([^?]+?)\s*\??\s*$", re.IGNORECASE)
# "What do they say about X?": the pronoun is who speaks, so it stands for the organisation asked about before.
_SPEAKER_PRONOUN = re.compile(
    rf"\b(?:do|does|did|would|will)\s+(they|it)\s+(?=(?:also\s+)?(?:{_SAYING}|found|call for|view|make of)\b)",
    re.IGNORECASE,
)
_PROPER_NAME = re.compile(r"\b[A-Z][a-z]+(?:\s+(?:and\s+)?[A-Z][A-Za-z]+)*(?:\s+[A-Z]{2,4}s?\b)?")
_LEADING_FILLER = re.compile(r"^\s*(and|but|so|also|then)\s*,?\s+", re.IGNORECASE)


def history_questions(history: Sequence[Any] | None) -> list[str]:
    """The earlier user questions, oldest first, from strings or chat-message dicts."""
    out = []
    for item in history or []:
        if isinstance(item, str):
            text = item
        elif isinstance(item, dict):
            if item.get("role") not in (None, "user", "human"):
                continue
            text = str(item.get("question") or item.get("content") or "")
        else:
            continue
        if text.strip():
            out.append(text.strip())
    return out


def is_follow_up(question: str, glossary: Glossary) -> bool:
    """True when the question cannot stand alone: it opens as a continuation, or is short and points back."""
    if _OPENERS.search(question) or _WHAT_ABOUT.match(question) or _POINTS_BACK.search(question) or _ENDS_POINTING.search(question):
        return True
    if _THEY_SPEAK.search(question) and not glossary.organisations_in(question):
        return True  # "Why do they think providers ...?", "the person they quoted": the publisher asked before
    leans_back = _has_pronoun(question) or bool(_ELLIPSIS.search(question)) or len(content_terms(question)) <= MAX_FOLLOW_UP_TERMS
    # questions here nearly always name who they are about; a pronoun with no named body points back
    return leans_back and not _names_a_subject(question, glossary)


def _has_pronoun(text: str) -> bool:
    """A pronoun or pointing word (_ANAPHORA), written as one: "IT support" is information technology, not "it"."""
    return any(not (m.group(0).isupper() and len(m.group(0)) > 1) for m in _ANAPHORA.finditer(text))


def points_back_only(question: str) -> bool:
    """A question with no content word of its own ("Who said that?", "Why is that?", "Do they agree?"): it only
    makes sense after an earlier one."""
    return not content_terms(question)


def _names_a_subject(question: str, glossary: Glossary) -> bool:
    """The question names a body (acronym, organisation) or a proper name of its own."""
    if glossary.acronyms_in(question) or glossary.organisations_in(question) or INITIALS.search(question):  # initials ("LCH", "CLCH")
        return True
    return bool(re.search(r"(?<!^)(?<![.?!]\s)\b[A-Z][a-z]+", question.strip()))



def resolve(question: str, history: Sequence[Any] | None, glossary: Glossary, speakers: Sequence[str] = ()) -> str:
    """The standalone form of the question given the history (the question itself when it stands alone).

    `speakers` are the organisations whose views the documents give (the publishers): naming another
    one in a follow-up swaps who is asked ("And NHS Providers?"), where naming another body swaps the topic.
    """
    previous = None
    for earlier in history_questions(history):
        previous = earlier if previous is None else _resolve_one(earlier, previous, glossary, speakers)
    if previous is None:
        return question.strip()
    return _resolve_one(question.strip(), previous, glossary, speakers)


def _resolve_one(question: str, previous: str, glossary: Glossary, speakers: Sequence[str]) -> str:
    if not is_follow_up(question, glossary):
        return question
    new_orgs = glossary.organisation_spans(question)
    old_orgs = glossary.organisation_spans(previous)
    what_about = _WHAT_ABOUT.match(question)
    if _AGREEMENT.search(question) and (new_orgs or _SPEAKERS_SUBJECT.search(question)):
        return _agreement(question, previous, new_orgs, old_orgs, speakers)
    speaker = _SPEAKER_PRONOUN.search(question)
    old_speakers = [name for name, _, _ in old_orgs if name in speakers]
    # the topic of its own beyond the verb of saying ("What do they propose?" has none)
    own_terms = _own_terms(question, new_orgs)
    verb = re.match(r"\s*(?:also\s+)?([\w'’-]+)", question[speaker.end() :]).group(1).lower() if speaker else ""
    has_topic = any(t != verb for t in own_terms) and not _has_pronoun(question[speaker.end() :] if speaker else "")
    if speaker and has_topic and old_speakers and not any(name in speakers for name, _, _ in new_orgs):
        named = _name_the_speaker(question, speaker, old_speakers)
        # "What do they want the national focus to be instead?": instead of what was asked before, so it stays as context
        return _with_context(named, previous) if _ELLIPSIS.search(question) else named
    if len(own_terms) > MAX_SWAP_TERMS:  # a new question of its own that leans on the earlier one
        return _with_context(question, _asking(previous, old_orgs, new_orgs, speakers))
    # "And what do NHS Providers say?" after "What did The King's Fund find about X?": swap who is asked (or, for
    # another body, what it is asked about).
    for is_speaker in (True, False):
        if swapped := _swap_named(previous, old_orgs, new_orgs, speakers, is_speaker):
            return swapped
    if what_about:
        subject = what_about.group(1)
        about = _ABOUT.search(previous)
        if about:  # "What did X find about the CQC?" + "What about the oversight framework?"
            return previous[: about.start(1)] + subject + "?"
        named = _named_subjects(previous, speakers, glossary)
        if named:  # "What has Lincolnshire ICS done ...?" + "What about the Black Country?": the same about it
            start, end = named[0]
            return previous[:start] + subject + previous[end:]
        return f"{_strip_q(previous)}, and what about {subject}?"
    return _with_context(question, _asking(previous, old_orgs, new_orgs, speakers))


def _asking(previous: str, old_orgs: list, new_orgs: list, speakers: Sequence[str]) -> str:
    """The earlier question as context for one that names whose words it wants: the earlier speakers give way to
    the new ones ("What about The King's Fund - what did ICP chairs tell them ...?" after a question to the NHS
    Confederation keeps the topic, not the NHS Confederation)."""
    return _swap_named(previous, old_orgs, new_orgs, speakers, True) or previous


def _swap_named(previous: str, old_orgs: list, new_orgs: list, speakers: Sequence[str], is_speaker: bool) -> str | None:
    """The previous question with its organisations of a kind (speakers, or other bodies) replaced by the new
    question's of that kind, when both name some and they differ; else None."""
    new = [name for name, _, _ in new_orgs if (name in speakers) == is_speaker]
    old = [o for o in old_orgs if (o[0] in speakers) == is_speaker]
    if new and old and set(new) != {name for name, _, _ in old}:
        return _swap_organisations(previous, old, new)
    return None


def _named_subjects(question: str, speakers: Sequence[str], glossary: Glossary) -> list[tuple[int, int]]:
    """Spans of the proper names a question is about ("Lincolnshire ICS"), leaving out its first word and the speakers."""
    spoken = [(start, end) for name, start, end in glossary.organisation_spans(question) if name in speakers]
    out = []
    for m in _PROPER_NAME.finditer(question):
        if m.start() == len(question) - len(question.lstrip()) or any(s < m.end() and m.start() < e for s, e in spoken):
            continue
        out.append((m.start(), m.end()))
    return out


def _name_the_speaker(question: str, speaker: re.Match[str], names: list[str]) -> str:
    """"What do they say about X?" after a question about The King's Fund -> "What does The King's Fund say about X?"."""
    who = " and ".join(dict.fromkeys(names))
    verb = speaker.group(0).split()[0].lower()
    if verb in ("do", "does"):
        verb = "do" if len(set(names)) > 1 else "does"
    out = _LEADING_FILLER.sub("", question[: speaker.start()] + f"{verb} {who} " + question[speaker.end() :]).strip()
    return out[:1].upper() + out[1:]


def split_context(question: str) -> tuple[str, str | None]:
    """A resolved follow-up's own question and the earlier question it leans on ("X (regarding: Y)?" -> ("X", "Y)?"));
    (question, None) for a question with no such context."""
    own, mark, earlier = question.partition(CONTEXT_MARK)
    return (own, earlier) if mark else (question, None)


def _with_context(question: str, previous: str) -> str:
    """Pronouns and short continuations: the new question, about the previous one's topic."""
    own = _strip_q(_LEADING_FILLER.sub("", question))
    return f"{own[:1].upper()}{own[1:]}{CONTEXT_MARK}{_strip_q(previous)})?"


def _own_terms(question: str, orgs: list) -> list[str]:
    """Content words of the question outside organisation names and "what about"."""
    text = question
    for _, start, end in reversed(orgs):
        text = text[:start] + text[end:]
    return [t for t in content_terms(text) if t not in ("about", "what", "how")]


def _agreement(question: str, previous: str, new_orgs: list, old_orgs: list, speakers: Sequence[str]) -> str:
    """"Do they agree?" / "Does the NHS Confederation agree?" -> a comparison on the previous topic. Of the bodies the
    earlier question named, those whose views the documents give are the ones compared ("What does the NHS
    Confederation say about NHS England's guidance?": NHS England is the topic, not a side)."""
    old = [n for n, _, _ in old_orgs]
    old = [n for n in old if n in speakers] or old
    names = list(dict.fromkeys(old + [n for n, _, _ in new_orgs]))
    about = _ABOUT.search(previous)
    topic = about.group(1).strip() if about else ""
    if topic and len(names) >= 2:
        return f"Do {' and '.join(names)} agree on {topic}?"
    if topic and names:
        return f"Do other organisations agree with {names[0]} on {topic}?"
    who = " and ".join(names) if len(names) >= 2 else (f"other organisations and {names[0]}" if names else "the organisations")
    return f"Do {who} agree? ({_strip_q(previous)})"


def _swap_organisations(previous: str, old_orgs: list, new_names: list[str]) -> str:
    """The previous question with its organisation(s) replaced by the new one(s)."""
    out = previous
    first = True
    for _, start, end in reversed(old_orgs):
        replacement = " and ".join(new_names) if first else ""
        if replacement.lower().startswith("the ") and out[:start].lower().endswith("the "):
            start -= 4  # "the The King's Fund"
        out = out[:start] + replacement + out[end:]
        first = False
    out = re.sub(r"\s+(and\s+)?(?=[,?])|\s{2,}", " ", out).replace(" ?", "?")
    return re.sub(r"\band\s+and\b", "and", out).strip()


def _strip_q(text: str) -> str:
    return text.strip().rstrip("?").strip()
