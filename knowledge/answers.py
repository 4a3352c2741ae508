"""The composer: a message in, a short cited reply out, through the pipeline

    understand (frame.py) → resolve (resolve.py) → select (select.py) → decide (decide.py,
    verdicts.py, practices.py) → render (render.py)

It carries what the conversation established (programs, topic, the applicant's situation), splits
a message that asks two things or compares two, and says plainly when the sources do not say."""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace

from .loader import KnowledgeData
from .models import Program, Statement
from .programs import ProgramDetector, scope_sentence
from .retrieval import HybridRetriever
from .synonyms import Synonyms
from .text import content_terms, normalize, spelled_dates, tokens
from .typos import HomophoneCorrector
from .wording import (
    CONSEQUENCE,
    asks_if_still_open,
    clauses,
    describes_asker,
    QUESTION_WORD,
    WHAT_TO_DO,
)

from .situation import last_said, read_situation, situation_so_far, speaks_of_the_asker
from .decide import FILES_ITSELF, decide, verdict_first
from .reply import Button, Context, Reply
from .resolve import Resolver, TopicCues
from .vocabulary import Vocabulary
from .select import FACT_SEARCH_DEPTH, UNKNOWN_LEAD, UNKNOWN_TERM_LEAD, FactSelector
from .render import HUMAN_PAYLOAD, contact_line, labelled, units_reply
from .comparison import EachAsked, Side, compare, each_asked, plain_question, two_subjects
from .frame import Form, Frame, understand
from .practices import practice_said, states_requirement, verdict_line
from .verdicts import ASKS_CONFIRMATION, VerdictEngine, asks_for_verdict
from .details import load_asked_details, missing_detail
from .intervals import asks_interval, interval_line
from .settings import DATA_DIR



# "不行的话有啥别的路子", "不行的话我们怎么参与": another way is asked for, if the verdict is no
ANOTHER_WAY_ASKED = re.compile(r"(?:不行|不能|不可以)的话[^？?。]{0,12}(?:别的|其他|其它|另外|怎么|如何|还能|还可以|办法|路子)|(?:别的|其他|其它)(?:路子|办法|途径|渠道)")


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
        self.domain_words = [normalize(w) for w in cues.pop("domain", [])]
        self.off_domain_words = [normalize(w) for w in cues.pop("off_domain", [])]
        cues.pop("synonyms", None)
        self.synonyms = synonyms
        self.topics = TopicCues(cues)
        self.vocabulary = Vocabulary(data.programs, retriever.units, detector)
        self.resolver = Resolver(data.programs, detector, self.vocabulary, self.topics)
        self._typos = HomophoneCorrector(self.vocabulary.own.values())
        self.select = FactSelector(
            data, retriever, detector, self.vocabulary, self.topics, self.resolver, self.notice_cues, self.apply_cues,
            self.directions_list_cues,
        )

    # ---- public -------------------------------------------------------------------------
    def answer(self, text: str, intent: str | None = None, nlu_programs: list[str] | None = None, context: Context = Context()) -> Reply:
        situation = situation_so_far(context.situation, text)
        if self.asks_of_what_was_said(text, context):
            # "书面材料想4月10号送过去" then "可以吗": the verdict asked is on that statement
            text = f"{last_said(context.situation)}，{text}"
        text = self._direction_meant(text, context.situation)
        frame = understand(text, self._with_known_words(text))
        # "前后大概十个月" after "明年要出国访学": a statement that completes the situation is judged
        # unasked when it breaks a rule (advice, not silence)
        asks = QUESTION_WORD.search(normalize(text)) or ASKS_CONFIRMATION.search(normalize(text))
        volunteered = not asks and read_situation(situation) != read_situation(context.situation)
        reply = self._answer(frame, intent, nlu_programs, replace(context, situation=situation), volunteered)
        reply.situation = situation
        reply.form = frame.form
        return reply

    def _answer(self, frame: Frame, intent: str | None, nlu_programs: list[str] | None, context: Context, volunteered: bool = False) -> Reply:
        each = each_asked(frame.text) if frame.compared is None else None
        if each and all(self._more_than_a_program(subject) for subject in each.subjects):
            # "年度总结报告和验收资料的截止时间分别是哪天": each subject's own answer, from its own notice
            # (two programs as the subjects, "市里那个和国家那个…", are answered side by side below)
            if (both := self._each_answered(each, intent, nlu_programs, context)) is not None:
                return both
        compared, text = frame.compared, frame.plain
        if self._off_domain(frame.as_asked):
            return self.out_of_scope()
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
            if topic is None and not self.vocabulary.known_terms(text) and not any(w in normalize(text) for w in self.domain_words):
                # "写一首关于春天的诗", "吃点啥药好": nothing any notice speaks of, no question of ours
                return self.out_of_scope()
            ruling = self.verdicts.programs_ruling_on(read_situation(context.situation)) if self.verdicts is not None and asks_for_verdict(text) else []
            if len(ruling) != 1:
                return self._clarify(question, topic)
            programs, topic = ruling, topic or "eligibility"  # the only program whose rules read what was said
        assert topic is not None  # resolved with a program: at least "overview"
        # "那国家那个呢" after "想牵头报上海5G试点可以吗": the verdict asked before, for the other program
        asked = question if question != text and asks_for_verdict(question) and not asks_for_verdict(text) else text
        decided = self._decide(programs, asked, topic, context.situation, volunteered) or self._room_left(programs, text, topic, context.situation)
        if len(programs) == 1 and (practiced := self._against_practice(frame, self.data.programs[programs[0]])):
            # "双面打印了3份，够不够": the way is right, the count is not; the broken rule decides
            return _with_broken_rule_first(decided, practiced) if decided else practiced
        core = self.detector.strip(question)
        step = self._what_to_do(text, programs, context.situation) if decided is None else None
        if step is not None:
            return self._with_due_date(self._said_when_missing(text, step), frame, context.situation)
        subjects = self._two_facts_compared(compared) if compared and len(programs) == 1 else None
        parts = self._two_questions(question) if len(programs) == 1 and not subjects else []
        if subjects:
            replies = [self._compare_within(self.data.programs[programs[0]], topic, compared, subjects)]
        elif parts:
            replies = [self._answer_parts(self.data.programs[programs[0]], topic, parts)]
        else:
            replies = [self.select.answer_one(self.data.programs[p], topic, self._own_part(p, core, programs), raw=question) for p in programs]
        merged = self._labelled(replies, programs, topic, question, compared)
        if decided is not None:
            return self._said_when_missing(text, self._with_another_way(verdict_first(decided, merged), programs, text, context.situation))
        said = read_situation(context.situation).updated_by(frame.stated)
        answered = self._with_due_date(self._said_when_missing(text, decide(text, said, merged)), frame, context.situation)
        return _with_interval(frame.as_asked, answered)

    def _with_another_way(self, reply: Reply, programs: list[str], text: str, said_before: str) -> Reply:
        """"能牵头上海的吗？不行的话有啥别的路子": after a 不可以, the sister notice of the same pilot
        whose rules the applicant meets (国家试点: 境内注册即可)."""
        if self.verdicts is None or len(programs) != 1 or not ANOTHER_WAY_ASKED.search(normalize(text)):
            return reply
        if not re.match(r"【[^】]*】不可以", reply.text):
            return reply
        family = self.detector.family_of(programs[0])
        situation = read_situation(said_before).updated_by(read_situation(text))
        for key in family.applications if family else ():
            if key == programs[0]:
                continue
            other = self.data.programs[key]
            found = self.verdicts.decide(other, situation, text)
            if found is not None and found.headline.startswith("可以"):
                reply.text = f"{reply.text}\n另一条路：【{other.short_name}】{found.render()}"
                reply.citations = list(dict.fromkeys([*reply.citations, *(f.citation for f in found.findings)]))
        return reply

    def _with_due_date(self, reply: Reply, frame: Frame, said_before: str) -> Reply:
        """"项目2023年8月到期了，接下来做什么 / 验收申请最晚哪个月交": by when, from the end the
        applicant states, before the rule."""
        if self.verdicts is None or reply.kind not in ("answer", "unknown") or not reply.programs:
            return reply
        if frame.form not in (Form.WHEN, Form.WHAT_TO_DO, Form.WHAT):
            return reply
        said = read_situation(said_before).updated_by(frame.stated)
        if said.project_end is None or said.day is not None:
            return reply
        due = self.verdicts.due_after_end(self.data.programs[reply.programs[0]], said)
        if due is None:
            return reply
        owner, line, citation = due
        if reply.kind == "unknown" or len(reply.programs) > 1:
            # "项目2023年8月到期，验收申请最晚啥时候交": the notice that sets it answers, nothing else
            return Reply(text=f"【{self.data.programs[owner].short_name}】{line}", citations=[citation], programs=[owner],
                         topic="deadline", question=reply.question)
        label, mark, rest = reply.text.partition("】")
        reply.text = f"{label}】{line}\n{rest}" if mark else f"{line}\n{reply.text}"
        reply.citations = list(dict.fromkeys([citation, *reply.citations]))
        return reply

    def _more_than_a_program(self, subject: str) -> bool:
        """"验收资料", "网上申报": a subject of its own; "市里那个", "上海版": a program only."""
        return len(re.sub(r"\W|那个|这个|的|版", "", self.detector.strip(subject))) >= 2

    def _each_answered(self, each: EachAsked, intent: str | None, nlu_programs: list[str] | None, context: Context) -> Reply | None:
        first, second = each.questions
        # "5G试点验收的时候通管局和上海工创那边各找谁": the program named before the first subject is the second's too
        subject = each.subjects[0]
        after_names = self.detector.strip(subject).rsplit(" ", 1)[-1]  # the words after the last program name
        lead = subject[: len(subject) - len(after_names)] if subject.endswith(after_names) else ""
        if lead and self.detector.detect(lead).programs:
            second = second.replace(each.subjects[1], f"{lead}{each.subjects[1]}", 1)
        replies = [self._answer(understand(q, self._with_known_words(q)), intent, nlu_programs, context) for q in (first, second)]
        if any(r.kind != "answer" for r in replies) or replies[0].text == replies[1].text:
            return None
        return Reply(
            text=_merged(r.text for r in replies), citations=list(dict.fromkeys(c for r in replies for c in r.citations)),
            buttons=list(dict.fromkeys(b for r in replies for b in r.buttons)),
            programs=list(dict.fromkeys(p for r in replies for p in r.programs)), topic=replies[0].topic, question=replies[0].question,
        )

    def _off_domain(self, text: str) -> bool:
        """"帮我挂个专家号", "推荐个5G手机套餐", "上海明天下雨吗": a request no notice speaks of,
        unless a program is named ("智慧医疗专项的经费能报销吗" is ours)."""
        normalized = normalize(text)
        return any(word in normalized for word in self.off_domain_words) and not self.detector.detect(text).by_name

    def _direction_meant(self, text: str, said_before: str) -> str:
        """"能报这个方向吗" after "我们在做5G+移动医护": the direction the applicant named before."""
        if not _THIS_DIRECTION.search(text) or self.vocabulary.directions_named(text):
            return text
        earlier = normalize(said_before)
        named = self.vocabulary.directions_named(earlier)
        if not named:
            return text
        latest = max(named, key=earlier.rfind)
        return _THIS_DIRECTION.sub(f"{latest}方向", text, count=1)

    def asks_of_what_was_said(self, text: str, context: Context) -> bool:
        """"可以吗", "这样行吗", "那能换吗": a yes/no question with no subject of its own, right
        after the applicant said what they do or plan."""
        return bool(
            context.situation and asks_for_verdict(text)
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
        hits = [h.unit for h in self.retriever.search(question, programs=[program.key], facts_only=True, top_k=FACT_SEARCH_DEPTH)]
        # the nearest facts first; then any fact of the program, since the practice names its requirement
        hits += [u for u in self.retriever.units if u.program == program.key and u.is_fact and u not in hits]
        for unit in hits:
            shown = units_reply(program, [unit], unit.topic or "")
            if not states_requirement(said.practice, shown.text):
                continue
            shown.text = f"【{program.short_name}】{verdict_line(said)}\n{shown.text}"
            shown.question = question
            return shown
        return None

    def _decide(self, programs: list[str], text: str, topic: str, said_before: str, volunteered: bool = False) -> Reply | None:
        """A yes/no question about the applicant's own situation (in this message or said earlier
        in the conversation): the verdict, then its reasons. A statement that adds to the
        situation (``volunteered``) gets the verdict only when a rule is not met."""
        asked = asks_for_verdict(text)
        # "验收资料没提交，会怎样": what follows from a rule the situation breaks
        consequence = bool(CONSEQUENCE.search(normalize(text)))
        if self.verdicts is None or not programs or not (asked or volunteered or consequence):
            return None
        situation = read_situation(said_before).updated_by(read_situation(text))
        if not situation:
            return None
        decided = {}
        for key in programs:
            if (found := self.verdicts.decide(self.data.programs[key], situation, text)) is not None:
                decided.setdefault(found.render(), (found.program or key, found))  # one rule reached from two programs
        # several programs' verdicts are given to an asker who spoke of their own unit or person
        several = asked and speaks_of_the_asker(f"{said_before}\n{text}")
        if not decided or (len(decided) > 1 and not several):
            return None
        # "能牵头国家的吗？还是只限上海的？": each program named gives its own verdict, in turn
        findings = [f for _, decision in decided.values() for f in decision.findings]
        if not asked and all(f.status == "met" for f in findings):
            return None
        said_unasked = "" if asked or consequence else "按您所说，"
        return Reply(
            text="\n".join(f"【{self.data.programs[key].short_name}】{said_unasked}{decision.render()}" for key, decision in decided.values()),
            citations=list(dict.fromkeys(f.citation for f in findings)), programs=list(dict.fromkeys(key for key, _ in decided.values())),
            topic=topic, question=text,
        )

    def _room_left(self, programs: list[str], text: str, topic: str, said_before: str) -> Reply | None:
        """"还能再拉几家": how many more the program's limit leaves, from the count said before."""
        if self.verdicts is None or len(programs) != 1:
            return None
        program = self.data.programs[programs[0]]
        said = read_situation(said_before).updated_by(read_situation(text))
        room = self.verdicts.room_left(program, said, text)
        return None if room is None else Reply(text=f"【{program.short_name}】{room}", programs=[program.key], topic=topic, question=text)

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
        rest = _VERDICT_OPENING.sub("", rest, count=1)  # a verdict on what was said is no answer to what is not given
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
        if len(parts) == 1 and all(QUESTION_WORD.search(p) for p in parts[0].split("、")):
            parts = parts[0].split("、")  # "要怎么准备、交到哪儿": two questions listed
        if len(parts) != 2:
            return []
        # "寄给谁": 谁/哪 ask for something of their own, though no token counts them
        if not all(self._asks_of_its_own(c) for c in parts):
            return []  # a statement of context ("验收总结报告写5G网络建设情况") is no second question
        return parts

    def _asks_of_its_own(self, clause: str) -> bool:
        """"寄给谁", "能不能提前验收" ask something of their own; "可以吗", "字数多少" lean on the other clause."""
        if not QUESTION_WORD.search(clause):
            return False
        words = tokens(self.detector.strip(clause))
        # 谁/哪 ask for something though no token counts them; a term of 3+ characters is a subject
        return len(words) + bool(re.search("谁|哪", clause)) >= 2 or (len(words) == 1 and len(words[0]) >= 3)

    def _what_to_do(self, text: str, programs: list[str], said_before: str) -> Reply | None:
        """"项目任务没按期完成，该怎么办": the step the notices set for the project's state (a
        statement's ``for_states``), in whichever notice of the pilot states it."""
        said = read_situation(said_before).updated_by(read_situation(text))
        # "负责人要换，我们能自己提申请吗": who files the step is asked, so the step is what answers;
        # "任务没完成，能申请终止吗", "想提前验收，要交什么": the state named now is what is asked about
        asks_one_thing = sum(bool(QUESTION_WORD.search(c)) for c in clauses(text)) <= 1
        asks_whom = bool(_ASKS_FOR_A_CONTACT.search(normalize(text)))  # "材料有问题，想问通信管理局，联系人是谁"
        named_now = "project_state" in read_situation(text).profile and asks_one_thing and not asks_whom
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
        owner = self.data.programs[self.select.unit(step.id).program]
        shown = self._labelled([units_reply(owner, [self.select.unit(step.id)], "procedure")], [owner.key], "procedure", text)
        shown.ruling = step.ruling  # "提前完成了，能不能不等到期就申请验收": the step's rule answers the yes/no
        return decide(text, said, shown)

    def _nearest_step(self, text: str, keys: list[str], steps: list[Statement]) -> Statement:
        """Of the steps the notices set for the state, the one nearest what is asked ("要谁批":
        the approval step); the first listed when the question says nothing more."""
        ids = {step.id: step for step in steps}
        hits = self.retriever.search(text, programs=keys, facts_only=True, top_k=FACT_SEARCH_DEPTH)
        order = list(dict.fromkeys([*(h.unit.id for h in hits if h.unit.id in ids), *ids]))
        ranked = [ids[key] for key in order]
        # "做不下去想中止": the step that says 中止 (项目调整) before the one that says 终止
        terms = [t for t in tokens(text) if len(t) >= 2]
        return max(ranked, key=lambda step: sum(t in step.text for t in terms))  # max keeps the nearest of equals

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
            replies.append(self.select.answer_one(program, part_topic, self.detector.strip(part), raw=part))
        if any(r.kind != "answer" for r in replies) or replies[0].text == replies[1].text:
            return self.select.answer_one(program, topic, self.detector.strip(asked), raw=asked)
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
            replies.append(self.select.answer_one(program, part_topic, self.detector.strip(part), raw=part))
        answered = [r for r in replies if r.kind == "answer"]
        if len(answered) < 2 or answered[0].text == answered[1].text:
            return self.select.answer_one(program, topic, self.detector.strip(" ".join(parts)), raw=" ".join(parts))
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
        known = self._typos.correct(self.synonyms.apply(spelled_dates(normalized)))
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
    def _labelled(self, replies: list[Reply], programs: list[str], topic: str, question: str, compared: str | None = None) -> Reply:
        return labelled(replies, [self.data.programs[p] for p in programs], topic, question, compared)

    # ---- helpers ---------------------------------------------------------------------------
def _merged(texts: Iterable[str]) -> str:
    """Replies joined with no line twice and each program's label once per run of its lines."""
    seen: set[str] = set()
    out: list[str] = []
    label = ""
    for text in texts:
        current = ""
        for line in text.split("\n"):
            if match := re.match(r"【[^】]*】", line):
                current, line = match.group(0), line[match.end():]
            if line in seen:
                continue
            seen.add(line)
            out.append(line if current == label else f"{current}{line}")
            label = current
    return "\n".join(out)


def _with_interval(question: str, reply: Reply) -> Reply:
    """"一共开放多少天", "哪个先截止，差几天": the days between the dates asked, before the facts."""
    if reply.kind != "answer" or not asks_interval(question):
        return reply
    blocks = [(m.group(1), m.group(2)) for m in re.finditer(r"【([^】]*)】([^\n]*)", reply.text)]
    if (line := interval_line(question, blocks)) is None:
        return reply
    reply.text = f"{line}\n{reply.text}"
    return reply


_VERDICT_OPENING = re.compile(r"^(?:符合|不符合|可以|不可以|不能|原则上不可以|足够|不够|在受理期限内|算按时|不能按时受理)[^：:。\n]{0,16}[：:][^。\n]*。\n?")
_THIS_DIRECTION = re.compile(r"(?:这个|这一|该|这种|这类)方向")


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


_ASKS_FOR_A_CONTACT = re.compile(r"联系人|联系方式|联系电话|电话|邮箱|找谁|问谁")
