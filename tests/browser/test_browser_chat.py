"""The web chat in a real browser against the real assistant: cited answers, quick replies,
history after a reload, the Chinese IME, input limits, 转人工, feedback and the WeChat look."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from playwright.sync_api import Page, expect
from sqlalchemy.orm import sessionmaker

from chat_steps import BOT, USER, ask, open_chat, page_owns, server_history, session_id, session_token, transcript, wait_answer, wait_connected
from persistence.database import create_db_engine
from persistence.models import Conversation, Message

WECHAT_GREEN = "rgb(149, 236, 105)"  # #95EC69
WHITE = "rgb(255, 255, 255)"
PAGE_GREY = "rgb(237, 237, 237)"  # #EDEDED
SHANGHAI = timezone(timedelta(hours=8))  # the browser contexts' time zone


def test_cited_answer_with_expandable_basis_and_wechat_look(page: Page, base_url, screenshots):
    open_chat(page, base_url)
    answer = ask(page, "国家5G试点材料寄到哪里？")
    assert "北京市海淀区花园北路52号" in answer

    bot = page.locator(BOT).last
    cite = bot.locator("details.cite")
    quote = cite.locator("blockquote")
    expect(cite.locator("summary")).to_have_text("依据")
    expect(quote).to_be_hidden()  # folded until asked for
    cite.locator("summary").click()
    expect(quote).to_be_visible()
    expect(quote).to_contain_text("邮寄地址：北京市海淀区花园北路52号")
    expect(cite.locator(".clause")).to_have_text("五、有关事宜 > （三）")
    expect(cite.locator(".doc")).to_contain_text("关于组织开展5G+医疗健康应用试点项目申报工作的通知")

    user = page.locator(USER).last
    assert user.locator(".bubble").evaluate("e => getComputedStyle(e).backgroundColor") == WECHAT_GREEN
    assert bot.locator(".bubble").first.evaluate("e => getComputedStyle(e).backgroundColor") == WHITE
    assert page.locator("#log").evaluate("e => getComputedStyle(document.body).backgroundColor") == PAGE_GREY
    user_box, bot_box = user.locator(".bubble").bounding_box(), bot.locator(".bubble").first.bounding_box()
    assert user_box["x"] > bot_box["x"] + 100  # user on the right, assistant on the left
    expect(bot.locator(".avatar img")).to_have_attribute("src", "/static/bot-avatar.svg")
    shanghai_now = datetime.now(SHANGHAI)
    minutes = {(shanghai_now - timedelta(minutes=m)).strftime("%H:%M") for m in (0, 1)}
    assert page.locator("#log .time").first.inner_text() in minutes
    page.screenshot(path=screenshots / "chat-desktop-cited-answer.png")


def test_thumbs_up_is_stored(page: Page, base_url):
    open_chat(page, base_url)
    ask(page, "国家5G试点材料寄到哪里？")
    up = page.locator(BOT).last.get_by_role("button", name="有帮助")
    down = page.locator(BOT).last.get_by_role("button", name="没帮助")
    up.click()
    expect(up).to_have_attribute("aria-pressed", "true")
    expect(down).to_have_attribute("aria-pressed", "false")
    bot_id = int(page.locator(BOT).last.get_attribute("data-id"))
    ratings = {m["id"]: m.get("rating") for m in server_history(base_url, session_id(page), session_token(page))}
    assert ratings[bot_id] == "up"

    down.click()
    expect(down).to_have_attribute("aria-pressed", "true")
    expect(up).to_have_attribute("aria-pressed", "false")
    page.reload()
    wait_connected(page)
    expect(page.locator(BOT).last.get_by_role("button", name="没帮助")).to_have_attribute("aria-pressed", "true")


def test_quick_reply_sends_payload_and_shows_title(page: Page, base_url, screenshots):
    open_chat(page, base_url)
    ask(page, "申报需要哪些材料？")
    choices = page.locator(BOT).last.get_by_role("group", name="快捷回复").get_by_role("button")
    expect(choices.first).to_be_visible()
    bots = page.locator(BOT).count()
    choices.filter(has_text="国家5G+医疗健康应用试点").first.click()
    answer = wait_answer(page, bots)

    expect(page.locator(USER).last.locator(".bubble")).to_have_text("国家5G+医疗健康应用试点")  # not the payload
    assert answer.startswith("【国家5G+医疗健康应用试点】")
    history = server_history(base_url, session_id(page), session_token(page))
    tapped = [m for m in history if m["sender"] == "user"][-1]
    assert tapped["text"] == '/inform_program{"program":"nat5g"}' and tapped["title"] == "国家5G+医疗健康应用试点"
    page.screenshot(path=screenshots / "chat-desktop-quick-reply.png")


def test_history_survives_a_reload_in_order(page: Page, base_url):
    open_chat(page, base_url)
    ask(page, "国家5G试点材料寄到哪里？")
    ask(page, "联系电话是多少？")
    ask(page, "智慧医疗专项什么时候截止？")
    before = transcript(page)
    assert len(before) == 6
    assert [sender for _, sender, _ in before] == ["user", "bot"] * 3

    page.reload()
    wait_connected(page)
    expect(page.locator(".msg[data-id]")).to_have_count(6)
    after = transcript(page)
    assert after == before
    ids = [int(i) for i, _, _ in after]
    assert ids == sorted(ids)
    assert [m["id"] for m in server_history(base_url, session_id(page), session_token(page))] == ids


def test_history_time_separators_follow_five_minute_gaps(new_context, base_url, web_stack):
    """Stored earlier conversation: separators where messages are more than 5 minutes apart."""
    engine = create_db_engine(web_stack.extra_env["DATABASE_URL"])
    start = datetime.now(timezone.utc) - timedelta(hours=2)
    with sessionmaker(bind=engine).begin() as db:
        db.add(Conversation(session_id="web-earlier", created_at=start, updated_at=start))
        for minutes, sender, text in [(0, "user", "第一问"), (1, "bot", "第一答"), (3, "user", "第二问"),
                                      (4, "bot", "第二答"), (30, "user", "第三问"), (31, "bot", "第三答")]:
            db.add(Message(session_id="web-earlier", sender=sender, text=text, buttons=[], citations=[],
                           created_at=start + timedelta(minutes=minutes)))
    engine.dispose()

    context, _ = new_context()
    page_owns(context, web_stack.extra_env["DATABASE_URL"], "web-earlier")
    page = context.new_page()
    open_chat(page, base_url)
    expect(page.locator(".msg[data-id]")).to_have_count(6)
    items = page.locator("#log > .time, #log > .msg[data-id]").evaluate_all(
        "nodes => nodes.map(n => n.classList.contains('time') ? 'time' : n.querySelector('.bubble').innerText)"
    )
    assert items == ["time", "第一问", "第一答", "第二问", "第二答", "time", "第三问", "第三答"]
    later = (start + timedelta(minutes=30)).astimezone(SHANGHAI)
    expect(page.locator("#log > .time").nth(1)).to_contain_text(later.strftime("%H:%M"))


def test_enter_does_not_send_while_the_ime_is_composing(page: Page, base_url):
    open_chat(page, base_url)
    box = page.locator("#input")
    box.click()
    box.evaluate("e => e.dispatchEvent(new CompositionEvent('compositionstart', {data: ''}))")
    page.keyboard.insert_text("shenbao")  # pinyin being composed
    page.keyboard.press("Enter")  # picks the candidate: must not send
    page.wait_for_timeout(800)
    expect(page.locator(".msg.mine")).to_have_count(0)
    assert "shenbao" in box.input_value()

    box.evaluate(
        """e => { e.value = '申报截止时间';
                  e.dispatchEvent(new CompositionEvent('compositionend', {data: '申报截止时间'}));
                  e.dispatchEvent(new Event('input', {bubbles: true})); }"""
    )
    bots = page.locator(BOT).count()
    page.keyboard.press("Enter")
    wait_answer(page, bots)
    expect(page.locator(USER)).to_have_count(1)
    expect(page.locator(USER).locator(".bubble")).to_have_text("申报截止时间")
    expect(box).to_have_value("")

    # a keydown that itself says isComposing (no compositionstart seen) does not send either
    box.fill("还有问题")
    box.evaluate("e => e.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter', isComposing: true, bubbles: true}))")
    page.wait_for_timeout(500)
    expect(page.locator(".msg.mine")).to_have_count(1)


def test_shift_enter_makes_a_new_line(page: Page, base_url):
    open_chat(page, base_url)
    box = page.locator("#input")
    box.fill("第一行")
    box.press("Shift+Enter")
    page.keyboard.insert_text("第二行")
    expect(box).to_have_value("第一行\n第二行")
    expect(page.locator(".msg.mine")).to_have_count(0)


def test_empty_and_over_long_input_cannot_be_sent(page: Page, base_url):
    open_chat(page, base_url)
    box, send, counter = page.locator("#input"), page.locator("#send"), page.locator("#counter")
    expect(send).to_be_disabled()
    box.fill("   \n  ")
    expect(send).to_be_disabled()
    box.press("Enter")

    box.fill("长" * 2001)  # the gateway's MAX_MESSAGE_CHARS is 2000
    expect(send).to_be_disabled()
    expect(counter).to_be_visible()
    expect(counter).to_have_text("已超出2000字上限（当前2001字），请删减后发送")
    expect(box).to_have_attribute("aria-invalid", "true")
    box.press("Enter")
    page.wait_for_timeout(500)
    expect(page.locator(".msg.mine")).to_have_count(0)

    box.fill("长" * 2000)
    expect(send).to_be_enabled()
    expect(counter).to_have_text("2000/2000")


def test_handoff_button_sends_zhuanrengong(page: Page, base_url):
    open_chat(page, base_url)
    bots = page.locator(BOT).count()
    page.get_by_role("button", name="转人工：请人工客服回答").click()
    answer = wait_answer(page, bots)
    expect(page.locator(USER).last.locator(".bubble")).to_have_text("转人工")
    assert "人工" in answer


def test_keyboard_and_screen_reader_labels(page: Page, base_url):
    open_chat(page, base_url)
    log = page.locator("#log")
    expect(log).to_have_attribute("role", "log")
    expect(log).to_have_attribute("aria-live", "polite")
    expect(page.get_by_label("输入您的问题（回车发送，Shift+回车换行）")).to_be_visible()

    page.locator("#handoff").focus()
    page.keyboard.press("Tab")
    expect(page.locator("#input")).to_be_focused()
    page.keyboard.insert_text("国家5G试点材料寄到哪里？")
    page.keyboard.press("Tab")
    expect(page.locator("#send")).to_be_focused()
    bots = page.locator(BOT).count()
    page.keyboard.press("Enter")  # the focused 发送 button
    wait_answer(page, bots)
    expect(page.locator(BOT).last.locator(".sr-only")).to_have_text("申报助手说：")
    expect(page.locator(USER).last.locator(".sr-only")).to_have_text("我说：")

    # a quick reply of the greeting, by keyboard only: 咨询问题 offers sample questions
    page.locator(".greeting").get_by_role("button", name="咨询问题").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#input")).to_be_focused()
    quick = page.locator(".samples").get_by_role("button", name="申报需要准备哪些材料？")
    quick.focus()
    bots = page.locator(BOT).count()
    page.keyboard.press("Enter")
    wait_answer(page, bots)
    expect(page.locator(USER).last.locator(".bubble")).to_have_text("申报需要准备哪些材料？")


def test_question_from_the_address_fills_the_input(page: Page, base_url):
    open_chat(page, base_url, "?q=" + "国家试点材料寄到哪里")
    expect(page.locator("#input")).to_have_value("国家试点材料寄到哪里")
    expect(page.locator("#input")).to_be_focused()
    expect(page.locator(".msg.mine")).to_have_count(0)  # filled in, not sent


def test_file_card_and_staff_message(new_context, base_url, web_stack, screenshots):
    """Messages other features store (a generated document, a reply from staff) as shown."""
    engine = create_db_engine(web_stack.extra_env["DATABASE_URL"])
    now = datetime.now(timezone.utc)
    with sessionmaker(bind=engine).begin() as db:
        db.add(Conversation(session_id="web-files", created_at=now, updated_at=now))
        db.add(Message(session_id="web-files", sender="user", text="导出申报书", buttons=[], citations=[], created_at=now))
        db.add(Message(session_id="web-files", sender="bot", text="申报书已生成，请下载：", buttons=[], citations=[],
                       attachment={"url": "/static/bot-avatar.svg", "filename": "上海5G试点申报书.docx"}, created_at=now))
        db.add(Message(session_id="web-files", sender="staff", text="您好，我是工作人员，材料已收到。", buttons=[],
                       citations=[], created_at=now))
        db.add(Message(session_id="web-files", sender="bot", text="", buttons=[], citations=[],
                       attachment={"url": "javascript:alert(1)", "filename": "坏链接.docx"}, created_at=now))
    engine.dispose()

    context, _ = new_context()
    page_owns(context, web_stack.extra_env["DATABASE_URL"], "web-files")
    page = context.new_page()
    open_chat(page, base_url)
    expect(page.locator(".msg[data-id]")).to_have_count(4)
    card = page.get_by_role("link", name="下载文件：上海5G试点申报书.docx")
    expect(card).to_be_visible()
    expect(card).to_have_attribute("href", "/static/bot-avatar.svg")
    expect(card).to_have_attribute("download", "上海5G试点申报书.docx")
    expect(card.locator(".fname")).to_contain_text("上海5G试点申报书.docx")
    expect(page.locator(".file-card")).to_have_count(1)  # the javascript: link is not shown ...
    expect(page.locator(".msg[data-id]").last).to_be_hidden()  # ... nor its otherwise empty message
    expect(page.locator(".msg.from-bot[data-id] .rate")).to_have_count(1)  # thumbs: the bot's answer only

    staff = page.locator(".msg.from-staff")
    expect(staff.locator(".name")).to_have_text("人工客服")
    expect(staff.locator(".sr-only")).to_have_text("人工客服说：")
    expect(staff.locator(".avatar img")).to_have_attribute("src", "/static/staff-avatar.svg")
    expect(staff.locator(".rate")).to_have_count(0)
    page.screenshot(path=screenshots / "chat-file-card-and-staff.png")
