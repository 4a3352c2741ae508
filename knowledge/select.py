"""Select: the facts (or the clause) that answer a question about one program, or the plain
statement that the notices do not say it.

The third step of the composer's pipeline (understand → resolve → select → decide → render).
A question names its subject in the notices' words; the hybrid retriever ranks the program's facts
(and a related notice's, for the same pilot); what the best fact does not give (a date, a number
of copies, a place, an e-mail) is said to be missing rather than answered with a neighbour's value.
A few kinds of question have their own selection: the main window or the longest, the list of
materials, the directions (listed or not), the contacts (by agency or person), how to apply or
hand in, the notice itself."""
from __future__ import annotations

import re

from .loader import KnowledgeData
from .models import Citation, Contact, Deadline, Direction, Program, Ruling, Statement
from .programs import ProgramDetector
from .retrieval import Hit, HybridRetriever
from .text import NOUN_HEADS, content_terms, normalize, tokens
from .wording import (
    ALTERNATIVE,
    APPLICANT_KIND,
    asked_part,
    asking_clauses,
    asks_if_still_open,
    asks_when,
    asks_where_submitted,
    states_where,
    BASIS,
    CHANGING,
    CONTACT_CHANNEL,
    COPIES,
    COPIES_ASKED,
    DIRECTION_COUNT,
    DIRECTION_EXISTS,
    GENERIC_DIRECTION_WORDS,
    GENERIC_WHEN_WORDS,
    MAY_APPLY,
    OVERALL_ASKED,
    SEVERAL_ASKED,
    SEVERAL_DIRECTIONS,
    states_identity,
    states_when,
    WHEN,
    WHICH_DIRECTION,
    without_5g,
)

from .units import Unit
from .situation import read_situation
from .reply import Button, Reply
from .resolve import Resolver, TopicCues
from .vocabulary import Vocabulary, direction_keys
from .render import HUMAN_PAYLOAD, contact_line, item_text, not_given, overview_reply, shorten, units_reply
from .verdicts import asks_for_verdict

# "我们想报X方向", "能选X这个方向吗": a direction the applicant means to choose
_DIRECTION_ASKED_FOR = re.compile(r"(?:报|选|做|申报|申请|选择)(?!这|那|哪|什么|啥|该|其他|别的)(?P<name>[\u4e00-\u9fffa-z]{2,12}?)(?:这个|这一|这类|的)?方向")
RULE_TOPICS = ("eligibility", "documents", "submission", "procedure", "deadline")
# Words that qualify what is asked (年龄限制, 格式要求): the subject is the word before them.
FOCUS_QUALIFIERS = frozenset("限制 要求 规定 标准 上限 下限 具体 情况 规范 流程 程序 步骤 手续 办法 场景 方面 顺序".split())
# "要交哪些材料/资料/东西": materials in general, answered with the program's list (its first document).
MATERIAL_WORDS = frozenset("材料 资料 文件 东西 申报材料 材料清单 清单 申报书 书面材料 纸质材料 纸质版 纸质 书面".split())
HAND_IN_WORDS = frozenset("交 要交 提交 上交 递交 报送 准备 要准备 需要 都 一共 总共 具体 寄 寄到 送 送到 交到 上传 传 好 写 写好 弄好 做好 打印 装订 盖章 下一步 一步".split())
HAND_IN_VERBS = frozenset("交 要交 提交 上交 递交 报送 寄 寄到 送 送到 交到 上传 传".split())
# "材料怎么交", "验收资料往哪传": the way of handing in is asked, not the list of materials
HOW_OR_WHERE = re.compile(r"怎么|如何|怎样|咋|哪(?!些|几|一些)|什么方式|什么途径|什么渠道")
MAX_DIRECTION_CHARS = 220  # each of several directions described
MAX_ONE_DIRECTION_CHARS = 700  # one direction asked about: its content and indicators in full
# A related notice's fact must outrank the program's own facts clearly to be used instead.
RELATED_NOTICE_WEIGHT = 0.7
MAX_HOW_TO_APPLY_FACTS = 3  # e.g. the paper copies' address, the online system, the registration
# A second fact of the same topic is added when it scores almost as well as the first.
SECOND_FACT_RATIO = 0.9
INTENT_TOPIC_BOOST = 1.25  # the NLU intent is a strong hint of what is asked
# Facts of a program searched for one that states something precise (a required way of doing, an
# address or URL) when the best fact does not: about all of one notice's facts.
FACT_SEARCH_DEPTH = 30




class FactSelector:
    def __init__(
        self, data: KnowledgeData, retriever: HybridRetriever, detector: ProgramDetector, vocabulary: Vocabulary,
        topics: TopicCues, resolver: Resolver, notice_cues: list[str], apply_cues: list[str], directions_list_cues: list[str],
    ):
        self.data = data
        self.retriever = retriever
        self.detector = detector
        self.vocabulary = vocabulary
        self.topics = topics
        self.resolver = resolver
        self.notice_cues = notice_cues
        self.apply_cues = apply_cues
        self.directions_list_cues = directions_list_cues
        self._units_by_id = {u.id: u for u in retriever.units}

    def answer_one(self, program: Program, topic: str, question: str, raw: str | None = None) -> Reply:
        """`question` without the program's names (subjects such as 年度总结报告 stay: they are
        cue words, not aliases); `raw` as asked, where names matter (工信部的电话)."""
        raw = raw or question
        if topic == "deadline" and program.deadlines and asks_if_still_open(raw):
            return self._answer_still_open(program, question)
        if program.directions and WHICH_DIRECTION.search(normalize(question)) and not self.vocabulary.directions_named(question):
            return self._answer_which_direction(program, question)
        missing = self.vocabulary.missing_terms(program, question)
        if missing and topic not in ("directions", "contact") and self._missing_is_asked(missing, question):
            owner = self.vocabulary.only_program_using(question)
            if owner and owner[0] != program.key and self.resolver.same_pilot(program.key, owner[0]):
                # 国家试点的典型项目怎么复核: the acceptance notice is the one that says
                return self._from_other_notice(self.data.programs[owner[0]], topic, question, raw)
            return self._unknown(program, topic, missing, question)
        unlisted = self._unlisted_direction_asked(question)
        if unlisted and program.directions:
            return self._answer_unlisted_direction(program, unlisted, question)
        if topic == "deadline" and program.deadlines and self._only_asks_when(question):
            # "上海5G试点什么时候截止": nothing but the program and "when": its main window (the
            # first); "验收整体从啥时候到啥时候": its longest one
            window = _longest_window(program) if OVERALL_ASKED.search(normalize(question)) else None
            return units_reply(program, [self.unit((window or program.deadlines[0]).id)], topic)
        hands_in = any(w in HAND_IN_VERBS for w in tokens(question))  # "怎么交" (not "申报书怎么写")
        if program.submission and self._only_asks_what_to_hand_in(question) and hands_in and HOW_OR_WHERE.search(normalize(question)):
            # "寄到哪里": the fact with the address answers; "怎么交": the program's ways of handing in
            placed = self._placed_fact(program, question) if asks_where_submitted(question) else None
            units = [placed] if placed else [self.unit(item.id) for item in program.submission[:MAX_HOW_TO_APPLY_FACTS]]
            copies = next((d for d in program.documents if d.copies), None)
            if placed is None and copies is not None:
                units.append(self.unit(copies.id))  # how to hand in paper: how many copies, too
            return units_reply(program, units, "submission")
        if topic == "documents" and program.documents and self._only_asks_what_to_hand_in(question):
            # "验收要交哪些材料": nothing more specific than "materials": the program's list
            return units_reply(program, [self.unit(program.documents[0].id)], topic)
        if self.vocabulary.directions_named(question) and (topic in ("directions", "overview") or self._asks_for_a_direction(program, question)) and not SEVERAL_DIRECTIONS.search(normalize(question)):
            return self.answer_directions(program, "directions", question)
        if topic == "directions" and self._asks_for_direction_list(question):
            return self.answer_directions(program, "directions", question)
        if topic == "contact":
            return self._answer_contact(program, topic, raw)
        asks_basis = BASIS.search(normalize(question))
        if (self._asks_about_notice(question) and not asks_basis) or (topic == "overview" and not self._has_specific_words(program, question)):
            return overview_reply(program, self.unit(f"{program.key}.overview"), topic)
        if (
            topic in ("submission", "procedure", "overview") and program.submission and self._asks_how_to_apply(question)
            and not asks_if_still_open(raw) and not (topic == "overview" and asks_for_verdict(raw))  # "现在还可以网上申报吗"
        ):
            units = [self.unit(item.id) for item in program.submission[:MAX_HOW_TO_APPLY_FACTS]]
            return units_reply(program, units, "submission")
        return self._answer_from_facts(program, topic, question)

    def _from_other_notice(self, owner: Program, topic: str, question: str, raw: str) -> Reply:
        reply = self.answer_one(owner, topic, question, raw)
        reply.text = f"（依据{owner.short_name}的通知）{reply.text}"
        return reply

    def _answer_still_open(self, program: Program, question: str) -> Reply:
        """The window the question is about (the program's main one by default), with its status."""
        hits = self.retriever.search(question, programs=[program.key], facts_only=True, topics=["deadline"], top_k=1)
        unit = hits[0].unit if hits and hits[0].bm25 > 0 else self.unit(program.deadlines[0].id)
        return units_reply(program, [unit], "deadline")

    def _asks_how_to_apply(self, question: str) -> bool:
        """A bare "how do I apply" (怎么申报, 如何报名): an apply word and nothing more specific."""
        remaining = normalize(question)
        if not any(word in remaining for word in ("申报", "报名", "申请", "参加", "参与")):
            return False
        for word in self.apply_cues:
            remaining = remaining.replace(word, " ")
        return not tokens(remaining)

    def _topic_boost(self, topic: str, question: str) -> dict[str, float]:
        boost = {t: 1.04 for t in self.topics.all(question)}
        boost[topic] = boost.get(topic, 1.0) * INTENT_TOPIC_BOOST
        return boost

    def _answer_from_facts(self, program: Program, topic: str, question: str) -> Reply:
        """The best fact of the program or, when clearly better, of a related notice about the
        same pilot (the annual-work and acceptance notices for the Shanghai 5G pilot)."""
        programs = [program.key, *program.related]
        program_boost = {key: RELATED_NOTICE_WEIGHT for key in program.related}
        # "既做远程诊断又做远程监护，能勾两个方向吗" asks the rule, not what the directions are
        topics = RULE_TOPICS if SEVERAL_DIRECTIONS.search(normalize(question)) else None
        # "我们是…的参与单位，能不能提前申请验收": what is asked weighs more than who asks
        query = f"{question} {asked_part(question)}" if states_identity(question) else question
        hits = self.retriever.search(
            query, programs=programs, facts_only=True, top_k=3, topics=topics,
            topic_boost=self._topic_boost(topic, question), program_boost=program_boost,
        )
        if hits and hits[0].unit.program != program.key:
            owner = self.data.programs[hits[0].unit.program]
            reply = self._reply_from_hits(owner, topic, question, [h for h in hits if h.unit.program == owner.key])
            reply.text = f"（依据{owner.short_name}的通知）{reply.text}"
            return reply
        return self._reply_from_hits(program, topic, question, [h for h in hits if h.unit.program == program.key])

    def _reply_from_hits(self, program: Program, topic: str, question: str, hits: list[Hit]) -> Reply:
        if not hits and topic == "deadline" and program.deadlines:
            return units_reply(program, [self.unit(program.deadlines[0].id)], topic)
        if not hits:
            return self._answer_from_clauses(program, topic, question)
        if hits[0].unit.id == f"{program.key}.directions" and len(hits) > 1 and not self._asks_for_direction_list(question):
            hits = hits[1:]  # "可以同时选两个方向吗" is a rule about directions, not their list
        top = hits[0].unit
        if top.topic == "overview":
            return overview_reply(program, self.unit(f"{program.key}.overview"), "overview")
        if top.topic == "directions":
            if isinstance(top.item, Direction):
                described = self.describe_directions(program, [top.item], "directions")
                if "方向" in question and asks_for_verdict(question):  # "我们做远程手术，这个方向能报吗"
                    described.text = f"{_listed_direction_lead(program, [top.item], question)}\n{described.text}"
                return described
            return self.answer_directions(program, "directions", question)
        chosen = [top]
        several = SEVERAL_ASKED.search(normalize(question))  # "网上填报跟交纸质的分别几号截止"
        if len(hits) > 1 and hits[1].unit.topic == top.topic and (several or hits[1].score >= SECOND_FACT_RATIO * hits[0].score):
            chosen.append(hits[1].unit)
        if (
            top.topic == "eligibility" and program.eligibility and APPLICANT_KIND.search(question)
            and MAY_APPLY.search(question) and not CHANGING.search(question)
            and read_situation(question).profile.get("role") != "partner"  # a partner is no applicant
        ):
            # "我们是科技公司，能牵头吗": who may apply at all comes first
            primary = self.unit(program.eligibility[0].id)
            chosen = [primary] + [u for u in chosen if u.id != primary.id]
        if asks_where_submitted(question) and not states_where(item_text(top.item)):
            # 材料在哪上传: the best fact says "upload to the platform"; the one with its address answers
            placed = self._placed_fact(program, question)
            chosen = [placed, top] if placed is not None else chosen
        reply = units_reply(program, chosen, top.topic or topic)
        if asks_when(question) and not states_when(question, item_text(top.item)):
            # 建设周期从几月到几月: the best fact has no date; a neighbour's date is no answer
            return (
                self._dated_window_of(program, question, top)
                or self._dated_fact_of_related_notice(program, question, top)
                or self._no_date_given(program, reply)
            )
        gives_place_asked = asks_where_submitted(question) and states_where(reply.text)  # 网站 is a URL's name
        if (top.topic != "deadline" or not asks_when(question)) and not gives_place_asked and not self._about_subject(question, chosen):
            # 年度总结报告有字数要求吗: the report's deadline does not speak of its length
            return not_given(program, reply, "这方面的规定")
        if not self._answers_alternative(question, reply):
            return not_given(program, reply, "这方面的规定")
        if COPIES_ASKED.search(question) and not COPIES.search(reply.text):
            return not_given(program, reply, "份数")
        if asks_when(question) and not self._about_subject(question, chosen, share=0.5):
            return self._no_date_given(program, reply)  # the date of what was asked, not a neighbour's
        if isinstance(top.item, Statement):
            reply.ruling = top.item.ruling
        return reply

    def _placed_fact(self, program: Program, question: str) -> Unit | None:
        """The program's fact nearest the question that gives an address or a URL."""
        hits = self.retriever.search(question, programs=[program.key], facts_only=True, top_k=FACT_SEARCH_DEPTH)
        return next((h.unit for h in hits if states_where(item_text(h.unit.item))), None)

    def _only_asks_what_to_hand_in(self, question: str) -> bool:
        words = tokens(question)
        return any(w in MATERIAL_WORDS for w in words) and all(w in MATERIAL_WORDS or w in HAND_IN_WORDS for w in words)

    def _only_asks_when(self, question: str) -> bool:
        """"什么时候截止", "最晚哪天": nothing about which window (研究期限, 书面材料)."""
        return not [t for t in tokens(question) if t not in GENERIC_WHEN_WORDS and not WHEN.search(t)]

    def _subject_terms(self, question: str) -> list[str]:
        """What a question asks about: its nouns, without program names, "when" words and the
        asker's description of themselves."""
        terms = content_terms(self.detector.strip(asked_part(question)))
        if terms and all(t in FOCUS_QUALIFIERS for t in terms):
            # "负责人要换人，需要走什么流程": the asking clause only asks "what procedure"
            terms = content_terms(self.detector.strip(question))
        if SEVERAL_DIRECTIONS.search(normalize(question)):  # "远程诊断和健康管理两个都勾上": the rule is asked
            terms = [t for t in terms if t not in self.vocabulary.direction_aliases]
        return [t for t in terms if not WHEN.search(t) and not self.detector.is_cue_word(t) and not _only_when_words(t)]

    def _about_subject(self, question: str, units: list[Unit], share: float = 0.0) -> bool:
        """Whether the facts chosen speak of what a question asks about (公示, 入围名单): one of
        its subject words, or more than ``share`` of them."""
        text = normalize(" ".join(u.search_text for u in units))
        terms = self._subject_terms(question)
        found = sum(t in text for t in terms)
        return not terms or (found > 0 and found > share * len(terms))

    def _answers_alternative(self, question: str, reply: Reply) -> bool:
        """"PDF还是Word": an answer naming neither option does not answer the question."""
        match = ALTERNATIVE.search(normalize(question))
        if not match:
            return True
        text = normalize(reply.text)
        options = [tokens(match.group("first"))[-1:], tokens(match.group("second"))[:1]]
        return not all(options) or any(option[0] in text for option in options)

    def _dated_window_of(self, program: Program, question: str, undated: Unit) -> Reply | None:
        """"纸质材料哪几天送": the best fact was the rule on paper copies, but a window of the same
        program speaks of the same subject and has the dates."""
        if undated.topic == "deadline":
            return None
        hits = self.retriever.search(question, programs=[program.key], facts_only=True, topics=["deadline"], top_k=1)
        if not hits or hits[0].bm25 <= 0 or not self._about_subject(question, [hits[0].unit]):
            return None
        return units_reply(program, [hits[0].unit], "deadline")

    def _dated_fact_of_related_notice(self, program: Program, question: str, undated: Unit) -> Reply | None:
        """The same window, left undated by the program's notice, dated by a related notice of the
        same pilot (the Shanghai pilot's 建设周期 is dated by the annual-work notice)."""
        if not program.related or not isinstance(undated.item, Deadline):
            return None
        hits = self.retriever.search(question, programs=program.related, facts_only=True, topics=["deadline"], top_k=3)
        same_window = [h for h in hits if isinstance(h.unit.item, Deadline) and h.unit.item.kind == undated.item.kind]
        if not same_window:
            return None
        owner = self.data.programs[same_window[0].unit.program]
        reply = units_reply(owner, [same_window[0].unit], "deadline")
        reply.text = f"（依据{owner.short_name}的通知）{reply.text}"
        return reply

    def _no_date_given(self, program: Program, related: Reply) -> Reply:
        return not_given(program, related, "具体时间")

    def _asks_about_notice(self, question: str) -> bool:
        """"哪个部门发的", "文号多少"; not "工信部和卫健委联合发的，材料什么时候集中受理", where the
        notice is only named on the way to the question."""
        normalized = asking_clauses(question)
        return any(cue in normalized for cue in self.notice_cues)

    def _has_specific_words(self, program: Program, question: str) -> bool:
        """True when the question says more than the program's name and an overview word."""
        remaining = normalize(question)
        for alias in self.topics.words("overview"):
            remaining = remaining.replace(alias, " ")
        return len(tokens(remaining)) > 0

    def _answer_from_clauses(self, program: Program, topic: str, question: str) -> Reply:
        hits = self.retriever.search(question, programs=[program.key], facts_only=False, top_k=1)
        if not hits or hits[0].bm25 <= 0:
            return self._unknown(program, topic)
        clause = hits[0].unit
        quote = shorten(clause.clause_text or "")
        return Reply(
            text=f"通知原文（{clause.title}）写道：「{quote}」",
            citations=[clause.citation],
            programs=[program.key],
            topic=topic,
        )

    def _missing_is_asked(self, missing: list[str], question: str) -> bool:
        """An unknown word makes the question one the notices do not answer when it is what is
        asked (报名费多少, 打分权重是多少, 有年龄限制吗), not a word on the way (寄北京花园北路
        那个地址, 我是信息科主任): the last subject word of the asking clause, or a fee."""
        if any(term[-1] in NOUN_HEADS for term in missing):
            return True
        # "270号文是哪天出的？我看网页上有两个日期有点晕": the clause that asks holds the subject
        asked = asked_part(question)
        terms = [t for t in content_terms(asking_clauses(asked)) if t not in FOCUS_QUALIFIERS]
        if not terms:  # the asking clause names nothing but the program ("还能申报吗"): the whole asks
            terms = [t for t in content_terms(asked) if t not in FOCUS_QUALIFIERS]
        return not terms or terms[-1] in missing

    def _unknown(self, program: Program, topic: str, missing: list[str] | None = None, question: str = "") -> Reply:
        contact = program.contacts[0] if program.contacts else None
        tail = f"建议咨询{contact_line(contact)}，" if contact else ""
        subject = f"“{'、'.join(missing)}”" if missing else "这一点"
        buttons = [Button("转人工", HUMAN_PAYLOAD)]
        nearest = self.retriever.search(question, programs=[program.key], facts_only=True, top_k=1) if question else []
        if nearest and nearest[0].unit.questions:
            unit = nearest[0].unit
            buttons.append(Button(f"相关：{unit.title}", f"{program.short_name} {unit.questions[0]}"))
        return Reply(
            text=f"通知中没有提到{subject}，我不能确定。{tail}或点击“转人工”由工作人员为您解答。",
            buttons=buttons,
            programs=[program.key],
            topic=topic,
            kind="unknown",
        )

    def _answer_contact(self, program: Program, topic: str, question: str) -> Reply:
        named = self._contacts_naming_a_person(program, question)
        if named:
            owner, contact = named
            reply = units_reply(owner, [self.unit(contact.id)], topic)
            if owner.key != program.key:
                reply.text = f"（依据{owner.short_name}的通知）{reply.text}"
            return reply
        if not program.contacts:
            return self._contacts_of_the_same_pilot(program, topic, question)
        hits = self.retriever.search(question, programs=[program.key], facts_only=True, topics=["contact"], top_k=len(program.contacts))
        specific = [h.unit for h in hits if h.bm25 > 0 and _mentions_agency(question, h.unit.item)]
        # "市经信委跟市卫健委那边分别找谁": every agency named, in the notice's order
        units = sorted(specific, key=lambda u: [c.id for c in program.contacts].index(u.id)) or [self.unit(c.id) for c in program.contacts]
        reply = units_reply(program, units, topic)
        channel = CONTACT_CHANNEL.search(normalize(question))
        if channel and channel.group() not in normalize(reply.text):
            return not_given(program, reply, f"联系人的{channel.group()}")  # only phones are listed
        return reply

    def _contacts_of_the_same_pilot(self, program: Program, topic: str, question: str) -> Reply:
        """A notice that lists no contact (the annual-work report): said first, then the contacts
        a notice of the same pilot lists, labelled as theirs."""
        related = next((self.data.programs[key] for key in program.related if self.data.programs[key].contacts), None)
        if related is None:
            return self._answer_from_facts(program, "submission", question) if program.submission else self._unknown(program, topic)
        listed = units_reply(related, [self.unit(contact.id) for contact in related.contacts], topic)
        listed.text = f"这份通知没有列出联系人或联系电话。{related.short_name}的通知所列联系人：\n{listed.text}"
        listed.kind = "unknown"
        return listed

    def _contacts_naming_a_person(self, program: Program, question: str) -> tuple[Program, Contact] | None:
        """"孔琳的电话": the contact entry of the person named, this program's first."""
        others = [p for p in self.data.programs.values() if p.key != program.key]
        for candidate in [program, *others]:
            for contact in candidate.contacts:
                if any(len(person.name) >= 2 and person.name in question for person in contact.people):
                    return candidate, contact
        return None

    def answer_directions(self, program: Program, topic: str, question: str) -> Reply:
        asked = self.vocabulary.directions_named(question)
        cite = [self.data.cite(program, program.directions_cite)] if program.directions_cite else []
        if not program.directions:
            return self._answer_from_facts(program, "procedure", question)
        names = "、".join(d.name for d in program.directions)
        if asked:
            matches = [d for d in program.directions if any(a in direction_keys(d) for a in asked)]
            if matches:
                described = self.describe_directions(program, matches, topic)
                if DIRECTION_EXISTS.search(without_5g(question)) or asks_for_verdict(question):
                    # "有没有远程查房这个方向", "健康管理方向能报吗": listed, so it may be chosen
                    described.text = f"{_listed_direction_lead(program, matches, question)}\n{described.text}"
                if self._asks_for_direction_list(question):  # "一共几个方向，有没有远程查房"
                    described.text = f"共{len(program.directions)}个重点方向：{names}。\n{described.text}"
                    described.citations = [*cite, *described.citations]
                return described
            text = f"没有“{'、'.join(asked)}”方向。该项目共{len(program.directions)}个方向：{names}。"
            text += self._listed_elsewhere(program, asked, cite)
            return Reply(
                text=text,
                citations=cite,
                programs=[program.key],
                topic=topic,
                ruling=_direction_ruling(question),
            )
        text, cite = self._with_other_direction(program, f"共{len(program.directions)}个重点方向：{names}。", cite)
        return Reply(text=text, citations=cite, programs=[program.key], topic=topic)

    def _answer_which_direction(self, program: Program, question: str) -> Reply:
        """"我们做疫苗配送平台，选哪个方向对口": the list (the applicant chooses) and, as a hint,
        the direction whose description shares most words with theirs."""
        reply = self.answer_directions(program, "directions", "")
        hits = self.retriever.search(question, programs=[program.key], facts_only=True, topics=["directions"], top_k=5)
        by_words = sorted((h for h in hits if isinstance(h.unit.item, Direction) and h.bm25 > 0), key=lambda h: -h.bm25)
        if by_words:
            closest = by_words[0].unit
            reply.text += f"\n按您的描述，可能最接近“{closest.item.name}”（仅供参考，请对照通知中的方向说明选择）。"
            reply.citations.append(closest.citation)
        return reply

    def _with_other_direction(self, program: Program, text: str, cite: list[Citation]) -> tuple[str, list[Citation]]:
        """The list of directions, and the form's 其他 box where the form has one."""
        other = program.directions_other
        if other is None:
            return text, cite
        return f"{text}{other.text}", [*cite, self.data.cite(program, other.cite)]

    def _asks_for_a_direction(self, program: Program, question: str) -> bool:
        """"我们中医院做中医诊疗方向能报吗": may they apply in a direction the program lists."""
        # a direction of another program ("国家试点能报远程查房方向吗") is answered too: 没有该方向
        return "方向" in question and asks_for_verdict(question) and bool(self.vocabulary.directions_named(question))

    def _asks_for_direction_list(self, question: str) -> bool:
        """"一共几个方向", "有哪些方向"; not "每个方向优秀项目最多占多少" or "验收专家是哪些领域的",
        whose other words ask something else."""
        normalized = normalize(question)
        counted = DIRECTION_COUNT.search(normalized) and not SEVERAL_DIRECTIONS.search(normalized)
        if not counted and not any(cue in normalized for cue in self.directions_list_cues):
            return False
        other_subjects = [
            t for t in self._subject_terms(question)
            if not self.topics.best(t) == "directions" and t not in self.vocabulary.direction_aliases
            and t not in self.directions_list_cues  # "方向数量", "方向个数": the asking word is no other subject
        ]
        return not set(self.topics.all(question)) - {"directions", "overview"} and not other_subjects

    def _unlisted_direction_asked(self, question: str) -> str | None:
        """The name in "有没有X方向" / "有X方向吗" when X is no program's direction."""
        normalized = without_5g(question)
        match = DIRECTION_EXISTS.search(normalized)
        if match:
            name = match.group("name") or match.group("name2")
        elif asks_for_verdict(question) and (asked := _DIRECTION_ASKED_FOR.search(normalized)):
            name = asked.group("name")  # "想报脑机接口方向，能报吗"
        else:
            return None
        if any(cue in name for cue in self.directions_list_cues) or GENERIC_DIRECTION_WORDS.search(name):
            return None
        return None if self.vocabulary.directions_named(name) else name

    def _answer_unlisted_direction(self, program: Program, name: str, question: str) -> Reply:
        cite = [self.data.cite(program, program.directions_cite)] if program.directions_cite else []
        names = "、".join(d.name for d in program.directions)
        text, cite = self._with_other_direction(program, f"没有“{name}”方向。该项目共{len(program.directions)}个方向：{names}。", cite)
        text += self._listed_elsewhere(program, [name], cite)
        return Reply(
            text=text,
            citations=cite,
            programs=[program.key],
            topic="directions",
            ruling=_direction_ruling(question),
        )

    def _listed_elsewhere(self, program: Program, names: list[str], cite: list[Citation]) -> str:
        """Lines naming the other notices that list the directions asked (their citations added to ``cite``)."""
        lines = ""
        for other, direction in (pair for name in names for pair in self._listing_elsewhere(program, name)):
            lines += f"\n{other.short_name}的方向中有“{direction.name}”（方向{direction.number}）。"
            cite.append(self.data.cite(other, direction.cite))
        return lines

    def _listing_elsewhere(self, program: Program, name: str) -> list[tuple[Program, Direction]]:
        """"国家试点有移动医护方向吗": the other notices that do list it (上海5G试点, 方向10)."""
        wanted = normalize(name)
        return [
            (other, direction) for other in self.data.programs.values()
            if other.key != program.key and (other.family is None or other.family.role == "application")  # one applies to
            for direction in other.directions
            if wanted in normalize(direction.name) or any(wanted == normalize(alias) for alias in direction.aliases)
        ]

    def describe_directions(self, program: Program, directions: list[Direction], topic: str) -> Reply:
        cite = [self.data.cite(program, program.directions_cite)] if program.directions_cite else []
        limit = MAX_ONE_DIRECTION_CHARS if len(directions) == 1 else MAX_DIRECTION_CHARS
        parts = [f"{d.name}：{self._direction_text(program, d, limit)}" for d in directions]
        units = [self.unit(f"{program.key}.direction.{d.number}") for d in directions]
        return Reply(text="\n".join(parts), citations=[u.citation for u in units] + cite, programs=[program.key], topic=topic)

    def unit(self, unit_id: str) -> Unit:
        return self._units_by_id[unit_id]

    def _direction_text(self, program: Program, direction: Direction, limit: int) -> str:
        text = direction.description or self.data.sources[program.source].section_text(direction.cite.clause) or ""
        return shorten(text, limit)


def _longest_window(program: Program) -> Deadline | None:
    dated = [d for d in program.deadlines if d.start and d.end]
    return max(dated, key=lambda d: d.end - d.start, default=None)


def _only_when_words(term: str) -> bool:
    """截止时间, 截止日期: made of "when" words only, no subject."""
    for word in sorted(GENERIC_WHEN_WORDS, key=lambda word: (-len(word), word)):
        term = term.replace(word, "")
    return not term


def _mentions_agency(question: str, contact: object) -> bool:
    if not isinstance(contact, Contact):
        return False
    normalized = normalize(question)
    return any(normalize(k) in normalized for k in contact.keywords if len(k) >= 2)


UNKNOWN_LEAD = "通知中没有给出这方面的规定，我不能确定。"  # _not_given(…, "这方面的规定")
UNKNOWN_TERM_LEAD = re.compile(r"^(【[^】]*】)?通知中没有提到“[^”]*”，")  # _unknown(…, missing)


def _listed_direction_lead(program: Program, directions: list[Direction], question: str) -> str:
    """A direction the program lists: 有 (it exists) or 可以 (it may be chosen), with its number."""
    numbers = "、".join(f"方向{program.directions.index(d) + 1}" for d in directions)
    verdict = "有" if DIRECTION_EXISTS.search(without_5g(question)) else "可以"
    return f"{verdict}。属于该项目{len(program.directions)}个重点方向之一（{numbers}）。"


def _direction_ruling(question: str) -> Ruling | None:
    """"能报远程查房方向吗" about a direction the notice does not list: 不可以. Only when a direction
    is what is asked ("区疾控能申报吗" names no direction, though 疾控 reads like one)."""
    return Ruling(says="may_not") if "方向" in question else None
