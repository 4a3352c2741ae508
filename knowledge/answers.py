"""Composes short, cited answers from the facts; quotes a clause when no fact covers the question;
says plainly when the sources do not say, and offers a person."""
from __future__ import annotations

import re
from dataclasses import replace

from .loader import KnowledgeData
from .models import Citation, Contact, Deadline, Direction, Program, Ruling, Statement
from .programs import ProgramDetector, scope_sentence
from .retrieval import Hit, HybridRetriever
from .synonyms import Synonyms
from .text import NOUN_HEADS, content_terms, normalize, tokens
from .typos import HomophoneCorrector
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
    clauses,
    CONTACT_CHANNEL,
    COPIES,
    COPIES_ASKED,
    describes_asker,
    DIRECTION_COUNT,
    DIRECTION_EXISTS,
    GENERIC_DIRECTION_WORDS,
    GENERIC_WHEN_WORDS,
    MAY_APPLY,
    OVERALL_ASKED,
    QUESTION_WORD,
    SEVERAL_ASKED,
    SEVERAL_DIRECTIONS,
    states_identity,
    states_when,
    WHEN,
    WHAT_TO_DO,
    WHICH_DIRECTION,
    without_5g,
)

from .units import Unit
from .situation import last_said, read_situation, situation_so_far, tells_about_oneself
from .decide import FILES_ITSELF, decide, verdict_first
from .reply import Button, Context, Reply
from .resolve import Resolver, TopicCues
from .vocabulary import Vocabulary, direction_keys
from .render import HUMAN_PAYLOAD, contact_line, item_text, labelled, not_given, overview_reply, shorten, units_reply
from .comparison import Side, compare, plain_question, two_subjects
from .frame import Frame, understand
from .practices import practice_said, states_requirement, verdict_line
from .verdicts import VerdictEngine, asks_for_verdict
from .details import load_asked_details, missing_detail
from .settings import DATA_DIR

RULE_TOPICS = ("eligibility", "documents", "submission", "procedure", "deadline")
# Words that qualify what is asked (年龄限制, 格式要求): the subject is the word before them.
FOCUS_QUALIFIERS = frozenset("限制 要求 规定 标准 上限 下限 具体 情况 规范 流程 程序 步骤 手续 办法".split())
# "要交哪些材料/资料/东西": materials in general, answered with the program's list (its first document).
MATERIAL_WORDS = frozenset("材料 资料 文件 东西 申报材料 材料清单 清单".split())
HAND_IN_WORDS = frozenset("交 要交 提交 上交 递交 报送 准备 要准备 需要 都 一共 总共 具体 寄 寄到 送 送到 交到 上传 传 好".split())
# "材料怎么交", "验收资料往哪传": the way of handing in is asked, not the list of materials
HOW_OR_WHERE = re.compile(r"怎么|如何|怎样|咋|哪(?!些|几|一些)|什么方式|什么途径|什么渠道")
MAX_DIRECTION_CHARS = 220  # each of several directions described
MAX_ONE_DIRECTION_CHARS = 700  # one direction asked about: its content and indicators in full
# A related notice's fact must outrank the program's own facts clearly to be used instead.
RELATED_NOTICE_WEIGHT = 0.7
# A second fact of the same topic is added when it scores almost as well as the first.
MAX_HOW_TO_APPLY_FACTS = 3  # e.g. the paper copies' address, the online system, the registration
SECOND_FACT_RATIO = 0.9
INTENT_TOPIC_BOOST = 1.25  # the NLU intent is a strong hint of what is asked


# Forms of question that decide the topic whatever their subject ("还能报吗" is about the deadline).
# Facts of a program searched for one that states something precise (a required way of doing, an
# address or URL) when the best fact does not: about all of one notice's facts.
FACT_SEARCH_DEPTH = 30


class AnswerComposer:
    def __init__(
        self, data: KnowledgeData, retriever: HybridRetriever, detector: ProgramDetector, topic_cues: dict[str, list[str]],
        synonyms: Synonyms, verdicts: VerdictEngine | None = None,
    ):
        self.data = data
        self.verdicts = verdicts
        self.asked_details = load_asked_details(DATA_DIR / "asked_details.yml")
        self.retriever = retriever
        self.detector = detector
        cues = {topic: words for topic, words in topic_cues.items() if isinstance(words, list)}
        self.notice_cues = [normalize(w) for w in cues.pop("notice", [])]
        self.apply_cues = sorted((normalize(w) for w in cues.pop("apply", [])), key=len, reverse=True)
        self.directions_list_cues = [normalize(w) for w in cues.pop("directions_list", [])]
        cues.pop("synonyms", None)
        self.synonyms = synonyms
        self.topics = TopicCues(cues)
        self.vocabulary = Vocabulary(data.programs, retriever.units, detector)
        self.resolver = Resolver(data.programs, detector, self.vocabulary, self.topics)
        self._typos = HomophoneCorrector(self.vocabulary.own.values())
        self._units_by_id = {u.id: u for u in retriever.units}

    # ---- public -------------------------------------------------------------------------
    def answer(self, text: str, intent: str | None = None, nlu_programs: list[str] | None = None, context: Context = Context()) -> Reply:
        situation = situation_so_far(context.situation, text)
        if self._asks_of_what_was_said(text, context):
            # "书面材料想4月10号送过去" then "可以吗": the verdict asked is on that statement
            text = f"{last_said(context.situation)}，{text}"
        frame = understand(text, self._with_known_words(text))
        reply = self._answer(frame, intent, nlu_programs, replace(context, situation=situation))
        reply.situation = situation
        reply.form = frame.form
        return reply

    def _answer(self, frame: Frame, intent: str | None, nlu_programs: list[str] | None, context: Context) -> Reply:
        compared, text = frame.compared, frame.plain
        resolved = self.resolver.resolve(frame, intent, nlu_programs, context)
        if resolved.other_region:
            return self.out_of_scope("抱歉，我只能解答上海市和国家层面的这几个项目，其他地区的项目请咨询当地主管部门。")
        programs, topic, question = list(resolved.programs), resolved.topic, resolved.question
        if not programs and (step := self._what_to_do(text, list(self.data.programs), context.situation)):
            return self._said_when_missing(text, step)  # "那现在该怎么办" after the project's state
        if not programs:
            if self.vocabulary.missing_terms_anywhere(text):
                # e.g. 专精特新申报截止是哪天: another program, not one of ours
                return self.out_of_scope()
            return self._clarify(question, topic)
        assert topic is not None  # resolved with a program: at least "overview"
        decided = self._decide(programs, text, topic, context.situation)
        if len(programs) == 1 and (practiced := self._against_practice(frame, self.data.programs[programs[0]])):
            # "双面打印了3份，够不够": the way is right, the count is not; the broken rule decides
            return _with_broken_rule_first(decided, practiced) if decided else practiced
        core = self.detector.strip(question)
        step = self._what_to_do(text, programs, context.situation) if decided is None else None
        if step is not None:
            return self._said_when_missing(text, step)
        subjects = self._two_facts_compared(compared) if compared and len(programs) == 1 else None
        parts = self._two_questions(question) if len(programs) == 1 and not subjects else []
        if subjects:
            replies = [self._compare_within(self.data.programs[programs[0]], topic, compared, subjects)]
        elif parts:
            replies = [self._answer_parts(self.data.programs[programs[0]], topic, parts)]
        else:
            replies = [self._answer_one(self.data.programs[p], topic, self._own_part(p, core, programs), raw=question) for p in programs]
        merged = self._labelled(replies, programs, topic, question, compared)
        if decided is not None:
            return verdict_first(decided, merged)
        said = read_situation(context.situation).updated_by(frame.stated)
        return self._said_when_missing(text, decide(text, said, merged))

    def _asks_of_what_was_said(self, text: str, context: Context) -> bool:
        """"可以吗", "这样行吗", "那能换吗": a yes/no question with no subject of its own, right
        after the applicant said what they do or plan."""
        return bool(
            context.situation and tells_about_oneself(last_said(context.situation)) and asks_for_verdict(text)
            and not content_terms(self.detector.strip(text)) and not self.detector.detect(text).programs
        )

    def _against_practice(self, frame: Frame, program: Program) -> Reply | None:
        """"申报书单面打印行不", "纸质的没寄，可以吗": the way the applicant does it against the
        program's fact that requires another (knowledge/data/practices.yml); None when the question
        names no such way, or no fact of the program requires one."""
        question = frame.as_asked
        said = practice_said(normalize(question)) if frame.wants_verdict else None
        if said is None:
            return None
        hits = self.retriever.search(question, programs=[program.key], facts_only=True, top_k=FACT_SEARCH_DEPTH)
        for hit in hits:
            shown = units_reply(program, [hit.unit], hit.unit.topic or "")
            if not states_requirement(said.practice, shown.text):
                continue
            shown.text = f"【{program.short_name}】{verdict_line(said)}\n{shown.text}"
            shown.question = question
            return shown
        return None

    def _decide(self, programs: list[str], text: str, topic: str, said_before: str) -> Reply | None:
        """A yes/no question about the applicant's own situation (in this message or said earlier
        in the conversation): the verdict, then its reasons."""
        if self.verdicts is None or len(programs) != 1 or not asks_for_verdict(text):
            return None
        situation = read_situation(said_before).updated_by(read_situation(text))
        if not situation:
            return None
        program = self.data.programs[programs[0]]
        decision = self.verdicts.decide(program, situation, text)
        if decision is None:
            return None
        citations = list(dict.fromkeys(f.citation for f in decision.findings))
        return Reply(
            text=f"【{program.short_name}】{decision.render()}", citations=citations, programs=[program.key],
            topic=topic, question=text,
        )

    def _said_when_missing(self, question: str, answer: Reply) -> Reply:
        """"刘娜的邮箱是多少": the notice gives no e-mail; say so first, then what it gives, as related."""
        first_line = answer.text.split("\n")[0]
        detail = missing_detail(self.asked_details, question, first_line)  # the best fact: line one
        if detail is None:
            return answer
        if answer.kind == "unknown" and UNKNOWN_LEAD in first_line:
            answer.text = answer.text.replace(UNKNOWN_LEAD, f"通知中没有给出{detail.name}。", 1)
            return answer
        if answer.kind == "unknown" and UNKNOWN_TERM_LEAD.match(first_line):
            # "不交会有什么处罚": the detail asked names it better than a word jieba cut out ("交会")
            answer.text = UNKNOWN_TERM_LEAD.sub(lambda m: f"{m.group(1) or ''}通知中没有给出{detail.name}，", answer.text, count=1)
            return answer
        if answer.kind != "answer" or "没有" in first_line[:40]:
            return answer
        lead = f"通知中没有给出{detail.name}。通知中的相关信息："
        label, _, rest = answer.text.partition("】")
        answer.text = f"{label}】{lead}{rest}" if rest else f"{lead}{answer.text}"
        return answer

    def _own_part(self, key: str, question: str, programs: list[str]) -> str:
        """"年度总结报告和验收资料各几号截止", asked of two notices: each answers without the
        subject only the other's notice names."""
        others = [self.vocabulary.own[p] for p in programs if p != key]
        own = self.vocabulary.own[key]
        for term in content_terms(question):
            if term not in own and any(term in other for other in others):
                question = question.replace(term, " ")
        return question

    def _two_questions(self, question: str) -> list[str]:
        """"在哪个系统上报 单位注册要啥": two questions in one message, each asking something of its
        own; none for one question with a preface ("我们是医院，能报吗", "上海5G试点，几份")."""
        if describes_asker(question):
            return []
        parts = clauses(question)
        if len(parts) != 2:
            return []
        if any(len(tokens(self.detector.strip(c))) < 2 or not QUESTION_WORD.search(c) for c in parts):
            return []  # a statement of context ("验收总结报告写5G网络建设情况") is no second question
        return parts

    def _what_to_do(self, text: str, programs: list[str], said_before: str) -> Reply | None:
        """"项目任务没按期完成，该怎么办": the step the notices set for the project's state (a
        statement's ``for_states``), in whichever notice of the pilot states it."""
        said = read_situation(said_before).updated_by(read_situation(text))
        # "负责人要换，我们能自己提申请吗": who files the step is asked, so the step is what answers;
        # "任务没完成，能申请终止吗", "想提前验收，要交什么": the state named now is what is asked about
        asks_one_thing = sum(bool(QUESTION_WORD.search(c)) for c in clauses(text)) <= 1
        named_now = "project_state" in read_situation(text).profile and asks_one_thing
        if not (WHAT_TO_DO.search(normalize(text)) or FILES_ITSELF.search(normalize(text)) or named_now):
            return None
        state = said.profile.get("project_state")
        if state is None:
            return None
        family = [p for p in self.data.programs if any(p != q and self.resolver.same_pilot(p, q) for q in programs)]
        keys = list(dict.fromkeys([*programs, *family]))
        steps = [step for key in keys for step in self.data.programs[key].procedures if state in step.for_states]
        if not steps:
            return None
        step = self._nearest_step(text, keys, steps)
        owner = self.data.programs[self._unit(step.id).program]
        reply = units_reply(owner, [self._unit(step.id)], "procedure")
        reply.ruling = step.ruling
        return decide(text, said, self._labelled([reply], [owner.key], "procedure", text))

    def _nearest_step(self, text: str, keys: list[str], steps: list[Statement]) -> Statement:
        """Of the steps the notices set for the state, the one nearest what is asked ("要谁批":
        the approval step); the first listed when the question says nothing more."""
        ids = {step.id: step for step in steps}
        hits = self.retriever.search(text, programs=keys, facts_only=True, top_k=FACT_SEARCH_DEPTH)
        return next((ids[h.unit.id] for h in hits if h.unit.id in ids), steps[0])

    def _two_facts_compared(self, question: str) -> tuple[str, str] | None:
        """Two facts of one notice ("网上申报和书面材料的截止"), not two notices ("申报通知和验收通知")."""
        subjects = two_subjects(self.detector.strip(question))
        if subjects is None or any("通知" in s or "文件" in s or self.detector.detect(s).programs for s in subjects):
            return None
        return subjects

    def _compare_within(self, program: Program, topic: str, question: str, subjects: tuple[str, str]) -> Reply:
        """"网上申报截止和纸质材料截止是同一天吗": each subject answered, then 一样/不一样."""
        asked = plain_question(question)
        rest = asked.split(subjects[1], 1)[-1] if subjects[1] in asked else ""
        replies = []
        for subject in subjects:
            part = f"{subject}{rest}"
            part_topic = self.topics.best(part) or topic
            replies.append(self._answer_one(program, part_topic, self.detector.strip(part), raw=part))
        if any(r.kind != "answer" for r in replies) or replies[0].text == replies[1].text:
            return self._answer_one(program, topic, self.detector.strip(asked), raw=asked)
        verdict = compare(question, [Side(s, r.text.split("\n")[0]) for s, r in zip(subjects, replies)], by_wording=False)
        lines = ([verdict] if verdict else []) + [r.text for r in replies]
        return Reply(
            text="\n".join(lines), citations=[c for r in replies for c in r.citations],
            buttons=list(dict.fromkeys(b for r in replies for b in r.buttons)), programs=[program.key], topic=topic,
        )

    def _answer_parts(self, program: Program, topic: str, parts: list[str]) -> Reply:
        """Each part answered on its own (its own topic when its words tell one); one reply."""
        replies = []
        for part in parts:
            part_topic = "deadline" if asks_if_still_open(part) else self.topics.best(part) or topic
            replies.append(self._answer_one(program, part_topic, self.detector.strip(part), raw=part))
        answered = [r for r in replies if r.kind == "answer"]
        if len(answered) < 2 or answered[0].text == answered[1].text:
            return self._answer_one(program, topic, self.detector.strip(" ".join(parts)), raw=" ".join(parts))
        return Reply(
            text="\n".join(r.text for r in answered),
            citations=[c for r in answered for c in r.citations],
            buttons=list(dict.fromkeys(b for r in answered for b in r.buttons)),
            programs=[program.key],
            topic=topic,
        )

    def _with_known_words(self, text: str) -> str:
        """Applicants' words for things the notices name otherwise (胶装 → 装订, 光碟 → 光盘) and
        homophone typos (公式 → 公示): the notices' word."""
        normalized = normalize(text)
        known = self._typos.correct(self.synonyms.apply(normalized))
        return text if known == normalized else known  # as asked, unless a word was replaced

    def out_of_scope(self, lead: str = "抱歉，这个问题不在我能回答的范围内，我无法提供相关信息。") -> Reply:
        return Reply(
            text=f"{lead}{scope_sentence(self.data.programs)}如需帮助可转人工客服。{self.helpdesk_contacts_text()}",
            buttons=[Button("转人工", HUMAN_PAYLOAD)],
            kind="out_of_scope",
        )

    def clarify_buttons(self) -> list[Button]:
        return [Button(p.short_name, f'/inform_program{{"program":"{p.key}"}}') for p in self.data.programs.values()]

    def helpdesk_contacts_text(self) -> str:
        lines = []
        for program in self.data.programs.values():
            for contact in program.contacts[:1]:
                lines.append(f"{program.short_name}：{contact_line(contact)}")
        return "人工咨询：" + "；".join(lines) + "。"

    def _clarify(self, question: str, topic: str | None) -> Reply:
        return Reply(
            text="请问您问的是哪个项目？请点选：",
            buttons=self.clarify_buttons(),
            topic=topic,
            question=question,
            kind="clarify",
        )

    # ---- one program ---------------------------------------------------------------------
    def _answer_one(self, program: Program, topic: str, question: str, raw: str | None = None) -> Reply:
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
            return units_reply(program, [self._unit((window or program.deadlines[0]).id)], topic)
        if program.submission and self._only_asks_what_to_hand_in(question) and HOW_OR_WHERE.search(normalize(question)):
            units = [self._unit(item.id) for item in program.submission[:MAX_HOW_TO_APPLY_FACTS]]
            return units_reply(program, units, "submission")
        if topic == "documents" and program.documents and self._only_asks_what_to_hand_in(question):
            # "验收要交哪些材料": nothing more specific than "materials": the program's list
            return units_reply(program, [self._unit(program.documents[0].id)], topic)
        if self.vocabulary.directions_named(question) and (topic in ("directions", "overview") or self._asks_for_a_direction(program, question)) and not SEVERAL_DIRECTIONS.search(normalize(question)):
            return self._answer_directions(program, "directions", question)
        if topic == "directions" and self._asks_for_direction_list(question):
            return self._answer_directions(program, "directions", question)
        if topic == "contact":
            return self._answer_contact(program, topic, raw)
        asks_basis = BASIS.search(normalize(question))
        if (self._asks_about_notice(question) and not asks_basis) or (topic == "overview" and not self._has_specific_words(program, question)):
            return overview_reply(program, self._unit(f"{program.key}.overview"), topic)
        if (
            topic in ("submission", "procedure", "overview") and program.submission and self._asks_how_to_apply(question)
            and not asks_if_still_open(raw) and not (topic == "overview" and asks_for_verdict(raw))  # "现在还可以网上申报吗"
        ):
            units = [self._unit(item.id) for item in program.submission[:MAX_HOW_TO_APPLY_FACTS]]
            return units_reply(program, units, "submission")
        return self._answer_from_facts(program, topic, question)

    def _from_other_notice(self, owner: Program, topic: str, question: str, raw: str) -> Reply:
        reply = self._answer_one(owner, topic, question, raw)
        reply.text = f"（依据{owner.short_name}的通知）{reply.text}"
        return reply

    def _answer_still_open(self, program: Program, question: str) -> Reply:
        """The window the question is about (the program's main one by default), with its status."""
        hits = self.retriever.search(question, programs=[program.key], facts_only=True, topics=["deadline"], top_k=1)
        unit = hits[0].unit if hits and hits[0].bm25 > 0 else self._unit(program.deadlines[0].id)
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
            return units_reply(program, [self._unit(program.deadlines[0].id)], topic)
        if not hits:
            return self._answer_from_clauses(program, topic, question)
        if hits[0].unit.id == f"{program.key}.directions" and len(hits) > 1 and not self._asks_for_direction_list(question):
            hits = hits[1:]  # "可以同时选两个方向吗" is a rule about directions, not their list
        top = hits[0].unit
        if top.topic == "overview":
            return overview_reply(program, self._unit(f"{program.key}.overview"), "overview")
        if top.topic == "directions":
            if isinstance(top.item, Direction):
                described = self._describe_directions(program, [top.item], "directions")
                if "方向" in question and asks_for_verdict(question):  # "我们做远程手术，这个方向能报吗"
                    described.text = f"{_listed_direction_lead(program, [top.item], question)}\n{described.text}"
                return described
            return self._answer_directions(program, "directions", question)
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
            primary = self._unit(program.eligibility[0].id)
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
        terms = [t for t in content_terms(asked_part(question)) if t not in FOCUS_QUALIFIERS]
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
            reply = units_reply(owner, [self._unit(contact.id)], topic)
            if owner.key != program.key:
                reply.text = f"（依据{owner.short_name}的通知）{reply.text}"
            return reply
        if not program.contacts:
            return self._answer_from_facts(program, "submission", question) if program.submission else self._unknown(program, topic)
        hits = self.retriever.search(question, programs=[program.key], facts_only=True, topics=["contact"], top_k=len(program.contacts))
        specific = [h.unit for h in hits if h.bm25 > 0 and _mentions_agency(question, h.unit.item)]
        # "市经信委跟市卫健委那边分别找谁": every agency named, in the notice's order
        units = sorted(specific, key=lambda u: [c.id for c in program.contacts].index(u.id)) or [self._unit(c.id) for c in program.contacts]
        reply = units_reply(program, units, topic)
        channel = CONTACT_CHANNEL.search(normalize(question))
        if channel and channel.group() not in normalize(reply.text):
            return not_given(program, reply, f"联系人的{channel.group()}")  # only phones are listed
        return reply

    def _contacts_naming_a_person(self, program: Program, question: str) -> tuple[Program, Contact] | None:
        """"孔琳的电话": the contact entry of the person named, this program's first."""
        others = [p for p in self.data.programs.values() if p.key != program.key]
        for candidate in [program, *others]:
            for contact in candidate.contacts:
                if any(len(person.name) >= 2 and person.name in question for person in contact.people):
                    return candidate, contact
        return None

    def _answer_directions(self, program: Program, topic: str, question: str) -> Reply:
        asked = self.vocabulary.directions_named(question)
        cite = [self.data.cite(program, program.directions_cite)] if program.directions_cite else []
        if not program.directions:
            return self._answer_from_facts(program, "procedure", question)
        names = "、".join(d.name for d in program.directions)
        if asked:
            matches = [d for d in program.directions if any(a in direction_keys(d) for a in asked)]
            if matches:
                described = self._describe_directions(program, matches, topic)
                if DIRECTION_EXISTS.search(without_5g(question)) or asks_for_verdict(question):
                    # "有没有远程查房这个方向", "健康管理方向能报吗": listed, so it may be chosen
                    described.text = f"{_listed_direction_lead(program, matches, question)}\n{described.text}"
                if self._asks_for_direction_list(question):  # "一共几个方向，有没有远程查房"
                    described.text = f"共{len(program.directions)}个重点方向：{names}。\n{described.text}"
                    described.citations = [*cite, *described.citations]
                return described
            return Reply(
                text=f"没有“{'、'.join(asked)}”方向。该项目共{len(program.directions)}个方向：{names}。",
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
        reply = self._answer_directions(program, "directions", "")
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
        named = set(self.vocabulary.directions_named(question))
        return "方向" in question and asks_for_verdict(question) and any(named & direction_keys(d) for d in program.directions)

    def _asks_for_direction_list(self, question: str) -> bool:
        """"一共几个方向", "有哪些方向"; not "每个方向优秀项目最多占多少" or "验收专家是哪些领域的",
        whose other words ask something else."""
        normalized = normalize(question)
        counted = DIRECTION_COUNT.search(normalized) and not SEVERAL_DIRECTIONS.search(normalized)
        if not counted and not any(cue in normalized for cue in self.directions_list_cues):
            return False
        other_subjects = [t for t in self._subject_terms(question) if not self.topics.best(t) == "directions" and t not in self.vocabulary.direction_aliases]
        return not set(self.topics.all(question)) - {"directions", "overview"} and not other_subjects

    def _unlisted_direction_asked(self, question: str) -> str | None:
        """The name in "有没有X方向" / "有X方向吗" when X is no program's direction."""
        normalized = without_5g(question)
        match = DIRECTION_EXISTS.search(normalized)
        if not match:
            return None
        name = match.group("name") or match.group("name2")
        if any(cue in name for cue in self.directions_list_cues) or GENERIC_DIRECTION_WORDS.search(name):
            return None
        return None if self.vocabulary.directions_named(name) else name

    def _answer_unlisted_direction(self, program: Program, name: str, question: str) -> Reply:
        cite = [self.data.cite(program, program.directions_cite)] if program.directions_cite else []
        names = "、".join(d.name for d in program.directions)
        text, cite = self._with_other_direction(program, f"没有“{name}”方向。该项目共{len(program.directions)}个方向：{names}。", cite)
        return Reply(
            text=text,
            citations=cite,
            programs=[program.key],
            topic="directions",
            ruling=_direction_ruling(question),
        )

    def _describe_directions(self, program: Program, directions: list[Direction], topic: str) -> Reply:
        cite = [self.data.cite(program, program.directions_cite)] if program.directions_cite else []
        limit = MAX_ONE_DIRECTION_CHARS if len(directions) == 1 else MAX_DIRECTION_CHARS
        parts = [f"{d.name}：{self._direction_text(program, d, limit)}" for d in directions]
        units = [self._unit(f"{program.key}.direction.{d.number}") for d in directions]
        return Reply(text="\n".join(parts), citations=[u.citation for u in units] + cite, programs=[program.key], topic=topic)

    def _labelled(self, replies: list[Reply], programs: list[str], topic: str, question: str, compared: str | None = None) -> Reply:
        return labelled(replies, [self.data.programs[p] for p in programs], topic, question, compared)

    # ---- helpers ---------------------------------------------------------------------------
    def _unit(self, unit_id: str) -> Unit:
        return self._units_by_id[unit_id]

    def _direction_text(self, program: Program, direction: Direction, limit: int) -> str:
        text = direction.description or self.data.sources[program.source].section_text(direction.cite.clause) or ""
        return shorten(text, limit)

def _longest_window(program: Program) -> Deadline | None:
    dated = [d for d in program.deadlines if d.start and d.end]
    return max(dated, key=lambda d: d.end - d.start, default=None)


def _only_when_words(term: str) -> bool:
    """截止时间, 截止日期: made of "when" words only, no subject."""
    for word in sorted(GENERIC_WHEN_WORDS, key=len, reverse=True):
        term = term.replace(word, "")
    return not term


def _mentions_agency(question: str, contact: object) -> bool:
    if not isinstance(contact, Contact):
        return False
    normalized = normalize(question)
    return any(normalize(k) in normalized for k in contact.keywords if len(k) >= 2)


UNKNOWN_LEAD = "通知中没有给出这方面的规定，我不能确定。"  # _not_given(…, "这方面的规定")
UNKNOWN_TERM_LEAD = re.compile(r"^(【[^】]*】)?通知中没有提到“[^”]*”，")  # _unknown(…, missing)


def _with_broken_rule_first(decided: Reply, practiced: Reply) -> Reply:
    """A rule the situation breaks, then the way of doing judged (as a remark), then the fact."""
    label, _, verdict = decided.text.partition("】")
    if not verdict.startswith(("不", "原则上不")):
        return practiced
    practice_line, _, fact = practiced.text.partition("】")[2].partition("\n")
    remark = re.sub(r"^(?:可以|不可以|原则上不可以)[：:]", "", practice_line)
    practiced.text = f"{label}】{verdict}\n另：{remark}\n{fact}".rstrip()
    practiced.citations = list(dict.fromkeys([*decided.citations, *practiced.citations]))
    return practiced


def _listed_direction_lead(program: Program, directions: list[Direction], question: str) -> str:
    """A direction the program lists: 有 (it exists) or 可以 (it may be chosen), with its number."""
    numbers = "、".join(f"方向{program.directions.index(d) + 1}" for d in directions)
    verdict = "有" if DIRECTION_EXISTS.search(without_5g(question)) else "可以"
    return f"{verdict}。属于该项目{len(program.directions)}个重点方向之一（{numbers}）。"


def _direction_ruling(question: str) -> Ruling | None:
    """"能报远程查房方向吗" about a direction the notice does not list: 不可以. Only when a direction
    is what is asked ("区疾控能申报吗" names no direction, though 疾控 reads like one)."""
    return Ruling(says="may_not") if "方向" in question else None
