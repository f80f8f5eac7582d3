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
    "error.config": (
        "配置项 {setting} 无效：{reason}（{path}）。请改正该项，或删除它以使用默认值",
        "Invalid setting {setting}: {reason} ({path}). Correct it, or remove it to use the default",
    ),
    "error.config_unknown_key": (
        "配置项 {setting} 无效：没有这个配置项（{path}）。请检查拼写；"
        "clientbook config show 可列出全部配置项",
        "Invalid setting {setting}: there is no such setting ({path}). Check the spelling; "
        "'clientbook config show' lists every setting",
    ),
    "error.config_file": (
        "找不到或无法读取配置文件 {path}，请检查路径",
        "Cannot find or read the config file {path}; check the path",
    ),
    "error.config_syntax": (
        "配置文件 {path} 不是有效的 TOML：{detail}",
        "The config file {path} is not valid TOML: {detail}",
    ),
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
VALIDATE: dict[str, tuple[str, str]] = {
    "validate.working": ("正在读取并检查 {path} …", "Reading and checking {path} …"),
    # One sentence per finding code: what is wrong, and what is expected.
    "validate.missing_column": (
        "工作表「{sheet}」缺少必填列「{expected}」。{where}",
        "Sheet '{sheet}' has no '{expected}' column, which is required. {where}",
    ),
    "validate.skipped_row": (
        "第 {row} 行「{label}」是合计或说明行，不是客户，已跳过（不参与检查和评分）。"
        "如果这是一位客户，请在 {cell} 填写客户号",
        "Row {row} ('{label}') is a totals or notes row, not a client, and was skipped "
        "(not checked, not scored). If it is a client, put the client ID in {cell}",
    ),
    "validate.duplicate_column": (
        "{column} 列「{header}」与 {first_column} 列「{first_header}」是同一项，"
        "只读取 {first_column} 列，此列被忽略。请删除或改名其中一列",
        "Column {column} '{header}' is the same field as column {first_column} "
        "'{first_header}'; only column {first_column} is read and this one is ignored. "
        "Remove or rename one of them",
    ),
    "validate.missing_value": (
        "「{header}」是必填项，但 {cell} 为空。请填写",
        "'{header}' is required but {cell} is empty. Fill it in",
    ),
    "validate.invalid_date": (
        "「{value}」不是有效日期（{header}）。请写成 2024-03-05、2024/3/5 或 2024年3月5日",
        "'{value}' is not a valid date ({header}). Write it as 2024-03-05, 2024/3/5 "
        "or 2024年3月5日, or enter an Excel date",
    ),
    "validate.invalid_number": (
        "「{value}」不是有效的数字或金额（{header}）。请填写数字，如 1200、1,200.5、500万 或 1.2亿",
        "'{value}' is not a number or amount ({header}). Enter a number such as 1200, "
        "1,200.5, 500万 or 1.2亿",
    ),
    "validate.invalid_choice": (
        "「{value}」不是有效的「{header}」。{hint}可选：{choices}",
        "'{value}' is not a valid '{header}'. {hint}Choose one of: {choices}",
    ),
    "validate.invalid_value": (
        "「{value}」无法识别为「{header}」的有效值，请更正",
        "'{value}' cannot be read as a valid '{header}'; correct it",
    ),
    "validate.negative_amount": (
        "「{header}」不能为负数：{value}。请填写 0 或正数",
        "'{header}' cannot be negative: {value}. Enter 0 or a positive amount",
    ),
    "validate.negative_number": (
        "「{header}」不能为负数：{value}。请填写 0 或正数",
        "'{header}' cannot be negative: {value}. Enter 0 or a positive number",
    ),
    "validate.duplicate_id": (
        "客户号「{value}」在第 {rows} 行重复出现。每位客户只能占一行，请合并或更正客户号",
        "Client ID '{value}' appears on rows {rows}. Each client needs exactly one row: "
        "merge the rows or correct the ID",
    ),
    "validate.invalid_id_number": (
        "身份证号 {value} 无效：{reason}。应为 18 位（最后一位可为 X），出生日期真实且校验位正确",
        "ID number {value} is not valid: {reason}. Expected 18 characters (the last may be X) "
        "with a real birth date and a correct check digit",
    ),
    "validate.id_birth_mismatch": (
        "出生日期 {value} 与身份证号中的出生日期 {id_birth} 不一致，请核对两者",
        "Birth date {value} does not match the one in the ID number ({id_birth}); check both",
    ),
    "validate.id_gender_mismatch": (
        "性别「{gender}」与身份证号不一致（身份证号第 17 位表示{id_gender}），请核对两者",
        "Gender '{gender}' does not match the ID number (its 17th digit says {id_gender}); "
        "check both",
    ),
    "validate.invalid_mobile": (
        "手机号 {value} 无效：应为 11 位中国大陆手机号，以 13–19 开头（可带 +86，空格和横线不计）",
        "Mobile {value} is not valid: expected an 11-digit mainland China mobile starting "
        "with 13–19 (an optional +86; spaces and dashes are ignored)",
    ),
    "validate.invalid_email": (
        "邮箱「{value}」格式不正确，应形如 name@example.com",
        "Email '{value}' is not valid; expected something like name@example.com",
    ),
    "validate.future_date": (
        "「{header}」是将来的日期 {value}（今天是 {today}），请核对",
        "'{header}' is in the future: {value} (today is {today}); check it",
    ),
    "validate.invalid_age": (
        "按出生日期 {birth} 计算，年龄为 {age} 岁，不在 0–{max_age} 岁之间，"
        "请核对出生日期或身份证号",
        "The birth date {birth} gives an age of {age}, outside 0–{max_age}; "
        "check the birth date or ID number",
    ),
    "validate.unknown_client": (
        "客户号「{value}」在客户表中不存在。请更正客户号，或先在客户表中添加该客户",
        "Client ID '{value}' is not in the client sheet. Correct the ID, or add the client "
        "to the client sheet first",
    ),
    "validate.suitability_mismatch": (
        "客户 {client_id} 的风险等级为 {risk_level}，却持有 {value} 产品「{product}」"
        "（需 {needed} 及以上）。请重新评估客户风险等级或调整持仓",
        "Client {client_id} is rated {risk_level} but holds {value} product '{product}' "
        "(needs {needed} or higher). Reassess the client or review the holding",
    ),
    "validate.suitability_unknown": (
        "客户 {client_id} 持有 {value} 产品「{product}」，但客户表中没有其风险等级，"
        "无法核对适当性。请完成风险测评并填写风险等级",
        "Client {client_id} holds {value} product '{product}' but has no risk profile in the "
        "client sheet, so suitability cannot be checked. Assess the client and fill it in",
    ),
    "validate.risk_assessment_expired": (
        "风险测评日期 {value} 已超过 {validity_days} 天有效期"
        "（{expired_on} 到期，已过 {days_over} 天）。请为客户重新测评",
        "Risk assessment of {value} is past its {validity_days}-day validity (expired on "
        "{expired_on}, {days_over} days ago). Reassess the client",
    ),
    "validate.matured_holding": (
        "产品「{product}」已于 {value} 到期，但金额仍为 {amount} 万元。"
        "请更新持仓，或联系客户安排到期资金",
        "Product '{product}' matured on {value} but still shows {amount} (10k CNY). Update the "
        "holding, or call the client about the matured funds",
    ),
    "validate.duplicate_id_number": (
        "身份证号 {value} 同时登记在客户号 {client_ids} 上。请核对是否为同一客户重复建档",
        "ID number {value} is on client IDs {client_ids}. Check whether one person was "
        "registered twice",
    ),
    "validate.legacy_id_number": (
        "身份证号 {value} 是 15 位旧号码，请更新为 18 位新号码",
        "ID number {value} is an old 15-digit number; update it to the 18-digit one",
    ),
    # Short names of the codes (counts table, docs).
    "validate.title.missing_column": ("缺少必填列", "Missing column"),
    "validate.title.missing_value": ("必填项为空", "Missing value"),
    "validate.title.invalid_date": ("日期无效", "Invalid date"),
    "validate.title.invalid_number": ("数字无效", "Invalid number"),
    "validate.title.invalid_choice": ("选项无效", "Invalid choice"),
    "validate.title.invalid_value": ("值无法识别", "Invalid value"),
    "validate.title.negative_amount": ("金额为负", "Negative amount"),
    "validate.title.negative_number": ("数值为负", "Negative number"),
    "validate.title.duplicate_id": ("客户号重复", "Duplicate client ID"),
    "validate.title.invalid_id_number": ("身份证号无效", "Invalid ID number"),
    "validate.title.id_birth_mismatch": ("出生日期与身份证不符", "Birth date ≠ ID number"),
    "validate.title.id_gender_mismatch": ("性别与身份证不符", "Gender ≠ ID number"),
    "validate.title.invalid_mobile": ("手机号无效", "Invalid mobile"),
    "validate.title.invalid_email": ("邮箱无效", "Invalid email"),
    "validate.title.future_date": ("日期在将来", "Date in the future"),
    "validate.title.invalid_age": ("年龄不合理", "Implausible age"),
    "validate.title.unknown_client": ("客户号不存在", "Unknown client"),
    "validate.title.suitability_mismatch": ("产品风险超出客户等级", "Suitability mismatch"),
    "validate.title.suitability_unknown": ("无法核对适当性", "Suitability unknown"),
    "validate.title.risk_assessment_expired": ("风险测评过期", "Risk assessment expired"),
    "validate.title.matured_holding": ("持仓已到期", "Matured holding"),
    "validate.title.duplicate_id_number": ("身份证号重复", "Duplicate ID number"),
    "validate.title.legacy_id_number": ("15 位旧身份证号", "Legacy 15-digit ID"),
    "validate.title.duplicate_column": ("重复的列", "Duplicate column"),
    "validate.title.skipped_row": ("已跳过合计/说明行", "Totals/notes row skipped"),
    # Pieces used inside the sentences above.
    "validate.reason.id_format": (
        "长度不对或含有数字和 X 以外的字符",
        "wrong length, or characters other than digits and X",
    ),
    "validate.reason.id_birth": ("其中的出生日期不存在", "the birth date in it does not exist"),
    "validate.reason.id_check_digit": ("校验位不符", "the check digit does not match"),
    "validate.reason.id_as_number": (
        "它被 Excel 存成了数字，末几位已丢失。请把该列设为「文本」格式后重新录入完整号码",
        "Excel stored it as a number and its last digits are lost. "
        "Format the column as Text and type the full number again",
    ),
    "validate.where.header_row": (
        "请在表头行（第 {row} 行）添加这一列",
        "Add it to the header row (row {row})",
    ),
    "validate.where.no_header": (
        "这张表在前 20 行中没有可识别的表头行，请加入表头（如 客户号、产品名称、金额）",
        "This sheet has no recognisable header row in its first 20 rows; add one "
        "(e.g. Client ID, Product, Amount)",
    ),
    "validate.gender.M": ("男", "male"),
    "validate.gender.F": ("女", "female"),
    "validate.hint.suggest": ("是否应为「{suggestion}」？", "Did you mean '{suggestion}'? "),
    # Output around the findings.
    "validate.headline": (
        "{file}（工作表「{sheet}」，表头在第 {header_row} 行）：{rows} 行客户，"
        "{errors} 个错误，{warnings} 个警告",
        "{file} (sheet '{sheet}', header on row {header_row}): {rows} client rows; "
        "errors: {errors}, warnings: {warnings}",
    ),
    "validate.clean": ("未发现问题", "No problems found"),
    "validate.severity.error": ("错误", "error"),
    "validate.severity.warning": ("警告", "warning"),
    "validate.col.sheet": ("工作表", "Sheet"),
    "validate.col.row": ("行", "Row"),
    "validate.col.cell": ("单元格", "Cell"),
    "validate.col.severity": ("级别", "Severity"),
    "validate.col.code": ("代码", "Code"),
    "validate.col.header": ("列", "Column"),
    "validate.col.value": ("值", "Value"),
    "validate.col.message": ("说明", "Message"),
    "validate.col.count": ("数量", "Count"),
    "validate.col.title": ("问题", "Problem"),
    "validate.counts": ("按代码统计", "Findings by code"),
    "validate.annotated": (
        "已写出标注副本 {path}：{cells} 个单元格已标色并附批注（原文件未改动）",
        "Annotated copy written to {path}: {cells} cells filled and commented "
        "(the original is untouched)",
    ),
    "validate.annotate_lost": (
        "注意：标注副本中未能保留原文件的以下内容：{parts}（原文件未受影响）",
        "Note: the annotated copy could not keep these parts of the original: {parts} "
        "(the original is untouched)",
    ),
    "validate.part.images": ("图片", "images"),
    "validate.part.charts": ("图表", "charts"),
    "validate.part.drawings": ("形状和绘图", "shapes and drawings"),
    "validate.part.pivot_tables": ("数据透视表", "pivot tables"),
    "validate.part.slicers": ("切片器", "slicers"),
    "validate.part.form_controls": ("表单控件", "form controls"),
    "validate.part.embedded_objects": ("嵌入对象", "embedded objects"),
    "validate.part.threaded_comments": ("新版批注（对话式）", "threaded comments"),
    "validate.part.macros": ("宏", "macros"),
    "validate.part.external_links": ("外部链接", "external links"),
    "validate.part.x14_conditional_formats": (
        "Excel 2010 扩展条件格式（如数据条）",
        "Excel 2010 conditional formats (such as data bars)",
    ),
    "validate.part.x14_data_validations": (
        "Excel 2010 扩展数据验证",
        "Excel 2010 data validations",
    ),
    "validate.part.sparklines": ("迷你图", "sparklines"),
    "validate.annotate_same_file": (
        "--annotate 的输出文件 {path} 就是被检查的名册本身。请换一个文件名，原名册不会被改写",
        "--annotate output {path} is the register being checked. Choose another file name; "
        "the register is never overwritten",
    ),
    "validate.annotate_suffix": (
        "--annotate 的输出文件 {path} 必须以 .xlsx 或 .xlsm 结尾",
        "--annotate output {path} must end in .xlsx or .xlsm",
    ),
    "validate.password_prompt": (
        "工作簿 {path} 已加密，请输入密码（不会显示）",
        "Workbook {path} is encrypted; enter its password (not shown)",
    ),
    "validate.annotate_failed": (
        "无法写出标注副本 {path}：{reason}",
        "Cannot write the annotated copy {path}: {reason}",
    ),
}
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
    "tier.reason.assets_elsewhere_none": ("无他行资产", "no assets elsewhere"),
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
    "tier.step.reading": ("正在读取名册……", "Reading the register…"),
    "tier.step.scoring": ("正在评分和排名……", "Scoring and ranking…"),
    "tier.step.writing": ("正在写回名册……", "Writing the register…"),
    "tier.done.written": (
        "已在 {path} 中写入 {count} 列：{headers}",
        "Wrote {count} columns into {path}: {headers}",
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
WRITE: dict[str, tuple[str, str]] = {
    "write.previous_kept": (
        "{path} 原已存在，旧文件已保留为 {previous}",
        "{path} already existed; the old file was kept as {previous}",
    ),
    "write.keep_previous_failed": (
        "{path} 已存在，但无法先保留一份副本（{detail}），因此没有覆盖它。请换一个输出文件名",
        "{path} exists and a copy of it could not be kept ({detail}), so it was not replaced. "
        "Choose another output name",
    ),
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
    "write.read_only": (
        "{path} 是只读文件，clientbook 不会改写它；原文件未改动。请先取消只读属性，"
        "或用 --output 写到新文件",
        "{path} is read-only, so clientbook will not rewrite it; the original is unchanged. "
        "Clear the read-only attribute, or use --output to write a new file",
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
    "vault.prompt_mismatch": (
        "两次输入的口令不一致，请重试",
        "The two passphrases do not match; try again",
    ),
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
