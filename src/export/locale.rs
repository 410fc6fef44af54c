//! Locale-dependent text for exports: date formats and the template's fixed labels.
//! Pure functions; knows nothing about typst.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, TimeZone, Timelike, Utc};
use serde_json::{Value, json};

/// A validated locale: the primary language subtag, lower case (`en`, `ru`, `th`, …).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Locale {
    lang: String,
}

impl Locale {
    /// Parses a BCP 47 tag (`en`, `pt-BR`, `ru_RU`); only the language subtag is kept.
    pub(crate) fn parse(tag: &str) -> Option<Self> {
        let lang = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        let valid = (2..=3).contains(&lang.len()) && lang.bytes().all(|b| b.is_ascii_lowercase());
        valid.then_some(Self { lang })
    }

    /// The language code, as typst's `text(lang:)` takes it.
    pub(crate) fn lang(&self) -> &str {
        &self.lang
    }

    /// Formats a Jira, RFC 3339 or `YYYY-MM-DD` timestamp; anything else comes back as given.
    pub(crate) fn format_timestamp(&self, raw: &str) -> String {
        let raw = raw.trim();
        if let Some(dt) = parse_datetime(raw) {
            let date = self.format_date(dt.year(), dt.month(), dt.day());
            format!("{date} {:02}:{:02}", dt.hour(), dt.minute())
        } else if let Ok(d) = NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
            self.format_date(d.year(), d.month(), d.day())
        } else {
            raw.to_owned()
        }
    }

    /// Formats an ADF `date` node's timestamp (milliseconds since the epoch, UTC) as a date.
    pub(crate) fn format_epoch_millis(&self, millis: &str) -> Option<String> {
        let millis: i64 = millis.trim().parse().ok()?;
        let dt = Utc.timestamp_millis_opt(millis).single()?;
        Some(self.format_date(dt.year(), dt.month(), dt.day()))
    }

    fn format_date(&self, year: i32, month: u32, day: u32) -> String {
        let m = month.clamp(1, 12) as usize - 1;
        match self.lang.as_str() {
            "en" => format!("{day} {} {year}", EN_MONTHS[m]),
            "th" => format!("{day} {} {}", TH_MONTHS[m], year + 543),
            "ru" | "uk" | "be" | "de" | "pl" | "cs" | "fi" | "nb" | "da" | "tr" => {
                format!("{day:02}.{month:02}.{year}")
            }
            "fr" | "es" | "it" | "pt" | "vi" | "id" | "el" => format!("{day:02}/{month:02}/{year}"),
            "ja" | "zh" => format!("{year}/{month:02}/{day:02}"),
            "ko" => format!("{year}. {month}. {day}."),
            _ => format!("{year}-{month:02}-{day:02}"),
        }
    }

    /// The template's fixed strings, as a JSON object keyed by purpose.
    pub(crate) fn labels(&self) -> Value {
        match self.lang.as_str() {
            "ru" => json!({
                "report": "Отчёт по задачам", "query": "Запрос", "site": "Сайт",
                "generated": "Создан", "issues": "Задачи", "contents": "Содержание",
                "overview": "Обзор", "summary-table": "Все задачи", "by-status": "По статусу",
                "by-priority": "По приоритету", "key": "Ключ", "summary": "Тема",
                "status": "Статус", "priority": "Приоритет", "type": "Тип",
                "assignee": "Исполнитель", "reporter": "Автор", "created": "Создано",
                "updated": "Обновлено", "due": "Срок", "labels": "Метки",
                "parent": "Родитель", "fields": "Поля", "description": "Описание",
                "comments": "Комментарии", "changelog": "История изменений",
                "attachments": "Вложения", "date": "Дата", "author": "Автор",
                "field": "Поле", "from": "Было", "to": "Стало", "file": "Файл",
                "size": "Размер", "page": "Страница", "unassigned": "Не назначено",
                "none": "Нет", "no-issues": "Нет задач", "image-missing": "Изображение недоступно",
                "done": "Готово", "in-progress": "В работе", "to-do": "К выполнению",
            }),
            "th" => json!({
                "report": "รายงานปัญหา", "query": "คิวรี", "site": "ไซต์",
                "generated": "สร้างเมื่อ", "issues": "ปัญหา", "contents": "สารบัญ",
                "overview": "ภาพรวม", "summary-table": "ปัญหาทั้งหมด", "by-status": "ตามสถานะ",
                "by-priority": "ตามความสำคัญ", "key": "คีย์", "summary": "สรุป",
                "status": "สถานะ", "priority": "ความสำคัญ", "type": "ประเภท",
                "assignee": "ผู้รับผิดชอบ", "reporter": "ผู้รายงาน", "created": "สร้างเมื่อ",
                "updated": "อัปเดตเมื่อ", "due": "ครบกำหนด", "labels": "ป้ายกำกับ",
                "parent": "งานหลัก", "fields": "ฟิลด์", "description": "คำอธิบาย",
                "comments": "ความคิดเห็น", "changelog": "ประวัติการเปลี่ยนแปลง",
                "attachments": "ไฟล์แนบ", "date": "วันที่", "author": "ผู้เขียน",
                "field": "ฟิลด์", "from": "จาก", "to": "เป็น", "file": "ไฟล์",
                "size": "ขนาด", "page": "หน้า", "unassigned": "ยังไม่มอบหมาย",
                "none": "ไม่มี", "no-issues": "ไม่มีปัญหา", "image-missing": "ไม่มีรูปภาพ",
                "done": "เสร็จแล้ว", "in-progress": "กำลังดำเนินการ", "to-do": "ต้องทำ",
            }),
            _ => json!({
                "report": "Issue report", "query": "Query", "site": "Site",
                "generated": "Generated", "issues": "Issues", "contents": "Contents",
                "overview": "Overview", "summary-table": "All issues", "by-status": "By status",
                "by-priority": "By priority", "key": "Key", "summary": "Summary",
                "status": "Status", "priority": "Priority", "type": "Type",
                "assignee": "Assignee", "reporter": "Reporter", "created": "Created",
                "updated": "Updated", "due": "Due", "labels": "Labels", "parent": "Parent",
                "fields": "Fields", "description": "Description", "comments": "Comments",
                "changelog": "History", "attachments": "Attachments", "date": "Date",
                "author": "Author", "field": "Field", "from": "From", "to": "To",
                "file": "File", "size": "Size", "page": "Page", "unassigned": "Unassigned",
                "none": "None", "no-issues": "No issues", "image-missing": "Image not available",
                "done": "Done", "in-progress": "In progress", "to-do": "To do",
            }),
        }
    }
}

const EN_MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Thai abbreviated month names; Thai dates use the Buddhist era (year + 543).
const TH_MONTHS: [&str; 12] = [
    "ม.ค.",
    "ก.พ.",
    "มี.ค.",
    "เม.ย.",
    "พ.ค.",
    "มิ.ย.",
    "ก.ค.",
    "ส.ค.",
    "ก.ย.",
    "ต.ค.",
    "พ.ย.",
    "ธ.ค.",
];

/// Jira sends `2024-01-15T10:30:00.000+0000`; others send RFC 3339. The wall-clock time in
/// the timestamp's own offset is kept, as Jira shows it.
fn parse_datetime(raw: &str) -> Option<DateTime<FixedOffset>> {
    DateTime::parse_from_rfc3339(raw)
        .or_else(|_| DateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M:%S%.f%z"))
        .ok()
}

/// Human-readable byte size (`12.3 KB`).
pub(crate) fn format_size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KB", "MB", "GB", "TB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jira_timestamps_are_formatted_per_locale() {
        let raw = "2024-01-15T10:30:00.000+0300";
        assert_eq!(
            Locale::parse("en").unwrap().format_timestamp(raw),
            "15 Jan 2024 10:30"
        );
        assert_eq!(
            Locale::parse("ru-RU").unwrap().format_timestamp(raw),
            "15.01.2024 10:30"
        );
        assert_eq!(
            Locale::parse("th").unwrap().format_timestamp(raw),
            "15 ม.ค. 2567 10:30"
        );
        assert_eq!(
            Locale::parse("xx").unwrap().format_timestamp("2024-02-01"),
            "2024-02-01"
        );
        assert_eq!(
            Locale::parse("en").unwrap().format_timestamp("yesterday"),
            "yesterday"
        );
    }

    #[test]
    fn malformed_locales_are_rejected() {
        assert!(Locale::parse("").is_none());
        assert!(Locale::parse("english").is_none());
        assert!(Locale::parse("e\"n").is_none());
        assert_eq!(Locale::parse("pt_BR").unwrap().lang(), "pt");
    }

    #[test]
    fn sizes_are_human_readable() {
        assert_eq!(format_size(512), "512 B");
        assert_eq!(format_size(12_600), "12.3 KB");
        assert_eq!(format_size(5 * 1024 * 1024), "5.0 MB");
    }
}
