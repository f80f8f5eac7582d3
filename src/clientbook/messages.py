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
VAULT: dict[str, tuple[str, str]] = {}

# `clientbook init` (keys prefixed init.).
INIT: dict[str, tuple[str, str]] = {
    "init.created": (
        "已创建空白客户名册 {path}。下一步：在「{sheet}」表中每行录入一位客户，"
        '然后运行 clientbook validate "{path}" 检查',
        "Created an empty client register {path}. Next: enter one client per row on the "
        "'{sheet}' sheet, then run clientbook validate \"{path}\"",
    ),
    "init.created_replaced": (
        "已创建空白客户名册 {path}（原文件已保留为 {previous}）。下一步：在「{sheet}」表中"
        '每行录入一位客户，然后运行 clientbook validate "{path}" 检查',
        "Created an empty client register {path} (the old file was kept as {previous}). "
        "Next: enter one client per row on the '{sheet}' sheet, then run "
        'clientbook validate "{path}"',
    ),
    "init.exists": (
        "{path} 已存在，未做任何改动。请换一个文件名，"
        "或加 --force 覆盖（原文件会另存为 .old.xlsx）",
        "{path} already exists; nothing was changed. Choose another file name, or add --force "
        "to replace it (the old file is kept as .old.xlsx)",
    ),
    "init.bad_suffix": (
        "无法创建 {path}：名册必须是 .xlsx 文件，请使用以 .xlsx 结尾的文件名",
        "Cannot create {path}: a register must be an .xlsx file; use a name ending in .xlsx",
    ),
    "init.no_folder": (
        "无法创建 {path}：文件夹 {folder} 不存在，请先创建该文件夹或换一个路径",
        "Cannot create {path}: the folder {folder} does not exist; create it first or choose "
        "another path",
    ),
    "init.bad_lang": (
        "不支持的语言 {lang}：请使用 --lang zh 或 --lang en",
        "Unsupported language {lang}: use --lang zh or --lang en",
    ),
    "init.write_failed": (
        "无法写入 {path}：{reason}。请检查文件夹权限和磁盘空间",
        "Cannot write {path}: {reason}. Check the folder's permissions and free disk space",
    ),
    "init.template_missing": (
        "找不到名册模板 {name}，clientbook 安装不完整，请重新安装",
        "The register template {name} is missing; the clientbook installation is incomplete, "
        "please reinstall it",
    ),
}

_TABLES = (COMMON, REGISTER, VALIDATE, TIER, WRITE, VAULT, INIT)


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
