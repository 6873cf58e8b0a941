"""The ledger spreadsheet's columns: what the export writes and the import reads, in one place, so an
exported file imports back unchanged. Amounts are in 万元, dates ISO (2024-06-26), choices by label."""

from .choices import SourceRegion

# key, header, help
COLUMNS = [
    ("code", "项目编号", "导入时为空则新建;填写已有编号则更新该项目"),
    ("name", "项目名称", "必填"),
    ("investor_name", "投资方", "必填"),
    ("credit_code", "统一社会信用代码", "18 位,校验码按 GB 32100"),
    ("investor_region", "投资方所在地区", ""),
    ("source_region", "资金来源地", "/".join(str(c.label) for c in SourceRegion)),
    ("industry", "行业代码", "GB/T 4754 代码,如 3841"),
    ("park", "功能区代码", ""),
    ("stage", "阶段", "线索/在谈/签约/供地/开工/投产/达产"),
    ("lead_on", "线索日期", ""),
    ("talks_on", "洽谈日期", ""),
    ("signed_on", "签约日期", ""),
    ("event", "签约活动", "须为已登记的签约活动名称"),
    ("contract_no", "合同编号", ""),
    ("agreed_investment", "协议总投资(万元)", ""),
    ("fixed_asset_investment", "固定资产投资(万元)", ""),
    ("expected_output", "达产后年产值(万元)", ""),
    ("expected_tax", "达产后年税收(万元)", ""),
    ("land_mu", "用地(亩)", ""),
    ("parcel", "地块编号", ""),
    ("land_on", "摘牌日期", ""),
    ("planned_start_on", "约定开工日期", ""),
    ("started_on", "开工日期", ""),
    ("produced_on", "投产日期", ""),
    ("full_on", "达产日期", ""),
    ("official", "责任领导", ""),
    ("unit", "责任单位", ""),
    ("confidential", "保密", "是/否"),
    ("funds_total", "累计到位资金(万元)", "只导出,导入时忽略"),
    ("note", "备注", ""),
]
HEADERS = [header for _, header, _ in COLUMNS]
BY_HEADER = {header: key for key, header, _ in COLUMNS}
EXPORT_ONLY = {"funds_total"}
