//! Seed content for the simulated site: multilingual summaries, ADF descriptions and comments.
//!
//! Descriptions and comment bodies come from fixed pools that issues share, so 100,000 seeded
//! issues cost a few dozen documents. Summaries are put together from phrase lists with a
//! caller-supplied [`fastrand::Rng`], so a seed always gives the same site. The pools use every
//! ADF node and mark the gateway renders, and some English documents carry characters that
//! renderers must show literally (`<script>`, Markdown and typst syntax).

use serde_json::Value;

use crate::adf::build::{
    background_mark, block_card, blockquote, body_row, bullet_list, code, code_block, color_mark,
    colored, date, decision_item, decision_list, doc, em, emoji, expand, hard_break, header_row,
    heading, inline_card, item, link, list_item, mark, marked, media_inline, media_single, mention,
    ordered_list, panel, paragraph, rule, status, strike, strong, subsup_mark, table, task_item,
    task_list, text, underline,
};

/// A language of the seeded content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    En,
    Ru,
    Th,
    Ja,
}

impl Lang {
    /// Every language, in pool order.
    pub const ALL: [Lang; 4] = [Lang::En, Lang::Ru, Lang::Th, Lang::Ja];

    /// The BCP 47 language code (`en`, `ru`, `th`, `ja`).
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ru => "ru",
            Lang::Th => "th",
            Lang::Ja => "ja",
        }
    }
}

/// Descriptions per language in [`description_pool`].
pub const DESCRIPTIONS_PER_LANG: usize = 10;
/// Comments per language in [`comment_pool`].
pub const COMMENTS_PER_LANG: usize = 15;

const ADA: &str = "5b10ac8d82e05b22cc7d4ef5";
const VICTOR: &str = "5b10a2844c20165700ede21g";
const ALICE: &str = "5b10a0effa615349cb016cd8";
const DMITRY: &str = "5b109f2e9729b51b54dc274d";
const SOMCHAI: &str = "5b10ac8d82e05b22cc7d4ef6";
const HANAKO: &str = "5b10ac8d82e05b22cc7d4ef7";

/// 2026-11-30, 2026-12-04, 2026-12-10, 2026-12-15, 2027-01-08, 2027-01-20, 2027-02-01, 2027-03-15.
const DATES: [i64; 8] = [
    1_795_996_800_000,
    1_796_342_400_000,
    1_796_860_800_000,
    1_797_292_800_000,
    1_799_366_400_000,
    1_800_403_200_000,
    1_801_440_000_000,
    1_805_068_800_000,
];

fn para(s: &str) -> Value {
    paragraph([text(s)])
}

fn h(level: u8, s: &str) -> Value {
    heading(level, [text(s)])
}

fn bullets(items: &[&str]) -> Value {
    bullet_list(items.iter().map(|s| item([text(s)])))
}

fn steps(items: &[&str]) -> Value {
    ordered_list(items.iter().map(|s| item([text(s)])))
}

/// A list item: a paragraph and a nested list under it.
fn parent(s: &str, nested: Value) -> Value {
    list_item([para(s), nested])
}

fn screenshot(n: u32, alt: &str) -> Value {
    media_single(&format!("att-{n}"), alt, 1280, 720)
}

fn day(index: usize) -> Value {
    date(DATES[index % DATES.len()])
}

/// The description documents: [`DESCRIPTIONS_PER_LANG`] per language, grouped in
/// [`Lang::ALL`] order (English first).
pub fn description_pool() -> Vec<Value> {
    let mut pool = english_descriptions();
    pool.extend(russian_descriptions());
    pool.extend(thai_descriptions());
    pool.extend(japanese_descriptions());
    pool
}

/// Short comment bodies: [`COMMENTS_PER_LANG`] per language, grouped in [`Lang::ALL`] order.
pub fn comment_pool() -> Vec<Value> {
    let mut pool = english_comments();
    pool.extend(russian_comments());
    pool.extend(thai_comments());
    pool.extend(japanese_comments());
    pool
}

/// Labels issues are tagged with.
pub fn label_pool() -> &'static [&'static str] {
    &[
        "backend",
        "frontend",
        "ux",
        "security",
        "perf",
        "i18n",
        "accessibility",
        "api",
        "mobile",
        "database",
        "regression",
        "tech-debt",
        "documentation",
        "customer-reported",
        "needs-triage",
    ]
}

fn english_descriptions() -> Vec<Value> {
    vec![
        doc([
            h(2, "Steps to reproduce"),
            steps(&[
                "Open https://demo.example.com/login in Safari 17.4 on macOS 14.",
                "Enter a valid e-mail address and password.",
                "Tick “Remember me” and press Sign in.",
            ]),
            h(2, "Expected result"),
            para("The dashboard opens and the session survives a browser restart."),
            h(2, "Actual result"),
            paragraph([
                text("The tab reloads twice and then shows "),
                strong("“A problem repeatedly occurred”"),
                text(". The console says:"),
            ]),
            code_block(
                "javascript",
                "TypeError: undefined is not an object (evaluating 'storage.getItem')\n    at restoreSession (auth.js:214:18)\n    at async bootstrap (main.js:41:5)",
            ),
            screenshot(101, "Safari error page after signing in"),
            panel(
                "info",
                [paragraph([
                    text("Only Safari is affected. Private browsing makes it worse, because "),
                    code("localStorage"),
                    text(" throws there."),
                ])],
            ),
            paragraph([
                status("In progress", "blue"),
                text(" "),
                mention(ALICE, "Alice Nguyen"),
                text(" is looking at the storage fallback."),
            ]),
        ]),
        doc([
            para(
                "As a project manager I want to export a filtered list of issues to PDF, so that I can attach a status report to the weekly steering e-mail.",
            ),
            h(3, "Acceptance criteria"),
            bullet_list([
                parent(
                    "The export uses the current JQL filter",
                    bullet_list([
                        parent(
                            "Columns follow the list view",
                            bullets(&[
                                "Summary, status, assignee and due date by default",
                                "Custom fields only when visible",
                            ]),
                        ),
                        item([text("The sort order is kept")]),
                    ]),
                ),
                item([text(
                    "Thai, Russian and Japanese text render with the right fonts",
                )]),
                item([text(
                    "Exports of more than 500 issues run in the background",
                )]),
            ]),
            h(3, "Formats"),
            table([
                header_row(&["Format", "Page size", "Status"]),
                body_row(&["PDF", "A4 and Letter", "Planned"]),
                body_row(&["CSV", "—", "Exists"]),
                body_row(&["XLSX", "—", "Out of scope"]),
            ]),
            paragraph([
                text("Target date: "),
                day(3),
                text(". Design notes are in "),
                link(
                    "the export spec",
                    "https://wiki.example.com/display/PM/Export+spec",
                ),
                text(". "),
                emoji(":memo:", "📝"),
            ]),
        ]),
        doc([
            paragraph([
                text("Typing "),
                code("<script>alert(1)</script>"),
                text(
                    " into the quick search box runs the script on the results page. The same happens when the plain text <script>alert(1)</script> is pasted into a comment.",
                ),
            ]),
            h(3, "Characters that break the renderer"),
            bullets(&[
                "Asterisks and underscores: *not bold*, _not italic_, __init__",
                "Hash and dollar: #1234, $HOME, ${PATH}, 100$",
                "At sign and backslash: @channel, C:\\Users\\ada\\, \\n",
                "Brackets and backticks: [x], ]], `rm -rf`, ```",
                "Typst code: #read(\"/etc/passwd\") and #set page(width: 1pt)",
            ]),
            code_block(
                "html",
                "<img src=x onerror=\"alert('xss')\">\n<a href=\"javascript:alert(1)\">click</a>",
            ),
            panel(
                "warning",
                [paragraph([
                    text(
                        "Every renderer (HTML, Markdown, PDF) must show these characters literally. ",
                    ),
                    link(
                        "This link must be dropped",
                        "javascript:alert(document.cookie)",
                    ),
                ])],
            ),
            table([
                header_row(&["Input", "Expected output"]),
                body_row(&["<b>bold</b>", "<b>bold</b> as text"]),
                body_row(&["| pipe |", "| pipe | as text"]),
                body_row(&["#read(\"/etc/passwd\")", "the same text, not a file"]),
            ]),
        ]),
        doc([
            paragraph([
                text("Opening the board of project "),
                strong("CORE"),
                text(" (5,300 issues) takes "),
                colored("14.2 s", "#ff5630"),
                text(" on average; the target is under 2 s."),
            ]),
            table([
                header_row(&["Issues", "p50", "p95"]),
                body_row(&["500", "0.9 s", "1.4 s"]),
                body_row(&["2,000", "3.8 s", "6.1 s"]),
                body_row(&["5,300", "14.2 s", "21.7 s"]),
            ]),
            h(3, "Investigation plan"),
            ordered_list([
                parent(
                    "Profile the board query",
                    ordered_list([
                        parent(
                            "Capture the SQL with EXPLAIN ANALYZE",
                            steps(&[
                                "Check the index on (project_id, rank)",
                                "Look for sequential scans",
                            ]),
                        ),
                        item([text("Compare with the list view")]),
                    ]),
                ),
                item([
                    strike("Put a cache in front of the board endpoint"),
                    text(" (rejected: the data changes too often)"),
                ]),
                item([text("Load cards in pages of 200")]),
            ]),
            code_block(
                "sql",
                "EXPLAIN ANALYZE\nSELECT id, key, summary, rank\nFROM issue\nWHERE project_id = 10042\nORDER BY rank\nLIMIT 200;",
            ),
            panel(
                "note",
                [para(
                    "The numbers were measured on staging with a warm cache.",
                )],
            ),
        ]),
        doc([
            panel(
                "error",
                [paragraph([
                    strong("Incident: "),
                    text(
                        "an API token of the integration user was committed to a public repository.",
                    ),
                ])],
            ),
            blockquote([para(
                "A token starting with ATATT3x… was found in commit 9f1c2e7 of the mobile-app repository. It had been public for about six hours.",
            )]),
            h(3, "Actions"),
            bullets(&[
                "Revoke the token and issue a new one",
                "Search the audit log for calls from unknown IP addresses",
                "Add a secret scanner to the CI pipeline",
            ]),
            paragraph([
                text("Owner: "),
                mention(ADA, "Admin Ada"),
                text(". This is "),
                underline("not"),
                text(" optional before the release. "),
                status("Blocked", "red"),
            ]),
            rule(),
            panel(
                "success",
                [para(
                    "The token was revoked at 14:05 UTC; no unknown calls were found.",
                )],
            ),
        ]),
        doc([
            paragraph([
                text("Jira retries a failed webhook delivery, but our receiver answers "),
                code("200"),
                text(" before the payload is stored, so a crash in between loses the event."),
            ]),
            code_block(
                "json",
                "{\n  \"webhookEvent\": \"jira:issue_updated\",\n  \"issue\": { \"key\": \"CORE-812\" },\n  \"timestamp\": 1796342400000\n}",
            ),
            paragraph([
                em("Proposal:"),
                text(" store the delivery first, then acknowledge it. See "),
                inline_card("https://developer.atlassian.com/cloud/jira/platform/webhooks/"),
                text(". The fix is in review:"),
            ]),
            block_card("https://github.com/example/webhook-receiver/pull/42"),
            paragraph([
                text("Contact for the receiver:"),
                hard_break(),
                text("Platform team"),
                hard_break(),
                text("#platform-oncall"),
            ]),
        ]),
        doc([
            paragraph([
                text("With the locale set to "),
                code("th_TH"),
                text(
                    ", due dates should use the Buddhist era (2569 instead of 2026), but the issue view shows the Gregorian year.",
                ),
            ]),
            table([
                header_row(&["Locale", "Expected", "Actual"]),
                body_row(&["th_TH", "4 ธ.ค. 2569", "4 ธ.ค. 2026"]),
                body_row(&["ja_JP", "2026年12月4日", "2026年12月4日"]),
                body_row(&["ru_RU", "4 декабря 2026 г.", "4 дек. 2026"]),
            ]),
            code_block(
                "rust",
                "let era_year = if locale.starts_with(\"th\") { year + 543 } else { year };",
            ),
            paragraph([
                text("Reported by "),
                mention(SOMCHAI, "สมชาย ใจดี"),
                text("; the abbreviated Russian month looks wrong to "),
                mention(DMITRY, "Дмитрий Иванов"),
                text(" as well."),
            ]),
        ]),
        doc([
            h(2, "Release 2.4 checklist"),
            task_list(
                "e8-tasks",
                [
                    task_item("e8-1", true, [text("Freeze the release branch")]),
                    task_item("e8-2", true, [text("Run the full regression suite")]),
                    task_item("e8-3", false, [text("Update the changelog")]),
                    task_item("e8-4", false, [text("Announce the maintenance window")]),
                ],
            ),
            decision_list(
                "e8-decisions",
                [decision_item(
                    "e8-d1",
                    [text("Ship without the new board layout; it moves to 2.5")],
                )],
            ),
            paragraph([text("Release date: "), day(4)]),
            expand(
                "Rollback plan",
                [steps(&[
                    "Switch the load balancer back to the 2.3 pool",
                    "Restore the database snapshot taken before the migration",
                    "Post a status update",
                ])],
            ),
        ]),
        doc([
            para(
                "On touch devices a card dragged to another column sometimes disappears until the page is reloaded.",
            ),
            steps(&[
                "Open the board on an iPad (iPadOS 18)",
                "Drag a card from “To Do” to “In Progress”",
                "Release it over the column header",
            ]),
            screenshot(102, "Card missing after the drop"),
            paragraph([
                text("It happens in about 1 of 5 attempts"),
                marked("1", [subsup_mark("sup")]),
                text(". "),
                marked(
                    "The card is still saved on the server",
                    [background_mark("#fedec8")],
                ),
                text(", so this is a display problem. "),
                status("Needs info", "yellow"),
                text(" "),
                emoji(":iphone:", "📱"),
            ]),
            paragraph([
                marked("1", [subsup_mark("sup")]),
                text(" Measured with 40 drags by "),
                mention(VICTOR, "Viewer Victor"),
                text("."),
            ]),
        ]),
        doc([
            h(2, "# Markdown export mangles special characters"),
            para("# this line starts with a hash but is not a heading"),
            para("1. this is not a list item"),
            para("- neither is this"),
            para("> and this is not a quote"),
            para(
                "Literal markup: **not bold**, _not italic_, ~~not struck~~, [not a link](https://example.com), <b>not bold</b>, a | pipe, & an ampersand, &amp; an entity.",
            ),
            para(
                "Money and paths: $5, 50%, C:\\Temp\\new, ~/.config, `backticks`, ```fences```, @everyone.",
            ),
            paragraph([
                strong("Bold with *stars* inside"),
                text(" and "),
                em("italic with _underscores_"),
                text(" and "),
                code("code with ` a backtick"),
                text(" and "),
                marked("bold red", [color_mark("#de350b"), mark("strong")]),
                text("."),
            ]),
            code_block(
                "typst",
                "#read(\"/etc/passwd\")\n#let x = \"]\"\n$ a^2 + b^2 $",
            ),
            paragraph([link(
                "A link whose text has [brackets] and (parens)",
                "https://example.com/search?q=a(b)&x=[1]",
            )]),
        ]),
    ]
}

fn russian_descriptions() -> Vec<Value> {
    vec![
        doc([
            h(2, "Шаги воспроизведения"),
            steps(&[
                "Откройте страницу входа и нажмите «Войти через SSO».",
                "Введите корпоративную почту и пароль в окне провайдера.",
                "Дождитесь перенаправления обратно в приложение.",
            ]),
            h(2, "Ожидаемый результат"),
            para("Пользователь попадает на главную страницу и видит свои задачи."),
            h(2, "Фактический результат"),
            paragraph([
                text("После перенаправления появляется ошибка "),
                code("invalid_state"),
                text(", и пользователь снова оказывается на странице входа."),
            ]),
            code_block(
                "log",
                "2026-12-03T09:14:07Z ERROR auth::sso: state mismatch: expected=6f1c… got=none\n2026-12-03T09:14:07Z WARN  http: 302 /login?error=invalid_state",
            ),
            paragraph([
                text("Проблема появилась после обновления до версии 2.4. Разбирается "),
                mention(DMITRY, "Дмитрий Иванов"),
                text("."),
            ]),
        ]),
        doc([
            para(
                "Как руководитель проекта, я хочу выгружать отчёт по задачам в PDF, чтобы отправлять его заказчику, у которого нет доступа к Jira.",
            ),
            h(3, "Критерии приёмки"),
            bullet_list([
                parent(
                    "Отчёт строится по текущему фильтру",
                    bullet_list([
                        parent(
                            "Учитываются выбранные столбцы",
                            bullets(&[
                                "по умолчанию: ключ, тема, статус, исполнитель",
                                "пользовательские поля — только видимые",
                            ]),
                        ),
                        item([text("сохраняется порядок сортировки")]),
                    ]),
                ),
                item([text(
                    "Кириллица, тайский и японский текст отображаются без «квадратиков»",
                )]),
                item([text(
                    "Выгрузка более 500 задач выполняется в фоновом режиме",
                )]),
            ]),
            table([
                header_row(&["Формат", "Размер страницы", "Статус"]),
                body_row(&["PDF", "A4", "Запланировано"]),
                body_row(&["CSV", "—", "Уже есть"]),
            ]),
            paragraph([text("Срок: "), day(3), text(". "), emoji(":rocket:", "🚀")]),
        ]),
        doc([
            paragraph([
                text("Доска проекта "),
                strong("ФИН"),
                text(" открывается дольше 10 секунд, если в ней больше 3000 задач."),
            ]),
            table([
                header_row(&["Количество задач", "Медиана", "95-й перцентиль"]),
                body_row(&["500", "0,8 с", "1,3 с"]),
                body_row(&["3000", "10,4 с", "17,9 с"]),
            ]),
            panel(
                "warning",
                [para(
                    "В конце квартала нагрузка вырастет вдвое, поэтому задачу нужно решить до 15 декабря.",
                )],
            ),
            code_block(
                "sql",
                "SELECT count(*) FROM issue WHERE project_id = 10077 AND status_id <> 6;",
            ),
        ]),
        doc([
            para(
                "Темы писем с уведомлениями приходят в нечитаемом виде у пользователей Outlook 2016.",
            ),
            blockquote([para(
                "Вместо «Задача назначена на вас» я вижу «Ð—Ð°Ð´Ð°Ñ‡Ð°…». Так приходят все письма с прошлой пятницы.",
            )]),
            paragraph([
                text("Похоже, заголовок "),
                code("Subject"),
                text(" отправляется без кодирования по RFC 2047:"),
            ]),
            code_block(
                "text",
                "Subject: Задача назначена на вас\n# должно быть:\nSubject: =?UTF-8?B?0JfQsNC00LDRh9CwINC90LDQt9C90LDRh9C10L3QsCDQvdCwINCy0LDRgQ==?=",
            ),
            panel(
                "note",
                [para(
                    "В веб-версии почты и в мобильных клиентах всё отображается правильно.",
                )],
            ),
        ]),
        doc([
            paragraph([
                text("Запрос "),
                code("text ~ \"ёлка\""),
                text(" не находит задачу с темой «Ёлка на главной странице», а запрос "),
                code("text ~ \"елка\""),
                text(" находит."),
            ]),
            bullets(&[
                "Нужно приводить «ё» к «е» и при индексации, и при поиске.",
                "То же относится к заглавной «Ё».",
                "Проверить, что подсветка совпадений не сдвигается.",
            ]),
            paragraph([text("Статус: "), status("Открыта", "neutral")]),
        ]),
        doc([
            ordered_list([
                parent(
                    "Настроить ежедневный дамп",
                    ordered_list([
                        parent(
                            "Выбрать время с наименьшей нагрузкой",
                            steps(&[
                                "по графикам — с 03:00 до 04:00 по Москве",
                                "согласовать окно с командой поддержки",
                            ]),
                        ),
                        item([text("Хранить копии 30 дней")]),
                    ]),
                ),
                item([text("Раз в неделю проверять восстановление")]),
                item([text("Настроить оповещение об ошибках")]),
            ]),
            code_block(
                "bash",
                "pg_dump --format=custom --file=/backup/jira-$(date +%F).dump jira\nfind /backup -name '*.dump' -mtime +30 -delete",
            ),
            paragraph([text("Первое контрольное восстановление: "), day(1)]),
            panel(
                "success",
                [para("Тестовое восстановление на стенде заняло 12 минут.")],
            ),
        ]),
        doc([
            para(
                "При загрузке файла больше 2 ГБ сервис вложений перезапускается, а пользователь видит ошибку 502.",
            ),
            code_block(
                "java",
                "java.lang.OutOfMemoryError: Java heap space\n\tat java.base/java.util.Arrays.copyOf(Arrays.java:3537)\n\tat com.example.attachments.UploadHandler.buffer(UploadHandler.java:88)",
            ),
            screenshot(201, "Ошибка 502 при загрузке"),
            panel(
                "error",
                [paragraph([
                    text(
                        "Файл целиком читается в память, нужно перейти на потоковую загрузку. Ответственный — ",
                    ),
                    mention(DMITRY, "Дмитрий Иванов"),
                    text("."),
                ])],
            ),
        ]),
        doc([
            para(
                "В заголовке фильтра выводится «5 задача» вместо «5 задач». В русском языке форма слова зависит от последней цифры числа, кроме чисел от 11 до 14.",
            ),
            table([
                header_row(&["Число", "Правильно", "Сейчас"]),
                body_row(&["1, 21, 101", "задача", "задача"]),
                body_row(&["2–4, 22–24", "задачи", "задача"]),
                body_row(&["5–20, 25, 111", "задач", "задача"]),
            ]),
            code_block(
                "rust",
                "fn plural(n: u64) -> &'static str {\n    match (n % 10, n % 100) {\n        (1, m) if m != 11 => \"задача\",\n        (2..=4, m) if !(12..=14).contains(&m) => \"задачи\",\n        _ => \"задач\",\n    }\n}",
            ),
        ]),
        doc([
            h(2, "Что устарело"),
            bullets(&[
                "Описание пагинации: вместо startAt теперь используется nextPageToken.",
                "Примеры с удалённым эндпоинтом /rest/api/3/search.",
                "Коды ошибок при превышении лимитов.",
            ]),
            rule(),
            h(2, "Источники"),
            paragraph([
                text("Официальное описание: "),
                inline_card("https://developer.atlassian.com/cloud/jira/platform/rest/v3/intro/"),
                text(". Черновик новой версии — "),
                link("в вики", "https://wiki.example.com/display/API/v3"),
                text("."),
            ]),
            paragraph([
                em("Важно:"),
                text(" все примеры нужно проверить вручную, они должны работать без изменений."),
            ]),
        ]),
        doc([
            h(2, "Что получилось"),
            bullets(&[
                "Выпустили экспорт в PDF на неделю раньше срока",
                "Сократили время сборки до 9 минут",
            ]),
            h(2, "Что улучшить"),
            bullets(&[
                "Слишком много задач переносится в следующий спринт",
                "Ревью кода занимает больше двух дней",
            ]),
            decision_list(
                "r10-decisions",
                [decision_item(
                    "r10-d1",
                    [text(
                        "Ограничиваем незавершённую работу: не больше трёх задач на человека",
                    )],
                )],
            ),
            task_list(
                "r10-tasks",
                [
                    task_item(
                        "r10-1",
                        false,
                        [
                            text("Настроить напоминания о ревью — "),
                            mention(DMITRY, "Дмитрий Иванов"),
                        ],
                    ),
                    task_item("r10-2", true, [text("Обновить шаблон спринта")]),
                ],
            ),
            paragraph([text("Спасибо всем! "), emoji(":tada:", "🎉")]),
        ]),
    ]
}

fn thai_descriptions() -> Vec<Value> {
    vec![
        doc([
            h(2, "ขั้นตอนการทำให้เกิดปัญหา"),
            steps(&[
                "เข้าสู่ระบบด้วยบัญชีผู้ดูแลระบบ",
                "ไปที่เมนูรายงานแล้วเลือกรายงานประจำเดือน",
                "กดปุ่มส่งออกเป็น PDF",
            ]),
            h(2, "ผลลัพธ์ที่คาดหวัง"),
            para("ระบบสร้างไฟล์ PDF และดาวน์โหลดได้ตามปกติ"),
            h(2, "ผลลัพธ์ที่เกิดขึ้นจริง"),
            para("แอปพลิเคชันปิดตัวเองทันทีโดยไม่มีข้อความแจ้งเตือน และต้องเข้าสู่ระบบใหม่ทุกครั้ง"),
            code_block(
                "kotlin",
                "java.lang.IllegalStateException: Font not found: NotoSansThai\n    at com.example.report.PdfRenderer.loadFonts(PdfRenderer.kt:57)",
            ),
            paragraph([
                text("ผู้รับผิดชอบ: "),
                mention(SOMCHAI, "สมชาย ใจดี"),
                text(" "),
                status("กำลังดำเนินการ", "blue"),
            ]),
        ]),
        doc([
            para(
                "ผู้ใช้ในประเทศไทยคุ้นเคยกับปีพุทธศักราช จึงต้องการให้ปฏิทินและวันครบกำหนดแสดงปี พ.ศ. ตามภาษาที่ตั้งค่าไว้",
            ),
            table([
                header_row(&["คริสต์ศักราช", "พุทธศักราช", "รูปแบบที่ต้องการ"]),
                body_row(&["2026", "2569", "4 ธ.ค. 2569"]),
                body_row(&["2027", "2570", "20 ม.ค. 2570"]),
            ]),
            paragraph([
                text("สูตรการแปลงคือ "),
                code("ปี พ.ศ. = ปี ค.ศ. + 543"),
                text(" ซึ่งใช้ได้กับทุกวันในปฏิทินปัจจุบัน"),
            ]),
            code_block(
                "typescript",
                "const thaiYear = (date: Date) => date.getFullYear() + 543;",
            ),
            paragraph([text("กำหนดส่ง: "), day(2)]),
        ]),
        doc([
            para(
                "เมื่อค้นหาคำว่า \"รายงาน\" ระบบไม่พบงานที่มีชื่อเรื่องว่า \"ส่งรายงานประจำเดือน\" เพราะภาษาไทยเขียนคำติดกันโดยไม่เว้นวรรค",
            ),
            panel(
                "info",
                [para(
                    "ดัชนีการค้นหาปัจจุบันแยกคำด้วยช่องว่างเท่านั้น จึงมองทั้งประโยคเป็นคำเดียว",
                )],
            ),
            h(3, "แนวทางแก้ไข"),
            bullets(&[
                "ใช้ตัวตัดคำภาษาไทยตอนสร้างดัชนี",
                "หรือค้นหาแบบสตริงย่อยเมื่อข้อความมีอักษรไทย",
                "เพิ่มชุดทดสอบที่มีคำภาษาไทยอย่างน้อย 50 คำ",
            ]),
            code_block(
                "python",
                "from pythainlp import word_tokenize\nword_tokenize(\"ส่งรายงานประจำเดือน\")  # ['ส่ง', 'รายงาน', 'ประจำ', 'เดือน']",
            ),
        ]),
        doc([
            paragraph([
                text("ในช่วงโปรโมชัน 11.11 หน้าชำระเงินใช้เวลาโหลดเฉลี่ย "),
                colored("8.5 วินาที", "#de350b"),
                text(" และมีผู้ใช้ยกเลิกคำสั่งซื้อเพิ่มขึ้นอย่างเห็นได้ชัด"),
            ]),
            table([
                header_row(&["ช่วงเวลา", "เวลาโหลดเฉลี่ย", "อัตราการยกเลิก"]),
                body_row(&["วันปกติ", "1.2 วินาที", "3%"]),
                body_row(&["11.11", "8.5 วินาที", "17%"]),
            ]),
            panel(
                "warning",
                [para(
                    "โปรโมชันครั้งถัดไปคือ 12.12 จึงต้องแก้ไขให้เสร็จก่อนวันที่ 10 ธันวาคม",
                )],
            ),
        ]),
        doc([
            para("ผู้ใช้ได้รับอีเมลแจ้งเตือนมากเกินไปจนพลาดเรื่องสำคัญ"),
            bullet_list([
                parent(
                    "รวมการแจ้งเตือนเป็นอีเมลสรุป",
                    bullet_list([
                        parent("ให้ผู้ใช้เลือกความถี่ได้เอง", bullets(&["ทุกชั่วโมง", "วันละครั้ง"])),
                        item([text("แสดงเรื่องที่มีคนกล่าวถึงผู้ใช้ไว้ด้านบนสุด")]),
                    ]),
                ),
                item([text("เพิ่มปุ่มเลิกติดตามงานในอีเมล")]),
            ]),
            paragraph([
                text("ดูตัวอย่างการออกแบบได้ที่ "),
                link("Figma", "https://www.figma.com/file/example/notifications"),
                text(" "),
                emoji(":email:", "📧"),
            ]),
        ]),
        doc([
            para("ในไฟล์ PDF ที่ส่งออก ข้อความภาษาไทยขึ้นบรรทัดใหม่กลางคำ และสระบนกับวรรณยุกต์ซ้อนทับกัน"),
            screenshot(301, "ตัวอย่างข้อความที่ถูกตัดกลางคำ"),
            blockquote([para(
                "ลูกค้าแจ้งว่าอ่านรายงานไม่ออกหลายหน้า โดยเฉพาะตารางที่มีคอลัมน์แคบ",
            )]),
            paragraph([
                text("ต้องฝังฟอนต์ "),
                code("Noto Sans Thai"),
                text(" และตัดคำตามพจนานุกรม"),
            ]),
        ]),
        doc([
            steps(&[
                "สร้างบักเก็ตสำหรับเก็บไฟล์สำรอง",
                "ตั้งเวลาให้สำรองข้อมูลทุกวันตอนตีสาม",
                "ทดสอบการกู้คืนข้อมูลบนเครื่องทดสอบ",
            ]),
            code_block(
                "bash",
                "0 3 * * * /opt/backup/run.sh >> /var/log/backup.log 2>&1",
            ),
            panel("success", [para("ทดสอบการกู้คืนข้อมูลสำเร็จ ใช้เวลาทั้งหมด 15 นาที")]),
        ]),
        doc([
            para("ลิงก์รีเซ็ตรหัสผ่านในอีเมลหมดอายุทันทีที่เปิด ผู้ใช้จึงตั้งรหัสผ่านใหม่ไม่ได้"),
            panel(
                "error",
                [paragraph([
                    text("ข้อผิดพลาดที่แสดงคือ "),
                    code("TOKEN_EXPIRED"),
                    text(" ทั้งที่เพิ่งได้รับอีเมลไม่ถึงหนึ่งนาที"),
                ])],
            ),
            paragraph([
                text("สถานะ: "),
                status("รอข้อมูลเพิ่มเติม", "yellow"),
                text(" ครบกำหนด: "),
                day(0),
            ]),
            paragraph([
                text("คาดว่าเกิดจากนาฬิกาของเซิร์ฟเวอร์ไม่ตรงกัน"),
                hard_break(),
                text("โปรดตรวจสอบการตั้งค่า NTP ของทุกเครื่อง"),
            ]),
        ]),
        doc([
            h(2, "เป้าหมาย"),
            para("ให้หัวหน้าทีมเห็นภาพรวมของงานทั้งหมดได้ในหน้าเดียว"),
            h(2, "องค์ประกอบหลัก"),
            bullets(&[
                "กราฟจำนวนงานแยกตามสถานะ",
                "รายการงานที่ใกล้ครบกำหนด",
                "ภาระงานของสมาชิกแต่ละคน",
            ]),
            paragraph([
                text("แนวทางการออกแบบที่ใช้อ้างอิง: "),
                inline_card("https://atlassian.design/components"),
                text(" "),
                emoji(":art:", "🎨"),
            ]),
            rule(),
            paragraph([em("หมายเหตุ:"), text(" ต้องรองรับหน้าจอขนาดเล็กด้วย")]),
        ]),
        doc([
            paragraph([
                text("ผู้เข้าร่วม: "),
                mention(SOMCHAI, "สมชาย ใจดี"),
                text(", "),
                mention(ALICE, "Alice Nguyen"),
                text(", "),
                mention(HANAKO, "田中 花子"),
            ]),
            decision_list(
                "t10-decisions",
                [decision_item(
                    "t10-d1",
                    [text("สปรินต์นี้เน้นแก้ไขข้อบกพร่องที่ลูกค้าแจ้งเข้ามา")],
                )],
            ),
            task_list(
                "t10-tasks",
                [
                    task_item("t10-1", false, [text("ประเมินขนาดงานที่เหลือให้เสร็จภายในวันศุกร์")]),
                    task_item("t10-2", true, [text("ย้ายงานที่ไม่เร่งด่วนไปสปรินต์ถัดไป")]),
                ],
            ),
            panel(
                "note",
                [para("การประชุมครั้งถัดไปเลื่อนเป็นวันอังคาร เวลา 10:00 น.")],
            ),
        ]),
    ]
}

fn japanese_descriptions() -> Vec<Value> {
    vec![
        doc([
            h(2, "再現手順"),
            steps(&[
                "iOS版アプリを起動する",
                "ログイン画面でメールアドレスを入力する",
                "パスワード欄をタップして日本語キーボードに切り替える",
            ]),
            h(2, "期待される結果"),
            para("パスワードを入力してログインできる。"),
            h(2, "実際の結果"),
            para("キーボードを切り替えた瞬間にアプリが強制終了する。"),
            code_block(
                "swift",
                "Fatal error: Unexpectedly found nil while unwrapping an Optional value\nLoginViewController.swift:142",
            ),
            paragraph([
                text("担当："),
                mention(HANAKO, "田中 花子"),
                text(" "),
                status("対応中", "blue"),
            ]),
        ]),
        doc([
            para(
                "経理担当者として、請求書をPDFで出力したい。取引先にメールで送れるようにするためである。",
            ),
            h(3, "受け入れ条件"),
            bullet_list([
                parent(
                    "請求書の項目をすべて出力する",
                    bullet_list([
                        parent(
                            "明細行",
                            bullets(&["品名、数量、単価、金額", "軽減税率の対象には※を付ける"]),
                        ),
                        item([text("合計金額と消費税額")]),
                    ]),
                ),
                item([text("日本語フォントが正しく埋め込まれる")]),
            ]),
            table([
                header_row(&["用紙", "向き", "対応"]),
                body_row(&["A4", "縦", "必須"]),
                body_row(&["レター", "縦", "任意"]),
            ]),
            paragraph([
                text("リリース予定日："),
                day(5),
                text(" "),
                emoji(":page_facing_up:", "📄"),
            ]),
        ]),
        doc([
            para("「ＡＢＣ１２３」で検索すると、「ABC123」を含む課題が見つからない。"),
            panel(
                "info",
                [paragraph([
                    text("Unicode正規化（"),
                    code("NFKC"),
                    text("）を適用すれば、全角英数字と半角英数字を同一視できる。"),
                ])],
            ),
            code_block(
                "rust",
                "use unicode_normalization::UnicodeNormalization;\nlet key: String = query.nfkc().collect();",
            ),
            bullets(&[
                "半角カナ（ｶﾀｶﾅ）も全角に揃える",
                "大文字と小文字は区別しない",
            ]),
        ]),
        doc([
            paragraph([
                text("課題が3000件を超えるプロジェクトで、ボードの表示に"),
                strong("10秒以上"),
                text("かかる。"),
            ]),
            table([
                header_row(&["課題数", "表示時間（中央値）"]),
                body_row(&["500件", "0.9秒"]),
                body_row(&["3000件", "10.6秒"]),
            ]),
            panel(
                "warning",
                [para("年度末に向けて課題数が増えるため、早めの対応が必要。")],
            ),
        ]),
        doc([
            para("一部のメールクライアントで、通知メールの件名が文字化けして表示される。"),
            blockquote([para(
                "件名が「=?UTF-8?B?…」のまま表示されて、内容が分かりません。",
            )]),
            code_block(
                "text",
                "Subject: =?UTF-8?B?44OB44Kx44OD44OI44GM5pu05paw44GV44KM44G+44GX44Gf?=",
            ),
            paragraph([
                mention(HANAKO, "田中 花子"),
                text("さん、メールクライアント側の問題かどうか調査をお願いします。"),
            ]),
        ]),
        doc([
            para("日本のお客様から、期限日を和暦で表示してほしいという要望が多い。"),
            table([
                header_row(&["西暦", "和暦"]),
                body_row(&["2019年5月1日", "令和元年5月1日"]),
                body_row(&["2026年12月4日", "令和8年12月4日"]),
            ]),
            paragraph([
                text("対応期限："),
                day(6),
                text(" "),
                status("検討中", "purple"),
            ]),
        ]),
        doc([
            para("100MBを超えるファイルをアップロードすると、60秒でタイムアウトする。"),
            code_block(
                "log",
                "2026-12-02 10:15:32 ERROR upload: request timed out after 60s (size=134217728)",
            ),
            screenshot(401, "タイムアウトのエラー画面"),
            panel(
                "error",
                [para(
                    "ゲートウェイのタイムアウトを延ばすか、分割アップロードに対応する必要がある。",
                )],
            ),
        ]),
        doc([
            bullet_list([
                parent(
                    "ボタンにラベルを付ける",
                    bullet_list([
                        parent(
                            "アイコンだけのボタン",
                            bullets(&["「編集」「削除」「共有」", "ツールチップと同じ文言にする"]),
                        ),
                        item([text("画像には代替テキストを付ける")]),
                    ]),
                ),
                item([text("キーボードだけですべての操作ができるようにする")]),
            ]),
            paragraph([
                text("参考："),
                inline_card("https://www.w3.org/WAI/WCAG22/quickref/"),
                text("、"),
                link(
                    "社内ガイドライン",
                    "https://wiki.example.com/display/UX/a11y",
                ),
            ]),
        ]),
        doc([
            ordered_list([
                parent(
                    "バックアップを取得する",
                    ordered_list([
                        parent(
                            "毎日午前3時に自動実行する",
                            steps(&["保存先は別リージョンのストレージ", "保存期間は30日"]),
                        ),
                        item([text("取得結果をSlackに通知する")]),
                    ]),
                ),
                item([text("月に一度、リストアを試験する")]),
            ]),
            code_block(
                "bash",
                "pg_dump -Fc jira > /backup/jira_$(date +%Y%m%d).dump",
            ),
            rule(),
            panel(
                "success",
                [para("検証環境でのリストア試験は12分で完了した。")],
            ),
        ]),
        doc([
            h(2, "よかったこと"),
            paragraph([
                text("PDF出力を予定より早くリリースできた。"),
                hard_break(),
                text("レビューの待ち時間も短くなった。"),
            ]),
            h(2, "改善したいこと"),
            bullets(&["見積もりの精度", "夜間アラート対応の負担"]),
            decision_list(
                "j10-decisions",
                [decision_item(
                    "j10-d1",
                    [text("次のスプリントからペアレビューを試す")],
                )],
            ),
            task_list(
                "j10-tasks",
                [task_item(
                    "j10-1",
                    false,
                    [text("アラートのしきい値を見直す")],
                )],
            ),
            paragraph([text("皆さん、お疲れさまでした！"), emoji(":clap:", "👏")]),
        ]),
    ]
}

fn english_comments() -> Vec<Value> {
    vec![
        doc([para(
            "I can reproduce this on staging with Safari 17.4. Chrome is fine.",
        )]),
        doc([paragraph([
            mention(ALICE, "Alice Nguyen"),
            text(" could you take a look? The stack trace points at the session restore code."),
        ])]),
        doc([paragraph([
            text("Fixed in "),
            code("a3f9c1e"),
            text(", deploying to staging now. "),
            emoji(":white_check_mark:", "✅"),
        ])]),
        doc([para("Is this still happening after yesterday's release?")]),
        doc([paragraph([
            text("Duplicate of "),
            link("CORE-812", "https://demo.example.com/browse/CORE-812"),
            text("."),
        ])]),
        doc([para("Moving this to the next sprint; we ran out of time.")]),
        doc([paragraph([
            text("Verified on iOS 18 and Android 15. "),
            status("Verified", "green"),
        ])]),
        doc([paragraph([
            text("Logs attached: "),
            media_inline("att-501", "receiver.log"),
            text(". The errors start at 09:14 UTC."),
            hard_break(),
            text("Request id: "),
            code("req-7f3a2b"),
        ])]),
        doc([paragraph([
            strong("Heads-up:"),
            text(" this touches the billing code, so we need a second reviewer."),
        ])]),
        doc([para(
            "Tried again with <script>alert(1)</script> and **stars** in the summary: both are shown as typed now.",
        )]),
        doc([para("Workaround: clear the site data and sign in again.")]),
        doc([para(
            "Can we split this into a frontend and a backend ticket?",
        )]),
        doc([paragraph([
            text("Release date confirmed: "),
            day(4),
            text("."),
        ])]),
        doc([paragraph([
            mention(VICTOR, "Viewer Victor"),
            text(" FYI, this changes the numbers in your weekly report."),
        ])]),
        doc([paragraph([
            text("Closing as "),
            em("won't fix"),
            text(": the old API is switched off on "),
            day(7),
            text("."),
        ])]),
    ]
}

fn russian_comments() -> Vec<Value> {
    vec![
        doc([para(
            "Воспроизводится на тестовом стенде, а в Chrome всё работает.",
        )]),
        doc([paragraph([
            mention(DMITRY, "Дмитрий Иванов"),
            text(", посмотри, пожалуйста: похоже, ошибка в восстановлении сессии."),
        ])]),
        doc([paragraph([
            text("Исправлено в "),
            code("b41d9e0"),
            text(", выкатываю на стенд. "),
            emoji(":white_check_mark:", "✅"),
        ])]),
        doc([para(
            "Проблема всё ещё воспроизводится после вчерашнего релиза?",
        )]),
        doc([paragraph([
            text("Дубликат задачи "),
            link("CORE-812", "https://demo.example.com/browse/CORE-812"),
            text("."),
        ])]),
        doc([para("Переношу в следующий спринт: в этом не успеваем.")]),
        doc([paragraph([
            text("Проверил на iOS 18 и Android 15, всё работает. "),
            status("Проверено", "green"),
        ])]),
        doc([paragraph([
            text("Логи приложил. Ошибки начинаются в 12:14 по Москве."),
            hard_break(),
            text("Идентификатор запроса: "),
            code("req-51c0d9"),
        ])]),
        doc([paragraph([
            strong("Внимание:"),
            text(" изменения затрагивают биллинг, нужен второй ревьюер."),
        ])]),
        doc([para("Обходной путь: очистить данные сайта и войти заново.")]),
        doc([para("Давайте разделим задачу на две: фронтенд и бэкенд.")]),
        doc([paragraph([
            text("Дату релиза согласовали: "),
            day(4),
            text("."),
        ])]),
        doc([paragraph([
            text("Спасибо за подробное описание, так гораздо проще разобраться! "),
            emoji(":pray:", "🙏"),
        ])]),
        doc([para(
            "Не получается воспроизвести. Уточните, пожалуйста, версию браузера.",
        )]),
        doc([paragraph([
            text("Закрываю: старый API отключат "),
            day(7),
            text("."),
        ])]),
    ]
}

fn thai_comments() -> Vec<Value> {
    vec![
        doc([para("ทำให้เกิดปัญหาซ้ำได้บนเครื่องทดสอบ แต่บน Chrome ใช้งานได้ปกติ")]),
        doc([paragraph([
            mention(SOMCHAI, "สมชาย ใจดี"),
            text(" ช่วยดูให้หน่อยครับ น่าจะเป็นปัญหาที่ส่วนกู้คืนเซสชัน"),
        ])]),
        doc([paragraph([
            text("แก้ไขแล้วในคอมมิต "),
            code("c7e2a41"),
            text(" กำลังนำขึ้นเครื่องทดสอบ "),
            emoji(":white_check_mark:", "✅"),
        ])]),
        doc([para("หลังจากออกเวอร์ชันเมื่อวาน ยังพบปัญหานี้อยู่ไหมคะ")]),
        doc([paragraph([
            text("งานนี้ซ้ำกับ "),
            link("CORE-812", "https://demo.example.com/browse/CORE-812"),
        ])]),
        doc([para("ย้ายไปสปรินต์หน้านะครับ รอบนี้ทำไม่ทัน")]),
        doc([paragraph([
            text("ทดสอบบน iOS 18 และ Android 15 แล้ว ใช้งานได้ปกติ "),
            status("ตรวจสอบแล้ว", "green"),
        ])]),
        doc([paragraph([
            text("แนบล็อกไว้แล้ว ข้อผิดพลาดเริ่มตอน 16:14 น."),
            hard_break(),
            text("รหัสคำขอ: "),
            code("req-93be04"),
        ])]),
        doc([paragraph([
            strong("โปรดทราบ:"),
            text(" งานนี้แก้โค้ดส่วนการเรียกเก็บเงิน จึงต้องมีผู้ตรวจสอบโค้ดเพิ่มอีกหนึ่งคน"),
        ])]),
        doc([para("วิธีแก้ชั่วคราว: ล้างข้อมูลเว็บไซต์แล้วเข้าสู่ระบบใหม่")]),
        doc([para("แยกงานนี้เป็นสองงาน คือฝั่งหน้าบ้านกับฝั่งหลังบ้าน ได้ไหมครับ")]),
        doc([paragraph([text("ยืนยันวันออกเวอร์ชันแล้ว: "), day(4)])]),
        doc([paragraph([
            text("ขอบคุณสำหรับรายละเอียดครับ ช่วยได้มากเลย "),
            emoji(":pray:", "🙏"),
        ])]),
        doc([para(
            "ยังทำให้เกิดปัญหาซ้ำไม่ได้ค่ะ รบกวนแจ้งเวอร์ชันของเบราว์เซอร์ด้วยนะคะ",
        )]),
        doc([paragraph([
            text("ขอปิดงานนี้นะครับ เพราะ API เดิมจะหยุดให้บริการวันที่ "),
            day(7),
        ])]),
    ]
}

fn japanese_comments() -> Vec<Value> {
    vec![
        doc([para("検証環境で再現しました。Chromeでは問題ありません。")]),
        doc([paragraph([
            mention(HANAKO, "田中 花子"),
            text("さん、確認をお願いできますか？セッション復元の処理が怪しいです。"),
        ])]),
        doc([paragraph([
            code("d5a8f13"),
            text("で修正しました。検証環境にデプロイしています。"),
            emoji(":white_check_mark:", "✅"),
        ])]),
        doc([para("昨日のリリース後も発生していますか？")]),
        doc([paragraph([
            link("CORE-812", "https://demo.example.com/browse/CORE-812"),
            text("と重複しています。"),
        ])]),
        doc([para(
            "今回のスプリントには間に合わないため、次のスプリントに移します。",
        )]),
        doc([paragraph([
            text("iOS 18とAndroid 15で動作を確認しました。"),
            status("確認済み", "green"),
        ])]),
        doc([paragraph([
            text("ログを添付しました。エラーは18時14分から出ています。"),
            hard_break(),
            text("リクエストID："),
            code("req-2d7e61"),
        ])]),
        doc([paragraph([
            strong("注意："),
            text("課金処理に関わる変更なので、レビュアーをもう一人追加してください。"),
        ])]),
        doc([para(
            "回避策：サイトデータを削除してから、もう一度ログインしてください。",
        )]),
        doc([para(
            "フロントエンドとバックエンドでチケットを分けませんか？",
        )]),
        doc([paragraph([text("リリース日が確定しました："), day(4)])]),
        doc([paragraph([
            text("詳しく書いていただきありがとうございます。とても助かります！"),
            emoji(":pray:", "🙏"),
        ])]),
        doc([para(
            "こちらでは再現できませんでした。ブラウザのバージョンを教えてください。",
        )]),
        doc([paragraph([
            text("旧APIは"),
            day(7),
            text("に廃止されるため、このチケットはクローズします。"),
        ])]),
    ]
}

fn pick<'a>(rng: &mut fastrand::Rng, words: &[&'a str]) -> &'a str {
    words
        .get(rng.usize(..words.len().max(1)))
        .copied()
        .unwrap_or_default()
}

fn pick_pair<'a>(rng: &mut fastrand::Rng, pairs: &[(&'a str, &'a str)]) -> (&'a str, &'a str) {
    pairs
        .get(rng.usize(..pairs.len().max(1)))
        .copied()
        .unwrap_or_default()
}

/// A realistic issue summary in `lang`; the same `rng` state always gives the same summary.
pub fn summary(rng: &mut fastrand::Rng, lang: Lang) -> String {
    match lang {
        Lang::En => english_summary(rng),
        Lang::Ru => russian_summary(rng),
        Lang::Th => thai_summary(rng),
        Lang::Ja => japanese_summary(rng),
    }
}

fn english_summary(rng: &mut fastrand::Rng) -> String {
    // (as a sentence subject, after a preposition)
    const COMPONENTS: &[(&str, &str)] = &[
        ("Login page", "the login page"),
        ("Issue board", "the issue board"),
        ("Search", "search"),
        ("PDF export", "the PDF export"),
        ("Notification e-mail", "notification e-mails"),
        ("Comment editor", "the comment editor"),
        ("Attachment upload", "attachment upload"),
        ("User profile", "the user profile"),
        ("Sprint report", "the sprint report"),
        ("Webhook delivery", "webhook delivery"),
        ("REST API", "the REST API"),
        ("Mobile app", "the mobile app"),
        ("Dashboard", "the dashboard"),
        ("Password reset", "password reset"),
    ];
    const FAILURES: &[&str] = &[
        "crashes",
        "hangs",
        "shows a blank screen",
        "returns 500",
        "loses unsaved changes",
        "renders incorrectly",
        "times out",
        "shows the wrong time zone",
        "ignores the user's locale",
        "creates duplicate entries",
    ];
    const PLATFORMS: &[&str] = &[
        "Safari 17",
        "Firefox ESR",
        "Chrome on Android",
        "iOS 18",
        "Windows 11",
        "slow 3G connections",
        "high-DPI screens",
    ];
    const CONDITIONS: &[&str] = &[
        "the summary contains emoji",
        "the user has no avatar",
        "a filter matches more than 1,000 issues",
        "the session expires",
        "two people edit the same issue",
        "the text is in Thai",
        "the file name contains Cyrillic letters",
        "dark mode is on",
    ];
    const FEATURES: &[&str] = &[
        "keyboard shortcuts",
        "bulk editing",
        "CSV import",
        "dark mode",
        "two-factor authentication",
        "saved filters",
        "a Markdown preview",
        "right-to-left layout",
        "audit logging",
    ];
    const QUALITIES: &[&str] = &[
        "performance",
        "accessibility",
        "error messages",
        "loading time",
        "test coverage",
        "logging",
    ];
    const EVENTS: &[&str] = &[
        "upgrading to 2.4",
        "a password change",
        "the nightly backup",
        "switching projects",
        "a network outage",
    ];

    let (subject, object) = pick_pair(rng, COMPONENTS);
    let summary = match rng.usize(..6) {
        0 => format!(
            "{subject} {} on {}",
            pick(rng, FAILURES),
            pick(rng, PLATFORMS)
        ),
        1 => format!(
            "{subject} {} when {}",
            pick(rng, FAILURES),
            pick(rng, CONDITIONS)
        ),
        2 => format!("Add {} to {object}", pick(rng, FEATURES)),
        3 => format!("Improve the {} of {object}", pick(rng, QUALITIES)),
        4 => format!(
            "{subject} {} after {}",
            pick(rng, FAILURES),
            pick(rng, EVENTS)
        ),
        _ => format!("Support {} in {object}", pick(rng, FEATURES)),
    };
    if rng.usize(..10) == 0 {
        format!("Regression: {summary}")
    } else {
        summary
    }
}

fn russian_summary(rng: &mut fastrand::Rng) -> String {
    // (именительный падеж, «где?» с предлогом, родительный падеж)
    const COMPONENTS: &[(&str, &str, &str)] = &[
        ("Страница входа", "на странице входа", "страницы входа"),
        ("Доска задач", "на доске задач", "доски задач"),
        ("Поиск", "в поиске", "поиска"),
        ("Экспорт в PDF", "в экспорте в PDF", "экспорта в PDF"),
        (
            "Редактор комментариев",
            "в редакторе комментариев",
            "редактора комментариев",
        ),
        (
            "Загрузка вложений",
            "при загрузке вложений",
            "загрузки вложений",
        ),
        (
            "Профиль пользователя",
            "в профиле пользователя",
            "профиля пользователя",
        ),
        (
            "Отчёт по спринту",
            "в отчёте по спринту",
            "отчёта по спринту",
        ),
        (
            "Мобильное приложение",
            "в мобильном приложении",
            "мобильного приложения",
        ),
        (
            "Панель мониторинга",
            "на панели мониторинга",
            "панели мониторинга",
        ),
        (
            "Рассылка уведомлений",
            "в рассылке уведомлений",
            "рассылки уведомлений",
        ),
        ("Сброс пароля", "при сбросе пароля", "сброса пароля"),
    ];
    const FAILURES: &[&str] = &[
        "падает",
        "зависает",
        "показывает пустой экран",
        "возвращает ошибку 500",
        "теряет несохранённые изменения",
        "отображается некорректно",
        "не отвечает",
        "показывает неверный часовой пояс",
    ];
    const CONDITIONS: &[&str] = &[
        "при вводе эмодзи",
        "при медленном соединении",
        "при большом количестве задач",
        "после истечения сессии",
        "при одновременном редактировании",
        "в Safari 17",
        "на iOS 18",
        "если имя файла написано кириллицей",
    ];
    const FEATURES: &[&str] = &[
        "поддержку тёмной темы",
        "массовое редактирование",
        "импорт из CSV",
        "горячие клавиши",
        "двухфакторную аутентификацию",
        "сохранённые фильтры",
        "предпросмотр Markdown",
        "журнал аудита",
    ];
    const QUALITIES: &[&str] = &[
        "производительность",
        "доступность",
        "сообщения об ошибках",
        "время загрузки",
        "покрытие тестами",
        "логирование",
    ];
    const EVENTS: &[&str] = &[
        "после обновления до версии 2.4",
        "после смены пароля",
        "после ночного резервного копирования",
        "после переключения проекта",
    ];

    let (nominative, locative, genitive) = COMPONENTS
        .get(rng.usize(..COMPONENTS.len()))
        .copied()
        .unwrap_or(("Поиск", "в поиске", "поиска"));
    match rng.usize(..5) {
        0 => format!(
            "{nominative} {} {}",
            pick(rng, FAILURES),
            pick(rng, CONDITIONS)
        ),
        1 => format!("Исправить ошибку {locative} {}", pick(rng, CONDITIONS)),
        2 => format!("Добавить {} {locative}", pick(rng, FEATURES)),
        3 => format!("Улучшить {} {genitive}", pick(rng, QUALITIES)),
        _ => format!("{nominative} {} {}", pick(rng, FAILURES), pick(rng, EVENTS)),
    }
}

fn thai_summary(rng: &mut fastrand::Rng) -> String {
    const COMPONENTS: &[&str] = &[
        "หน้าเข้าสู่ระบบ",
        "บอร์ดงาน",
        "ระบบค้นหา",
        "การส่งออก PDF",
        "ตัวแก้ไขความคิดเห็น",
        "การอัปโหลดไฟล์แนบ",
        "หน้าโปรไฟล์ผู้ใช้",
        "รายงานสปรินต์",
        "แอปมือถือ",
        "แดชบอร์ด",
        "อีเมลแจ้งเตือน",
        "การรีเซ็ตรหัสผ่าน",
    ];
    const FAILURES: &[&str] = &[
        "ค้าง",
        "แสดงหน้าว่าง",
        "แสดงข้อผิดพลาด 500",
        "โหลดช้ามาก",
        "แสดงผลไม่ถูกต้อง",
        "ไม่ตอบสนอง",
        "แสดงเขตเวลาผิด",
    ];
    const CONDITIONS: &[&str] = &[
        "ใช้ Safari 17",
        "ข้อความมีอีโมจิ",
        "มีงานมากกว่า 1,000 รายการ",
        "เซสชันหมดอายุ",
        "ผู้ใช้สองคนแก้ไขพร้อมกัน",
        "ชื่อไฟล์เป็นภาษาไทย",
        "เปิดโหมดมืด",
        "อินเทอร์เน็ตช้า",
    ];
    const FEATURES: &[&str] = &[
        "โหมดมืด",
        "การแก้ไขหลายรายการพร้อมกัน",
        "การนำเข้าไฟล์ CSV",
        "ปุ่มลัดบนแป้นพิมพ์",
        "การยืนยันตัวตนสองขั้นตอน",
        "ตัวกรองที่บันทึกไว้",
        "การแสดงตัวอย่าง Markdown",
        "บันทึกการตรวจสอบ",
    ];
    const QUALITIES: &[&str] = &[
        "ประสิทธิภาพ",
        "การเข้าถึงสำหรับผู้พิการ",
        "ข้อความแจ้งข้อผิดพลาด",
        "ความเร็วในการโหลด",
        "การบันทึกล็อก",
    ];
    const EVENTS: &[&str] = &[
        "อัปเดตเป็นเวอร์ชัน 2.4",
        "เปลี่ยนรหัสผ่าน",
        "สำรองข้อมูลตอนกลางคืน",
        "สลับโปรเจกต์",
    ];

    let component = pick(rng, COMPONENTS);
    let parts = match rng.usize(..5) {
        0 => vec![component, pick(rng, FAILURES), "เมื่อ", pick(rng, CONDITIONS)],
        1 => vec!["แก้ไขปัญหา", component, pick(rng, FAILURES)],
        2 => vec!["เพิ่ม", pick(rng, FEATURES), "ใน", component],
        3 => vec!["ปรับปรุง", pick(rng, QUALITIES), "ของ", component],
        _ => vec![component, pick(rng, FAILURES), "หลัง", pick(rng, EVENTS)],
    };
    join_thai(&parts)
}

/// Joins Thai phrases without spaces, except around embedded Latin words and numbers, as Thai
/// typesetting does ("ใช้ Safari 17", "การส่งออก PDF ใน…").
fn join_thai(parts: &[&str]) -> String {
    let mut out = String::new();
    for part in parts {
        let latin_edge = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
        if !out.is_empty() && (latin_edge(out.chars().last()) || latin_edge(part.chars().next())) {
            out.push(' ');
        }
        out.push_str(part);
    }
    out
}

fn japanese_summary(rng: &mut fastrand::Rng) -> String {
    const COMPONENTS: &[&str] = &[
        "ログイン画面",
        "課題ボード",
        "検索",
        "PDF出力",
        "コメントエディタ",
        "添付ファイルのアップロード",
        "ユーザープロフィール",
        "スプリントレポート",
        "モバイルアプリ",
        "ダッシュボード",
        "通知メール",
        "パスワードリセット",
    ];
    const FAILURES: &[&str] = &[
        "クラッシュする",
        "固まる",
        "真っ白になる",
        "500エラーになる",
        "崩れて表示される",
        "応答しなくなる",
        "タイムアウトする",
        "文字化けする",
    ];
    const CONDITIONS: &[&str] = &[
        "Safari 17を使う",
        "絵文字を入力する",
        "課題が1000件を超える",
        "セッションが切れる",
        "二人が同時に編集する",
        "ファイル名に日本語を含める",
        "ダークモードを有効にする",
    ];
    const FEATURES: &[&str] = &[
        "ダークモード",
        "一括編集",
        "CSVインポート",
        "キーボードショートカット",
        "二要素認証",
        "保存済みフィルター",
        "Markdownプレビュー",
        "監査ログ",
    ];
    const QUALITIES: &[&str] = &[
        "パフォーマンス",
        "アクセシビリティ",
        "エラーメッセージ",
        "読み込み速度",
        "ログ出力",
    ];
    const EVENTS: &[&str] = &[
        "バージョン2.4へのアップデート",
        "パスワード変更",
        "夜間バックアップ",
        "プロジェクト切り替え",
    ];

    let component = pick(rng, COMPONENTS);
    match rng.usize(..5) {
        0 => format!(
            "{component}で{}と{}",
            pick(rng, CONDITIONS),
            pick(rng, FAILURES)
        ),
        1 => format!("{component}が{}不具合を修正する", pick(rng, FAILURES)),
        2 => format!("{component}に{}を追加する", pick(rng, FEATURES)),
        3 => format!("{component}の{}を改善する", pick(rng, QUALITIES)),
        _ => format!(
            "{}後に{component}が{}",
            pick(rng, EVENTS),
            pick(rng, FAILURES)
        ),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::adf::{from_markdown, to_html, to_markdown, to_text};

    fn collect_types(node: &Value, nodes: &mut BTreeSet<String>, marks: &mut BTreeSet<String>) {
        if let Some(kind) = node.get("type").and_then(Value::as_str) {
            nodes.insert(kind.to_owned());
        }
        for mark in node
            .get("marks")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(kind) = mark.get("type").and_then(Value::as_str) {
                marks.insert(kind.to_owned());
            }
        }
        for child in node
            .get("content")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            collect_types(child, nodes, marks);
        }
    }

    fn all_docs() -> Vec<Value> {
        let mut docs = description_pool();
        docs.extend(comment_pool());
        docs
    }

    #[test]
    fn pools_have_the_documented_sizes() {
        assert_eq!(
            description_pool().len(),
            DESCRIPTIONS_PER_LANG * Lang::ALL.len()
        );
        assert_eq!(comment_pool().len(), COMMENTS_PER_LANG * Lang::ALL.len());
        assert!(label_pool().len() >= 15);
    }

    #[test]
    fn every_pool_document_renders_to_non_empty_text_markdown_and_html() {
        for (i, doc) in all_docs().iter().enumerate() {
            assert_eq!(doc["type"], "doc", "doc {i}");
            assert!(!to_text(doc).trim().is_empty(), "text of doc {i}");
            assert!(!to_markdown(doc).trim().is_empty(), "markdown of doc {i}");
            assert!(!to_html(doc).trim().is_empty(), "html of doc {i}");
        }
    }

    #[test]
    fn pools_cover_every_node_type_and_mark() {
        let (mut nodes, mut marks) = (BTreeSet::new(), BTreeSet::new());
        for doc in all_docs() {
            collect_types(&doc, &mut nodes, &mut marks);
        }
        let wanted_nodes = [
            "doc",
            "paragraph",
            "text",
            "heading",
            "bulletList",
            "orderedList",
            "listItem",
            "codeBlock",
            "blockquote",
            "panel",
            "table",
            "tableRow",
            "tableHeader",
            "tableCell",
            "mention",
            "emoji",
            "status",
            "date",
            "mediaSingle",
            "media",
            "inlineCard",
            "blockCard",
            "mediaInline",
            "rule",
            "hardBreak",
            "expand",
            "taskList",
            "taskItem",
            "decisionList",
            "decisionItem",
        ];
        for kind in wanted_nodes {
            assert!(nodes.contains(kind), "no {kind} node in the pools");
        }
        for kind in [
            "strong",
            "em",
            "strike",
            "underline",
            "code",
            "link",
            "textColor",
            "backgroundColor",
            "subsup",
        ] {
            assert!(marks.contains(kind), "no {kind} mark in the pools");
        }
    }

    #[test]
    fn pools_use_every_panel_type_and_nest_both_list_kinds_three_deep() {
        let docs = all_docs();
        let json = serde_json::to_string(&docs).unwrap_or_default();
        for kind in ["info", "note", "warning", "success", "error"] {
            assert!(
                json.contains(&format!("\"panelType\":\"{kind}\"")),
                "no {kind} panel"
            );
        }
        for list in ["bulletList", "orderedList"] {
            assert!(
                docs.iter().any(|doc| list_depth(doc, list) >= 3),
                "no {list} nested three levels"
            );
        }
    }

    fn list_depth(node: &Value, list: &str) -> usize {
        let own = usize::from(node["type"] == list);
        let deepest_child = node["content"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|child| list_depth(child, list))
            .max()
            .unwrap_or(0);
        own + deepest_child
    }

    #[test]
    fn pool_mentions_use_the_simulated_users() {
        let users = [ADA, VICTOR, ALICE, DMITRY, SOMCHAI, HANAKO];
        let json = serde_json::to_string(&all_docs()).unwrap_or_default();
        for id in users {
            assert!(json.contains(id), "{id} is never mentioned");
        }
    }

    #[test]
    fn tricky_english_content_renders_literally_in_html_and_markdown() {
        let pool = description_pool();
        let html = to_html(&pool[2]);
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(!html.contains("<script"));
        assert!(!html.contains("href=\"javascript:"), "{html}");
        assert!(
            html.contains("&lt;a href=&quot;javascript:alert(1)&quot;&gt;"),
            "code shown as text"
        );
        assert!(
            html.contains("literally. This link must be dropped</p>"),
            "unsafe link kept as text"
        );
        let tricky = &pool[9];
        let round_trip = to_text(&from_markdown(&to_markdown(tricky)));
        for literal in [
            "**not bold**",
            "_not italic_",
            "# this line",
            "1. this is not",
            "#read(\"/etc/passwd\")",
            "C:\\Temp\\new",
        ] {
            assert!(
                round_trip.contains(literal),
                "{literal:?} lost in {round_trip}"
            );
        }
    }

    #[test]
    fn every_language_block_is_written_in_its_script() {
        let script = |lang: Lang, c: char| match lang {
            Lang::En => c.is_ascii_alphabetic(),
            Lang::Ru => ('\u{0400}'..='\u{04FF}').contains(&c),
            Lang::Th => ('\u{0E00}'..='\u{0E7F}').contains(&c),
            Lang::Ja => {
                ('\u{3040}'..='\u{30FF}').contains(&c) || ('\u{4E00}'..='\u{9FFF}').contains(&c)
            }
        };
        let descriptions = description_pool();
        let comments = comment_pool();
        for (index, lang) in Lang::ALL.iter().enumerate() {
            let docs = descriptions
                .iter()
                .skip(index * DESCRIPTIONS_PER_LANG)
                .take(DESCRIPTIONS_PER_LANG)
                .chain(
                    comments
                        .iter()
                        .skip(index * COMMENTS_PER_LANG)
                        .take(COMMENTS_PER_LANG),
                );
            for doc in docs {
                let text = to_text(doc);
                assert!(
                    text.chars().any(|c| script(*lang, c)),
                    "{lang:?} doc without its script: {text}"
                );
            }
        }
    }

    #[test]
    fn summaries_are_deterministic_for_a_seed() {
        for lang in Lang::ALL {
            let first: Vec<String> = {
                let mut rng = fastrand::Rng::with_seed(42);
                (0..50).map(|_| summary(&mut rng, lang)).collect()
            };
            let mut rng = fastrand::Rng::with_seed(42);
            let second: Vec<String> = (0..50).map(|_| summary(&mut rng, lang)).collect();
            assert_eq!(first, second);
            let distinct: BTreeSet<&String> = first.iter().collect();
            assert!(
                distinct.len() > 25,
                "{lang:?} summaries repeat too often: {distinct:?}"
            );
            assert!(first.iter().all(|s| !s.trim().is_empty() && s.len() < 255));
        }
    }

    #[test]
    fn thai_summaries_space_only_around_latin_words() {
        assert_eq!(
            join_thai(&["ใช้", "Safari 17", "แล้วค้าง"]),
            "ใช้ Safari 17 แล้วค้าง"
        );
        assert_eq!(
            join_thai(&["แก้ไขปัญหา", "บอร์ดงาน", "ค้าง"]),
            "แก้ไขปัญหาบอร์ดงานค้าง"
        );
        let mut rng = fastrand::Rng::with_seed(7);
        for _ in 0..100 {
            let summary = summary(&mut rng, Lang::Th);
            assert!(!summary.contains("  "), "{summary}");
        }
    }
}
