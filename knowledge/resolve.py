"""Resolve: which programs a message is about, what it asks (its topic) and the question each
program answers, from the message's frame and what the conversation already established.

The second step of the composer's pipeline (understand → resolve → select → decide → render).
A follow-up ("那国家的呢", "啥时候截止?", "牵头单位呢") takes the previous question's subject;
"5G试点" alone means the pilot's notice the conversation is about, or the one whose own words
the question uses; a question naming no program may still use words only one notice has."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .frame import Form, Frame
from .models import Program
from .programs import ASKER_PLACE, Detection, ProgramDetector
from .reply import Context
from .text import normalize, tokens
from .vocabulary import Vocabulary
from .wording import FOLLOW_UP_SUBJECT, OTHER_REGION_NAMED, OTHER_REGION_PROGRAM, asking_words

# The topic an NLU intent stands for (the words of the message may tell a more precise one).
INTENT_TOPICS = {
    "ask_deadline": "deadline",
    "ask_eligibility": "eligibility",
    "ask_documents": "documents",
    "ask_directions": "directions",
    "ask_contact": "contact",
    "ask_submission": "submission",
    "ask_procedure": "procedure",
    "ask_overview": "overview",
}
TOPIC_OF_FORM = {Form.STILL_OPEN: "deadline", Form.ON_TIME: "deadline", Form.WHAT_IF: "procedure"}


class TopicCues:
    """The words that tell what a question asks about (knowledge/data/topics.yml)."""

    def __init__(self, cues: Mapping[str, list[str]]):
        self._cues = {topic: [normalize(w) for w in words] for topic, words in cues.items()}

    def of(self, text: str, intent: str | None) -> str | None:
        if intent == "ask_overview":  # "一共有几个重点方向": the words tell more than "about the program"
            return self.best(text) or "overview"
        if intent in INTENT_TOPICS:
            return INTENT_TOPICS[intent]
        return self.best(text)

    def all(self, text: str) -> list[str]:
        normalized = normalize(text)
        return [topic for topic, words in self._cues.items() if any(w in normalized for w in words)]

    def best(self, text: str) -> str | None:
        """The topic of the longest cue word in the text."""
        normalized = normalize(text)
        best, best_len = None, 0
        for topic, words in self._cues.items():
            for word in words:
                if word in normalized and len(word) > best_len:
                    best, best_len = topic, len(word)
        return best

    def words(self, topic: str) -> list[str]:
        return self._cues.get(topic, [])


@dataclass(frozen=True)
class Resolved:
    programs: tuple[str, ...]  # in the order of the program files; empty when none can be told
    topic: str | None  # "overview" when a program is known and nothing more specific is asked
    question: str  # what each program answers: the message, or a follow-up completed
    detection: Detection
    other_region: bool = False  # 广东省5G医疗试点: another region's program, not one of ours

    @property
    def named_here(self) -> bool:
        return bool(self.detection.programs)


class Resolver:
    def __init__(self, programs: Mapping[str, Program], detector: ProgramDetector, vocabulary: Vocabulary, topics: TopicCues):
        self._programs = programs
        self._order = {key: index for index, key in enumerate(programs)}
        self.detector = detector
        self.vocabulary = vocabulary
        self.topics = topics

    def resolve(self, frame: Frame, intent: str | None, nlu_programs: list[str] | None, context: Context) -> Resolved:
        compared, text = frame.compared, frame.plain  # each side of a comparison answers the plain question
        topic = TOPIC_OF_FORM.get(frame.form) or self.topics.of(text, intent)
        question = text
        detection = self.detector.detect(compared or text)  # "…跟当初申报的是同一个吗" names both
        normalized = normalize(text)
        if OTHER_REGION_NAMED.search(normalized) or (not detection.programs and OTHER_REGION_PROGRAM.search(normalized)):
            return Resolved((), topic, question, detection, other_region=True)
        # the NLU reads "上海注册的公司" as the Shanghai pilot; the detector knows it is the asker
        nlu_programs = [] if ASKER_PLACE.search(normalized) else nlu_programs
        programs = list(detection.programs) or [p for p in (nlu_programs or []) if p in self._programs]
        if (topic is None or intent == "inform_program") and context.topic and (programs or detection.generic_5g):
            # "那国家的呢": the same question as before, about another program
            topic = topic if intent != "inform_program" and topic else context.topic
            question = context.question or text
        if topic is None:
            topic = context.topic if programs else None
        asked_again = self.asked_of_another_subject(text, context)
        if asked_again:
            topic, question = context.topic, asked_again
        programs = programs or self._from_context_or_words(question, detection, context)
        if not programs:
            return Resolved((), topic, question, detection)
        topic = topic or "overview"
        if (
            context.question and not detection.programs and question == text and len(tokens(self.detector.strip(question))) <= 2
            and topic in (context.topic, "deadline")
        ):
            # A short follow-up ("啥时候截止?") is about the subject of the previous question;
            # one asking something else ("那要几份" after "谁组织的") stands on its own.
            question = f"{question} {context.question}"
        ordered = sorted(dict.fromkeys(programs), key=lambda key: self._order.get(key, len(self._order)))
        return Resolved(tuple(ordered), topic, question, detection)

    def _from_context_or_words(self, question: str, detection: Detection, context: Context) -> list[str]:
        """No program named: the family's notice the conversation is about, or the one whose own
        words the question uses; the conversation's programs; the only notice using its words."""
        if detection.generic_family:
            members = detection.generic_family.members
            candidates = [p for p in context.programs if p in members]
            own = self.vocabulary.member_with_own_words(question, members)
            return candidates or own or list(detection.generic_family.applications)
        if context.programs:
            return list(context.programs)
        if only := self.vocabulary.only_program_using(question):
            return only
        if named := self._programs_naming_a_person(question):
            return named  # "刘迪手机多少": the notice that lists her
        owners = self.vocabulary.programs_using(question)
        if len(owners) == 2 and self.same_pilot(*owners):
            return owners  # "典型项目复核是谁组织的": the one pilot's two notices that speak of it
        return self.vocabulary.only_program_with_direction(question)

    def asked_of_another_subject(self, text: str, context: Context) -> str | None:
        """"牵头单位呢" after "联合单位最多几家": the previous question's asking words with the new
        subject ("牵头单位 最多几家"); none when the new words ask something of their own topic
        ("那联系人呢") or only name a program ("那国家的呢")."""
        match = FOLLOW_UP_SUBJECT.match(normalize(text))
        if not match or not context.question or not context.topic:
            return None
        subject = self.detector.strip(match.group("subject"))
        own_topic = self.topics.best(subject)
        # "纸质的呢" after "网上填报截止到几号": a kind of material asks the same when / where of it
        material_of_when_or_where = own_topic == "documents" and context.topic in ("deadline", "submission")
        if not tokens(subject) or (own_topic not in (None, context.topic) and not material_of_when_or_where):
            return None
        return f"{subject} {asking_words(self.detector.strip(context.question))}"

    def _programs_naming_a_person(self, question: str) -> list[str]:
        """The programs whose contacts include a person the question names (by a full name)."""
        text = normalize(question)
        return [
            key for key, program in self._programs.items()
            if any(len(person.name) >= 2 and normalize(person.name) in text for contact in program.contacts for person in contact.people)
        ]

    def same_pilot(self, key: str, other: str) -> bool:
        """Notices about the same pilot (the Shanghai 5G pilot's application, annual work and
        acceptance): one may answer for another; an unrelated program's rule never does."""
        return other in self._programs[key].related or key in self._programs[other].related
