"""Field definitions of the register: keys, zh/en headers, aliases, types, choices.

Definitions only; reading and checking live in read.py and validate.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class FieldType(StrEnum):
    TEXT = "text"
    DATE = "date"
    AMOUNT = "amount"  # money, normalised to 万元
    NUMBER = "number"
    CHOICE = "choice"  # canonical value from Field.choices
    INTERVAL = "interval"  # contact frequency -> days
    BOOL = "bool"  # 是/否
    LIST = "list"  # products held


@dataclass(frozen=True)
class Choice:
    value: str  # canonical, stored in records
    zh: str
    en: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Field:
    key: str
    zh: str
    en: str
    type: FieldType
    required: bool = False
    aliases: tuple[str, ...] = ()
    choices: tuple[Choice, ...] = ()
    sensitive: bool = False  # masked in findings and exports

    @property
    def headers(self) -> tuple[str, ...]:
        return (self.zh, self.en, *self.aliases)


GENDERS = (
    Choice("M", "男", "M", ("male", "man", "m", "男性")),
    Choice("F", "女", "F", ("female", "woman", "f", "女性")),
)
RISK_LEVELS = (
    Choice("C1", "C1 保守型", "C1 Conservative", ("C1", "保守型", "保守", "conservative", "R1")),
    Choice("C2", "C2 谨慎型", "C2 Cautious", ("C2", "谨慎型", "谨慎", "cautious", "R2")),
    Choice(
        "C3",
        "C3 稳健型",
        "C3 Balanced",
        ("C3", "稳健型", "平衡型", "稳健", "平衡", "balanced", "moderate", "R3"),
    ),
    Choice(
        "C4", "C4 积极型", "C4 Growth", ("C4", "积极型", "成长型", "积极", "成长", "growth", "R4")
    ),
    Choice(
        "C5",
        "C5 激进型",
        "C5 Aggressive",
        ("C5", "激进型", "进取型", "激进", "进取", "aggressive", "R5"),
    ),
)
# Banks label product risk R1–R5, PR1–PR5 or in words (低风险 … 高风险).
_PRODUCT_RISK_WORDS = (
    ("低风险", "低", "low", "low risk"),
    ("中低风险", "较低风险", "中低", "medium-low", "low-medium"),
    ("中风险", "中等风险", "中", "medium", "moderate"),
    ("中高风险", "较高风险", "中高", "medium-high"),
    ("高风险", "高", "high", "high risk"),
)
PRODUCT_RISK_LEVELS = tuple(
    Choice(f"R{i}", f"R{i}", f"R{i}", (f"R{i}", f"PR{i}", f"C{i}", *words))
    for i, words in enumerate(_PRODUCT_RISK_WORDS, start=1)
)
HORIZONS = (
    Choice("short", "短期", "Short term", ("短期", "short", "short-term", "1年以内")),
    Choice("long", "中长期", "Medium/long term", ("中长期", "中期", "长期", "long", "long-term")),
    Choice("retirement", "养老规划", "Retirement", ("养老规划", "养老", "retirement", "pension")),
)
CHANNELS = (
    Choice("phone", "电话", "Phone", ("电话", "phone", "call", "tel", "手机")),
    Choice("sms", "短信", "SMS", ("短信", "sms", "text")),
    Choice("wechat", "微信", "WeChat", ("微信", "wechat", "weixin", "企业微信")),
    Choice("email", "邮件", "Email", ("邮件", "email", "e-mail", "邮箱")),
    Choice("visit", "面谈", "Visit", ("面谈", "visit", "meeting", "见面", "拜访", "上门")),
)
# Canonical interval choices; "N天" / "N days" is accepted too (values.parse_interval).
INTERVALS = (
    Choice("7", "每周", "Weekly", ("每周", "weekly", "每星期")),
    Choice("14", "每两周", "Every two weeks", ("每两周", "biweekly", "每半月", "fortnightly")),
    Choice("30", "每月", "Monthly", ("每月", "monthly", "每个月")),
    Choice("90", "每季度", "Quarterly", ("每季度", "quarterly", "每季")),
    Choice("182", "每半年", "Half-yearly", ("每半年", "half-yearly", "semiannually")),
    Choice("365", "每年", "Yearly", ("每年", "yearly", "annually")),
)
YES_NO = (
    Choice("yes", "是", "Yes", ("是", "yes", "y", "true", "1", "保密", "√")),
    Choice("no", "否", "No", ("否", "no", "n", "false", "0", "不保密", "")),
)


CLIENT_FIELDS: tuple[Field, ...] = (
    Field(
        "client_id",
        "客户号",
        "Client ID",
        FieldType.TEXT,
        required=True,
        aliases=(
            "客户编号",
            "客户ID",
            "客户代码",
            "客户id",
            "ClientID",
            "Customer ID",
            "Client No",
        ),
    ),
    Field(
        "name",
        "客户姓名",
        "Name",
        FieldType.TEXT,
        required=True,
        aliases=("姓名", "客户名称", "Client name", "Full name", "Customer name"),
    ),
    Field("gender", "性别", "Gender", FieldType.CHOICE, aliases=("Sex",), choices=GENDERS),
    Field(
        "birth_date",
        "出生日期",
        "Birth date",
        FieldType.DATE,
        aliases=("生日", "出生年月日", "Date of birth", "DOB", "Birthday"),
    ),
    Field(
        "id_number",
        "身份证号",
        "ID number",
        FieldType.TEXT,
        aliases=("身份证号码", "证件号码", "证件号", "身份证", "ID No", "ID card number"),
        sensitive=True,
    ),
    Field(
        "mobile",
        "手机号",
        "Mobile",
        FieldType.TEXT,
        aliases=("手机号码", "手机", "联系电话", "电话", "Mobile phone", "Phone", "Cell phone"),
        sensitive=True,
    ),
    Field("email", "邮箱", "Email", FieldType.TEXT, aliases=("电子邮箱", "电子邮件", "E-mail")),
    Field("address", "地址", "Address", FieldType.TEXT, aliases=("联系地址", "住址", "家庭住址")),
    Field(
        "occupation", "职业", "Occupation", FieldType.TEXT, aliases=("工作", "Job", "Profession")
    ),
    Field("education", "学历", "Education", FieldType.TEXT, aliases=("教育程度", "文化程度")),
    Field(
        "marital_status",
        "婚姻状况",
        "Marital status",
        FieldType.TEXT,
        aliases=("婚姻", "婚姻状态", "Marital"),
    ),
    Field(
        "aum",
        "资产规模",
        "AUM",
        FieldType.AMOUNT,
        required=True,
        aliases=("资产规模(万元)", "AUM (10k CNY)", "管理资产", "本行资产", "金融资产", "资产"),
    ),
    Field(
        "aum_prev",
        "上年资产规模",
        "AUM last year",
        FieldType.AMOUNT,
        aliases=("上年资产", "去年资产规模", "上年末资产", "Previous AUM", "AUM previous year"),
    ),
    Field(
        "income",
        "年收入",
        "Annual income",
        FieldType.AMOUNT,
        aliases=("收入", "家庭年收入", "Income"),
    ),
    Field(
        "assets_elsewhere",
        "他行资产",
        "Assets elsewhere",
        FieldType.AMOUNT,
        aliases=("他行资产规模", "行外资产", "Other bank assets", "Assets at other banks"),
    ),
    Field(
        "risk_level",
        "风险等级",
        "Risk profile",
        FieldType.CHOICE,
        aliases=("风险承受能力", "风险偏好等级", "客户风险等级", "Risk level", "Risk rating"),
        choices=RISK_LEVELS,
    ),
    Field(
        "risk_assessed_on",
        "风险测评日期",
        "Risk assessed on",
        FieldType.DATE,
        aliases=("风险评估日期", "风评日期", "测评日期", "Risk assessment date"),
    ),
    Field(
        "horizon",
        "投资期限",
        "Investment horizon",
        FieldType.CHOICE,
        aliases=("Horizon",),
        choices=HORIZONS,
    ),
    Field(
        "preference",
        "投资偏好",
        "Investment preference",
        FieldType.TEXT,
        aliases=("偏好", "Preference"),
    ),
    Field(
        "channel",
        "联系方式偏好",
        "Preferred channel",
        FieldType.CHOICE,
        aliases=("偏好联系方式", "联系渠道", "Channel", "Contact channel"),
        choices=CHANNELS,
    ),
    Field(
        "contact_every",
        "联系频率",
        "Contact frequency",
        FieldType.INTERVAL,
        aliases=("回访频率", "Contact every", "Frequency"),
        choices=INTERVALS,
    ),
    Field(
        "contact_window",
        "联系时段",
        "Contact window",
        FieldType.TEXT,
        aliases=("方便联系时间", "联系时间", "Best time to call"),
    ),
    Field(
        "confidential",
        "保密要求",
        "Confidential",
        FieldType.BOOL,
        aliases=("是否保密", "保密"),
        choices=YES_NO,
    ),
    Field(
        "last_contact",
        "最近联系日期",
        "Last contact",
        FieldType.DATE,
        aliases=("上次联系日期", "最后联系日期", "最近联系", "Last contacted", "Last contact date"),
    ),
    Field(
        "onboarded_on",
        "开户日期",
        "Client since",
        FieldType.DATE,
        aliases=("建档日期", "入行日期", "Onboarded on", "Account opened"),
    ),
    Field(
        "branch_km",
        "距网点",
        "Distance to branch",
        FieldType.NUMBER,
        aliases=("距网点(公里)", "距网点距离", "Distance to branch (km)", "Distance"),
    ),
    Field(
        "products",
        "持有产品",
        "Products held",
        FieldType.LIST,
        aliases=("已持有产品", "产品", "Products"),
    ),
    Field("referrer", "推荐人", "Referrer", FieldType.TEXT, aliases=("介绍人", "Referred by")),
    Field("notes", "备注", "Notes", FieldType.TEXT, aliases=("说明", "Remarks", "Comment")),
    Field(
        "rm",
        "客户经理",
        "Relationship manager",
        FieldType.TEXT,
        aliases=("理财经理", "RM", "Account manager"),
    ),
)

# Holdings and contacts rows point at a client by the same 客户号 column.
_CLIENT_REF = Field(
    "client_id",
    "客户号",
    "Client ID",
    FieldType.TEXT,
    required=True,
    aliases=CLIENT_FIELDS[0].aliases,
)

HOLDING_FIELDS: tuple[Field, ...] = (
    _CLIENT_REF,
    Field(
        "product",
        "产品名称",
        "Product",
        FieldType.TEXT,
        required=True,
        aliases=("产品", "Product name"),
    ),
    Field(
        "product_risk",
        "产品风险等级",
        "Product risk",
        FieldType.CHOICE,
        aliases=("风险等级", "Product risk level", "Risk"),
        choices=PRODUCT_RISK_LEVELS,
    ),
    Field(
        "amount",
        "金额",
        "Amount",
        FieldType.AMOUNT,
        aliases=("金额(万元)", "持有金额", "持仓金额", "Amount (10k CNY)"),
    ),
    Field(
        "matures_on",
        "到期日",
        "Maturity",
        FieldType.DATE,
        aliases=("到期日期", "Maturity date", "Matures on"),
    ),
)

CONTACT_FIELDS: tuple[Field, ...] = (
    _CLIENT_REF,
    Field(
        "date",
        "日期",
        "Date",
        FieldType.DATE,
        required=True,
        aliases=("联系日期", "Contact date"),
    ),
    Field(
        "channel",
        "方式",
        "Channel",
        FieldType.CHOICE,
        aliases=("联系方式", "Method"),
        choices=CHANNELS,
    ),
    Field("content", "内容", "Content", FieldType.TEXT, aliases=("联系内容", "摘要", "Summary")),
)

CLIENT_SHEET_NAMES = ("客户", "客户信息", "Clients")
HOLDING_SHEET_NAMES = ("持仓", "Holdings")
CONTACT_SHEET_NAMES = ("联系记录", "Contacts")

# Columns that `tier` writes, in order: (key, zh header, en header).
TIER_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("tier", "客户层级", "Tier"),
    ("potential", "潜力分", "Potential"),
    ("ease", "易达分", "Ease"),
    ("priority", "优先级得分", "Priority score"),
    ("quadrant", "优先级象限", "Quadrant"),
    ("rank", "优先排名", "Rank"),
    ("reason", "优先级说明", "Reason"),
)

FIELDS_BY_KEY: dict[str, Field] = {f.key: f for f in CLIENT_FIELDS}


@dataclass(frozen=True)
class SheetSchema:
    kind: str  # "clients" | "holdings" | "contacts"
    fields: tuple[Field, ...]
    sheet_names: tuple[str, ...]
    by_key: dict[str, Field] = field(default_factory=dict)


CLIENTS = SheetSchema("clients", CLIENT_FIELDS, CLIENT_SHEET_NAMES, FIELDS_BY_KEY)
HOLDINGS = SheetSchema(
    "holdings", HOLDING_FIELDS, HOLDING_SHEET_NAMES, {f.key: f for f in HOLDING_FIELDS}
)
CONTACTS = SheetSchema(
    "contacts", CONTACT_FIELDS, CONTACT_SHEET_NAMES, {f.key: f for f in CONTACT_FIELDS}
)


# The client fields scoring, its reasons and the result read (open_book reads only these).
TIER_FIELDS = frozenset(
    {"client_id", "name", "aum", "aum_prev", "assets_elsewhere", "income", "birth_date",
     "id_number", "occupation", "education", "products", "last_contact", "onboarded_on",
     "branch_km", "channel", "contact_window"}
)  # fmt: skip
