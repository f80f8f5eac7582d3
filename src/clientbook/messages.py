"""Every user-facing sentence, in Chinese and English, keyed by a stable code.

Each area keeps its own table below; `text()` looks a key up in all of them.
Templates use str.format fields; unknown fields are left visible, never crash.
"""

from __future__ import annotations

from typing import Any, Literal

Lang = Literal["zh", "en"]

# key: (zh, en)
COMMON: dict[str, tuple[str, str]] = {
    "error.generic": ("出错了：{detail}", "Something went wrong: {detail}"),
    "error.unusable_file": ("无法使用文件 {path}：{reason}", "Cannot use {path}: {reason}"),
    "error.wrong_password": (
        "工作簿 {path} 已加密，密码错误或未提供。"
        "请设置环境变量 CLIENTBOOK_BOOK_PASSWORD 或使用 --password-file",
        "Workbook {path} is encrypted and the password is wrong or missing. "
        "Set CLIENTBOOK_BOOK_PASSWORD or use --password-file",
    ),
    "error.no_header_row": (
        "在 {path} 的工作表「{sheet}」前 20 行中找不到表头行"
        "（至少需要 3 个可识别的列名，如 客户号、客户姓名、资产规模）",
        "No header row in the first 20 rows of sheet '{sheet}' in {path} "
        "(need at least 3 known column names such as Client ID, Name, AUM)",
    ),
    "error.file_locked": (
        "{path} 正在被 Excel 或 WPS 打开（发现锁文件 {lock}）。请先关闭该文件，或使用 --force",
        "{path} is open in Excel or WPS (lock file {lock}). Close it first, or use --force",
    ),
    "error.config": ("配置项 {setting} 无效：{reason}", "Invalid setting {setting}: {reason}"),
    "error.usage": ("{detail}", "{detail}"),
    "error.vault": ("备份库出错：{detail}", "Vault problem: {detail}"),
    "error.wrong_passphrase": (
        "备份口令错误，无法打开 {what}",
        "Wrong passphrase: cannot open {what}",
    ),
    "error.tampered_snapshot": (
        "快照 {snapshot} 已损坏或被篡改，未写出任何文件",
        "Snapshot {snapshot} is damaged or has been tampered with; nothing was written",
    ),
    "error.interrupted": ("已中断，未写出不完整的文件", "Interrupted; nothing half-written"),
}

# Areas add their own tables here (register, validate, tier, write, vault, ...).
REGISTER: dict[str, tuple[str, str]] = {}
VALIDATE: dict[str, tuple[str, str]] = {}
TIER: dict[str, tuple[str, str]] = {
    "tier.missing_column": (
        "{path} 的工作表「{sheet}」缺少「{header}」列，无法分层。请添加该列后重试",
        "Sheet '{sheet}' in {path} has no '{header}' column, so it cannot be tiered. "
        "Add the column and try again",
    ),
    # why a row is not scored (TierResult.unscored[].why)
    "tier.unscored.missing_client_id": (
        "第 {row} 行没有客户号，未评分。请填写客户号",
        "Row {row} has no client ID and was not scored. Fill in the client ID",
    ),
    "tier.unscored.duplicate_client_id": (
        "第 {row} 行的客户号 {client_id} 重复（另见第 {others} 行），未评分。请保证客户号唯一",
        "Row {row}: client ID {client_id} is duplicated (also row {others}) and was not "
        "scored. Make client IDs unique",
    ),
    "tier.unscored.missing_aum": (
        "第 {row} 行（客户号 {client_id}）资产规模为空，未评分。请填写资产规模（万元）",
        "Row {row} (client {client_id}) has no AUM and was not scored. Fill in the AUM",
    ),
    "tier.unscored.invalid_aum": (
        "第 {row} 行（客户号 {client_id}）资产规模「{raw}」不是金额，未评分。"
        "请填写数字，如 1200 或 1.2亿",
        "Row {row} (client {client_id}): AUM '{raw}' is not an amount and was not scored. "
        "Enter a number such as 1200 or 1.2亿",
    ),
    "tier.unscored.negative_aum": (
        "第 {row} 行（客户号 {client_id}）资产规模为负数，未评分。资产规模应 ≥ 0",
        "Row {row} (client {client_id}) has a negative AUM and was not scored. AUM must be ≥ 0",
    ),
    "tier.no_passphrase": (
        "写回名册前需要把原文件加密备份，但没有备份口令。请设置环境变量 CLIENTBOOK_PASSPHRASE、"
        "使用 --passphrase-file 文件，或在终端中运行以输入口令；也可用 --no-backup 跳过备份",
        "Before replacing the register an encrypted backup is made, but no passphrase is "
        "available. Set CLIENTBOOK_PASSPHRASE, use --passphrase-file FILE, or run in a terminal "
        "to be asked; or skip the backup with --no-backup",
    ),
    # tier and quadrant labels (written into the register)
    "tier.label.A": ("A 超高净值", "A UHNW"),
    "tier.label.B": ("B 高净值", "B HNW"),
    "tier.label.C": ("C 中端", "C Affluent"),
    "tier.label.D": ("D 普通", "D Mass"),
    "tier.quadrant.quick_win": ("速赢", "Quick win"),
    "tier.quadrant.cultivate": ("培养", "Cultivate"),
    "tier.quadrant.maintain": ("维持", "Maintain"),
    "tier.quadrant.deprioritize": ("放弃", "Deprioritize"),
    # reason phrases
    "tier.reason.sep": ("；", "; "),
    "tier.reason.list_sep": ("、", ", "),
    "tier.reason.unknown": ("{fields}未知", "{fields} unknown"),
    "tier.reason.unknown_more": (
        "{fields}等{total}项未知",
        "{fields} and {more} more unknown",
    ),
    "tier.reason.aum_top": ("AUM 前{share}%", "AUM top {share}%"),
    "tier.reason.aum_bottom": ("AUM 后{share}%", "AUM bottom {share}%"),
    "tier.reason.assets_elsewhere": ("他行资产 {amount}", "assets elsewhere {amount}"),
    "tier.reason.income": ("年收入 {amount}", "income {amount}"),
    "tier.reason.growth_up": ("AUM 增长{pct}%", "AUM +{pct}%"),
    "tier.reason.growth_down": ("AUM 下降{pct}%", "AUM -{pct}%"),
    "tier.reason.growth_flat": ("AUM 持平", "AUM flat"),
    "tier.reason.growth_new": ("新增资产", "new money"),
    "tier.reason.age": ("{age}岁", "age {age}"),
    "tier.reason.occupation": ("职业 {text}", "occupation: {text}"),
    "tier.reason.education": ("学历 {text}", "education: {text}"),
    "tier.reason.gap_no_high_margin": ("未持有高利润产品", "no high-margin product"),
    "tier.reason.gap_few": ("仅持有{count}个产品", "only {count} product(s)"),
    "tier.reason.gap_none": ("已持有多种高利润产品", "already holds high-margin products"),
    "tier.reason.recency": ("{days}天未联系", "not contacted for {days} days"),
    "tier.reason.recency_recent": ("{days}天前联系过", "contacted {days} days ago"),
    "tier.reason.products": ("持有{count}个产品", "holds {count} product(s)"),
    "tier.reason.tenure": ("开户{years}年", "client for {years} year(s)"),
    "tier.reason.tenure_new": ("开户不足1年", "client for under a year"),
    "tier.reason.distance": ("距网点{km}公里", "{km} km from branch"),
    "tier.reason.reach_both": ("联系方式和时段已知", "channel and contact window known"),
    "tier.reason.reach_channel": ("联系方式偏好已知", "preferred channel known"),
    "tier.reason.reach_window": ("联系时段已知", "contact window known"),
    "tier.reason.reach_none": ("未登记联系偏好", "no preferred channel or window on file"),
    # summary on the terminal
    "tier.summary.title": (
        "{file} · 工作表「{sheet}」：已评分 {scored} 位客户，未评分 {unscored} 行",
        "{file} · sheet '{sheet}': {scored} clients scored, {unscored} rows not scored",
    ),
    "tier.summary.per_tier": ("按客户层级", "By tier"),
    "tier.summary.per_quadrant": ("按优先级象限", "By quadrant"),
    "tier.summary.top": ("优先排名前 10", "Top 10 by rank"),
    "tier.summary.unscored": ("未评分的行（写入时留空）", "Rows not scored (left blank)"),
    "tier.summary.unscored_more": ("…… 另有 {count} 行未评分", "… and {count} more rows"),
    "tier.summary.total": ("合计", "Total"),
    "tier.col.tier": ("客户层级", "Tier"),
    "tier.col.clients": ("客户数", "Clients"),
    "tier.col.aum": ("资产规模(万元)", "AUM (10k CNY)"),
    "tier.col.quadrant": ("优先级象限", "Quadrant"),
    "tier.col.rank": ("排名", "Rank"),
    "tier.col.client_id": ("客户号", "Client ID"),
    "tier.col.name": ("客户姓名", "Name"),
    "tier.col.priority": ("优先级得分", "Priority"),
    "tier.col.reason": ("优先级说明", "Reason"),
    "tier.col.row": ("行", "Row"),
    "tier.col.why": ("原因", "Why"),
    "tier.done.written": (
        "已在 {path} 中写入 {count} 列：{headers}",
        "Wrote {count} columns into {path}: {headers}",
    ),
    "tier.done.unchanged": (
        "{path} 已是最新，没有需要改动的单元格",
        "{path} is already up to date; no cell needed changing",
    ),
    "tier.done.output": (
        "结果已写入新文件 {path}，原文件未改动",
        "Result written to the new file {path}; the original is untouched",
    ),
    "tier.done.dry_run": (
        "演练模式（--dry-run）：未写入任何文件",
        "Dry run (--dry-run): nothing was written",
    ),
    "tier.done.backup": (
        "改动前的原文件已加密备份到 {vault}（快照 {snapshot}）",
        "The previous file was backed up, encrypted, to {vault} (snapshot {snapshot})",
    ),
    "tier.done.no_backup": (
        "未备份原文件（--no-backup）",
        "The previous file was not backed up (--no-backup)",
    ),
    # names of inputs, for "…未知" / "… unknown"
    "tier.input.assets_elsewhere": ("他行资产", "assets elsewhere"),
    "tier.input.income": ("收入", "income"),
    "tier.input.aum_prev": ("上年资产", "last year's AUM"),
    "tier.input.birth_date": ("年龄", "age"),
    "tier.input.occupation": ("职业", "occupation"),
    "tier.input.education": ("学历", "education"),
    "tier.input.products": ("持有产品", "products held"),
    "tier.input.last_contact": ("联系记录", "last contact"),
    "tier.input.onboarded_on": ("开户日期", "client since"),
    "tier.input.branch_km": ("距网点距离", "distance to branch"),
}
WRITE: dict[str, tuple[str, str]] = {}
VAULT: dict[str, tuple[str, str]] = {}

_TABLES = (COMMON, REGISTER, VALIDATE, TIER, WRITE, VAULT)


class _Lenient(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def has(key: str) -> bool:
    return any(key in table for table in _TABLES)


def template(key: str, lang: Lang | str) -> str:
    for table in _TABLES:
        if key in table:
            zh, en = table[key]
            return en if lang == "en" else zh
    return key


def text(key: str, lang: Lang | str, **params: Any) -> str:
    """The sentence for `key` in `lang` ("zh" unless "en"), filled with params."""
    return template(key, lang).format_map(_Lenient(params))


def all_keys() -> set[str]:
    return {key for table in _TABLES for key in table}
