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
    "error.config": ("配置项 {key} 无效：{reason}", "Invalid setting {key}: {reason}"),
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
TIER: dict[str, tuple[str, str]] = {}
WRITE: dict[str, tuple[str, str]] = {}
VAULT: dict[str, tuple[str, str]] = {
    "vault.no_passphrase": (
        "需要备份口令，但没有可输入口令的终端。"
        "请设置环境变量 CLIENTBOOK_PASSPHRASE，或使用 --passphrase-file 文件",
        "A vault passphrase is needed and there is no terminal to ask on. "
        "Set CLIENTBOOK_PASSPHRASE or use --passphrase-file FILE",
    ),
    "vault.passphrase_file": (
        "无法读取口令文件 {path}：{reason}。请检查路径，文件第一行即为口令",
        "Cannot read passphrase file {path}: {reason}. Check the path; "
        "its first line is the passphrase",
    ),
    "vault.empty_passphrase": (
        "备份口令为空（来自 {source}）。请提供非空口令",
        "The vault passphrase from {source} is empty. Provide a non-empty passphrase",
    ),
    "vault.prompt": ("备份口令", "Vault passphrase"),
    "vault.prompt_new": (
        "为新备份库 {path} 设置口令（请牢记，丢失后无法恢复备份）",
        "New passphrase for the new vault {path} (keep it safe: without it no backup "
        "can be restored)",
    ),
    "vault.prompt_confirm": ("再次输入口令", "Repeat the passphrase"),
    "vault.prompt_mismatch": ("两次输入的口令不一致，请重试", "The passphrases differ; try again"),
    "vault.not_a_folder": (
        "备份库路径 {path} 不是文件夹。请用 --vault 或 CLIENTBOOK_VAULT 指定一个文件夹",
        "Vault path {path} is not a folder. Point --vault or CLIENTBOOK_VAULT at a folder",
    ),
    "vault.not_a_vault": (
        "{path} 不是空文件夹，也不是备份库。"
        "请用 --vault 或 CLIENTBOOK_VAULT 指定一个新的或空的文件夹",
        "{path} is neither empty nor a vault. Point --vault or CLIENTBOOK_VAULT at a new or "
        "empty folder",
    ),
    "vault.index_damaged": (
        "备份库索引 {path} 已损坏或被篡改（{reason}）。备份数据文件仍可用 age -d 逐个解密",
        "The vault index {path} is damaged or was tampered with ({reason}). The data files "
        "can still be decrypted one by one with age -d",
    ),
    "vault.book_missing": (
        "找不到要备份的文件 {path}。请检查路径",
        "No file to back up at {path}. Check the path",
    ),
    "vault.book_unreadable": (
        "无法读取 {path}：{reason}。请关闭占用该文件的程序后重试",
        "Cannot read {path}: {reason}. Close any program holding it and try again",
    ),
    "vault.unknown_snapshot": (
        "备份库中没有快照 {snapshot}。用 clientbook backup list 查看快照编号",
        "No snapshot {snapshot} in the vault. See the ids with clientbook backup list",
    ),
    "vault.ambiguous_snapshot": (
        "快照编号 {snapshot} 对应多个快照，请输入更长的编号",
        "Snapshot id {snapshot} matches several snapshots; type more of the id",
    ),
    "vault.data_missing": (
        "快照 {snapshot} 的数据文件 {path} 不见了，无法恢复该快照",
        "The data file {path} of snapshot {snapshot} is missing; that snapshot cannot be restored",
    ),
    "vault.target_exists": (
        "{path} 已存在，未覆盖。请用 --to 指定其他位置，或加 --force 覆盖",
        "{path} already exists and was not overwritten. Choose another place with --to, "
        "or add --force",
    ),
    "vault.target_folder_missing": (
        "恢复目标文件夹 {path} 不存在。请先创建该文件夹或换一个 --to",
        "The folder {path} to restore into does not exist. Create it or choose another --to",
    ),
    "vault.no_policy": (
        "未指定保留规则，未删除任何快照。请至少给出 --keep-last、--keep-daily、"
        "--keep-weekly、--keep-monthly 或 --keep-yearly 之一",
        "No keep rule given, so nothing was removed. Give at least one of --keep-last, "
        "--keep-daily, --keep-weekly, --keep-monthly, --keep-yearly",
    ),
    "vault.verify_args": (
        "请给出一个快照编号，或使用 --all，二者不可同时使用",
        "Give one snapshot id or --all, not both",
    ),
    "vault.verify_failed": (
        "{count} 个快照未通过校验：{snapshots}",
        "{count} snapshot(s) failed verification: {snapshots}",
    ),
    "vault.created": (
        "已备份 {book} → 快照 {id}（{size} 字节，SHA-256 {sha}）",
        "Backed up {book} → snapshot {id} ({size} bytes, SHA-256 {sha})",
    ),
    "vault.reused": (
        "  内容与库中已有快照相同，只保存一份",
        "  same content as a snapshot already in the vault: stored once",
    ),
    "vault.vault_at": ("备份库：{path}", "Vault: {path}"),
    "vault.empty": ("备份库中还没有快照", "No snapshots in the vault yet"),
    "vault.col.id": ("快照", "Snapshot"),
    "vault.col.created": ("时间", "Time"),
    "vault.col.book": ("名册", "Book"),
    "vault.col.size": ("大小（字节）", "Size (bytes)"),
    "vault.col.sha256": ("SHA-256", "SHA-256"),
    "vault.col.reason": ("保留原因", "Kept by"),
    "vault.verified": (
        "快照 {id}（{book}）校验通过：全部 {size} 字节已认证，SHA-256 一致",
        "Snapshot {id} ({book}) verified: all {size} bytes authenticated, SHA-256 matches",
    ),
    "vault.verify_damaged": ("快照 {id}（{book}）：{reason}", "Snapshot {id} ({book}): {reason}"),
    "vault.restored": (
        "已将快照 {id} 恢复到 {path}（SHA-256 已核对）",
        "Restored snapshot {id} to {path} (SHA-256 checked)",
    ),
    "vault.prune_summary": (
        "保留 {keep} 个快照，移除 {forget} 个，删除 {files} 个数据文件",
        "Keeping {keep} snapshot(s), forgetting {forget}, deleted {files} data file(s)",
    ),
    "vault.prune_dry_run": (
        "试运行：将保留 {keep} 个快照，移除 {forget} 个（未做任何修改）",
        "Dry run: would keep {keep} snapshot(s) and forget {forget} (nothing changed)",
    ),
    "vault.keep": ("保留", "keep"),
    "vault.forget": ("移除", "forget"),
    "vault.reason.last": ("最近", "last"),
    "vault.reason.daily": ("每日", "daily"),
    "vault.reason.weekly": ("每周", "weekly"),
    "vault.reason.monthly": ("每月", "monthly"),
    "vault.reason.yearly": ("每年", "yearly"),
}

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
