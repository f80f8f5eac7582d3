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
WRITE: dict[str, tuple[str, str]] = {
    "write.error": (
        "无法更新 {path}：{detail}；文件未改动",
        "Cannot update {path}: {detail}; it was left unchanged",
    ),
    "write.unsupported_format": (
        "不能写入 {path}：clientbook 只更新 .xlsx 和 .xlsm 工作簿，{suffix} 文件不能写回。"
        "请在 Excel 或 WPS 中另存为 .xlsx 后再运行",
        "Cannot write {path}: clientbook only updates .xlsx and .xlsm workbooks, not {suffix} "
        "files. Save it as .xlsx in Excel or WPS and run again",
    ),
    "write.output_suffix": (
        "输出文件 {output} 的扩展名必须与原文件 {path} 相同（{suffix}），否则 Excel 无法打开",
        "The output {output} must have the same extension as {path} ({suffix}), "
        "or Excel will not open it",
    ),
    "write.output_is_input": (
        "--output 指向原文件 {path}。要直接更新原文件，请去掉 --output",
        "--output is the register itself ({path}). To update it in place, leave out --output",
    ),
    "write.sheet_not_found": (
        "工作簿 {path} 中没有名为「{sheet}」的工作表，请用 --sheet 指定正确的工作表",
        "Workbook {path} has no sheet named '{sheet}'; name the right one with --sheet",
    ),
    "write.header_row_missing": (
        "工作表「{sheet}」（{path}）的第 {row} 行没有表头，无法写入列；文件未改动",
        "Sheet '{sheet}' in {path} has no header in row {row}, so no column can be written; "
        "the file was left unchanged",
    ),
    "write.unsupported_xml": (
        "工作表「{sheet}」（{path}）含有 clientbook 无法安全修改的内容（{detail}），文件未改动。"
        "请在 Excel 中打开并另存一次后重试",
        "Sheet '{sheet}' in {path} contains something clientbook cannot change safely "
        "({detail}); the file was left unchanged. Open it in Excel, save it once, and run again",
    ),
    "write.formula_in_column": (
        "单元格 {cell}（工作表「{sheet}」）有公式，但「{header}」列由 clientbook 写入。"
        "请删除该公式或改掉这一列的表头后重试；文件未改动",
        "Cell {cell} in sheet '{sheet}' holds a formula, but column '{header}' is written by "
        "clientbook. Remove the formula or rename that column's header, then run again; the "
        "file was left unchanged",
    ),
    "write.merged_cells": (
        "合并单元格 {range}（工作表「{sheet}」）与 clientbook 要写的「{header}」列重叠。"
        "请取消合并后重试；文件未改动",
        "Merged cells {range} in sheet '{sheet}' overlap column '{header}' that clientbook "
        "writes. Unmerge them and run again; the file was left unchanged",
    ),
    "write.table_name_taken": (
        "工作表「{sheet}」的表格中已有一列名为「{header}」，但不在表头行中。"
        "请重命名该表格列后重试；文件未改动",
        "The table on sheet '{sheet}' already has a column named '{header}' that is not in "
        "the header row. Rename that table column and run again; the file was left unchanged",
    ),
    "write.too_many_columns": (
        "工作表「{sheet}」（{path}）右侧已没有空列可写（Excel 最多 16384 列）",
        "Sheet '{sheet}' in {path} has no free column left on the right "
        "(Excel allows 16,384 columns)",
    ),
    "write.value_too_long": (
        "{cell} 的内容超过 Excel 单元格上限（{limit} 个字符）",
        "The text for {cell} is longer than an Excel cell can hold ({limit} characters)",
    ),
    "write.too_large": (
        "{path} 写回后将超过 4 GB，clientbook 不支持这么大的工作簿；文件未改动",
        "{path} would exceed 4 GB once written, which clientbook does not support; "
        "the file was left unchanged",
    ),
    "write.missing": (
        "找不到文件 {path}，请检查路径",
        "File {path} does not exist; check the path",
    ),
    "write.disk_full": (
        "磁盘空间不足，无法写入 {path}；原文件未改动。请腾出空间后重试",
        "The disk is full, so {path} could not be written; the original is unchanged. "
        "Free some space and run again",
    ),
    "write.io_error": (
        "无法写入 {path}：{reason}；原文件未改动",
        "Could not write {path}: {reason}; the original is unchanged",
    ),
    "write.replace_denied": (
        "无法替换 {path}（可能正被 Excel、WPS 或同步软件占用）；原文件未改动。"
        "请关闭占用它的程序后重试",
        "Could not replace {path} (Excel, WPS or a sync tool may be holding it); the original "
        "is unchanged. Close that program and run again",
    ),
}
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
    "vault.write_failed": (
        "无法写入备份库 {path}：{reason}。请检查磁盘空间和文件夹权限，备份库未被改动",
        "Cannot write to the vault {path}: {reason}. Check free disk space and the folder's "
        "permissions; the vault was not changed",
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
