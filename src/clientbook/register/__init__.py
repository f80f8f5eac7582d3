"""The workbook as data: schema, value parsing, reading and lossless writing."""
