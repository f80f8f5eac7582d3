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
REGISTER: dict[str, tuple[str, str]] = {
    "register.not_found": (
        "找不到文件 {path}，请检查路径和文件名",
        "File {path} does not exist; check the path and the file name",
    ),
    "register.is_directory": (
        "{path} 是文件夹，请指定客户名册工作簿文件（.xlsx）",
        "{path} is a folder; give the register workbook file (.xlsx)",
    ),
    "register.unreadable": (
        "无法读取 {path}（{detail}），请检查文件权限",
        "Cannot read {path} ({detail}); check the file's permissions",
    ),
    "register.empty_file": (
        "{path} 是空文件（0 字节），请打开原工作簿重新保存",
        "{path} is empty (0 bytes); save the workbook again from Excel or WPS",
    ),
    "register.not_workbook": (
        "{path} 不是 Excel 工作簿，请使用 .xlsx 或 .xlsm 格式的客户名册",
        "{path} is not an Excel workbook; use a register saved as .xlsx or .xlsm",
    ),
    "register.legacy_xls": (
        "{path} 是旧版 .xls 格式，暂不支持。请在 Excel 或 WPS 中“另存为” .xlsx 后再试",
        "{path} is an old .xls workbook, which is not supported. "
        "Save it as .xlsx in Excel or WPS and try again",
    ),
    "register.ods": (
        "{path} 是 OpenDocument（.ods）表格，暂不支持。请另存为 .xlsx 后再试",
        "{path} is an OpenDocument spreadsheet (.ods), which is not supported. "
        "Save it as .xlsx and try again",
    ),
    "register.csv": (
        "{path} 是 CSV 文本文件，不是工作簿。请在 Excel 或 WPS 中打开并另存为 .xlsx",
        "{path} is a CSV text file, not a workbook. Open it in Excel or WPS and save as .xlsx",
    ),
    "register.xlsb": (
        "{path} 是二进制工作簿（.xlsb），暂不支持。请另存为 .xlsx 后再试",
        "{path} is a binary workbook (.xlsb), which is not supported. "
        "Save it as .xlsx and try again",
    ),
    "register.damaged": (
        "{path} 已损坏或不完整（{detail}），无法读取。请用 Excel 或 WPS 打开并重新保存，或使用备份",
        "{path} is damaged or incomplete ({detail}). Open and save it again in Excel or WPS, "
        "or use a backup",
    ),
    "register.zip_members": (
        "{path} 包含 {count} 个内部部件（上限 {limit}），不像正常的工作簿，已拒绝读取",
        "{path} has {count} parts inside (limit {limit}); that is not a normal workbook, "
        "so it was not read",
    ),
    "register.zip_too_large": (
        "{path} 解压后约 {size_mib} MiB，超过上限 {limit_mib} MiB，已拒绝读取",
        "{path} would unpack to about {size_mib} MiB, over the {limit_mib} MiB limit; "
        "it was not read",
    ),
    "register.zip_ratio": (
        "{path} 中的部件 {member} 压缩比异常（疑似压缩炸弹），已拒绝读取",
        "{path}: part {member} has an abnormal compression ratio (a zip bomb?); it was not read",
    ),
    "register.zip_lying": (
        "{path} 中的部件 {member} 解压后比声明的大（文件被篡改或损坏），已拒绝读取",
        "{path}: part {member} unpacks to more than it declares (tampered or damaged); "
        "it was not read",
    ),
    "register.zip_odd": (
        "{path} 的压缩结构异常（{detail}），不像 Excel 保存的工作簿，已拒绝读取",
        "{path} has an unusual zip structure ({detail}), unlike a workbook saved by Excel; "
        "it was not read",
    ),
    "register.xml_dtd": (
        "{path} 的部件 {member} 含有 DOCTYPE/实体声明（可能是恶意文件），已拒绝读取",
        "{path}: part {member} contains a DOCTYPE or entity declaration (possibly hostile); "
        "it was not read",
    ),
    "register.xml_odd": (
        "{path} 的 XML 内容异常（{detail}），已拒绝读取",
        "{path} has abnormal XML content ({detail}); it was not read",
    ),
    "register.sheet_too_sparse": (
        "{path} 的工作表「{sheet}」中有内容的单元格一直延伸到 {cell}，离其余数据太远，无法读取。"
        "请删除远处单元格（如 {cell}）的内容后保存再试",
        "{path}: values in sheet '{sheet}' reach as far as {cell}, far from the rest of the "
        "data, so the sheet cannot be read. Clear the far cells (such as {cell}), save, "
        "and try again",
    ),
    "register.no_sheet": (
        "{path} 中没有名为「{sheet}」的工作表。现有工作表：{available}",
        "{path} has no sheet named '{sheet}'. Sheets in the file: {available}",
    ),
    "register.no_visible_sheet": (
        "{path} 中没有可见的工作表。请用 --sheet 指定客户表",
        "{path} has no visible worksheet. Name the client sheet with --sheet",
    ),
    "register.password_file": (
        "无法读取密码文件 {path}，请检查路径和权限",
        "Cannot read the password file {path}; check its path and permissions",
    ),
}
VALIDATE: dict[str, tuple[str, str]] = {}
TIER: dict[str, tuple[str, str]] = {}
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
